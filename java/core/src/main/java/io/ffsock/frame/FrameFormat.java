package io.ffsock.frame;

import io.ffsock.SocketError;
import io.ffsock.SocketException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A wire format for frames: {@linkplain #lengthPrefixed(LengthPrefix, int) length-prefixed} or
 * {@linkplain #delimited(Delimiter, int) delimited}, each with a maximum frame size. Immutable and thread-safe; the
 * {@link FrameWriter} and {@link FrameReader} of a socket use one, and {@link #encode} / {@link #decode} work on any
 * buffer for callers that move the bytes themselves.
 * <pre>
 *  length-prefixed (U2 shown)              delimited (LF shown)
 *  +------+------+---------------+         +---------------------+------+
 *  |  length (BE) |  payload      |         | payload             | 0x0A |
 *  +------+------+---------------+         +---------------------+------+
 *  |&lt;-prefix-&gt;|&lt;-- length B --&gt;|         |&lt;-- up to max B ---&gt;|
 * </pre>
 * The maximum frame size bounds the payload in both directions. On the receiving side it is checked before a
 * single payload byte is read: a length field above it (or a negative one, with the signed prefixes), or a line
 * that reaches it without a delimiter, is a {@link SocketException} ({@code SOCKET-RECV-ERROR}). Decoding never
 * allocates, so a hostile length costs the receiver nothing.
 */
public abstract sealed class FrameFormat permits FrameFormat.LengthPrefixed, FrameFormat.Delimited {
    /** The maximum frame size of the factory methods that do not take one: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;

    final int maxFrameSize;

    private FrameFormat(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Frames led by a length field; the maximum is capped by what the field can hold (255 for {@link LengthPrefix#U1},
     * 65,535 for the 2-byte forms).
     *
     * @param maxFrameSize the largest payload accepted, &gt;= 0
     */
    public static FrameFormat lengthPrefixed(LengthPrefix prefix, int maxFrameSize) {
        Objects.requireNonNull(prefix, "prefix");
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("maxFrameSize must be >= 0: " + maxFrameSize);
        }
        return new LengthPrefixed(prefix, (int) Math.min(maxFrameSize, prefix.maxLength()));
    }

    /** {@link #lengthPrefixed(LengthPrefix, int)} with the largest size the prefix holds, at most 1 MiB. */
    public static FrameFormat lengthPrefixed(LengthPrefix prefix) {
        return lengthPrefixed(prefix, DEFAULT_MAX_FRAME);
    }

    /**
     * Frames ended by a delimiter.
     *
     * @param maxFrameSize the longest payload accepted (not counting the delimiter), &gt;= 0
     */
    public static FrameFormat delimited(Delimiter delimiter, int maxFrameSize) {
        Objects.requireNonNull(delimiter, "delimiter");
        if (maxFrameSize < 0 || maxFrameSize > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("maxFrameSize out of range: " + maxFrameSize);
        }
        return new Delimited(delimiter, maxFrameSize);
    }

    /** {@link #delimited(Delimiter, int)} with a maximum of 1 MiB. */
    public static FrameFormat delimited(Delimiter delimiter) {
        return delimited(delimiter, DEFAULT_MAX_FRAME);
    }

    /** The largest payload this format writes or accepts. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Bytes the format adds to each payload: the length field or the delimiter. */
    public abstract int overhead();

    /** Bytes in front of the payload. */
    abstract int headerSize();

    /** Writes what goes in front of a payload of {@code len} bytes. */
    abstract void writeHeader(MemorySegment dst, long at, long len);

    /** Writes what goes after the payload. */
    abstract void writeTrailer(MemorySegment dst, long at);

    /** Throws IllegalArgumentException when the payload cannot be sent in this format. */
    abstract void checkPayload(MemorySegment payload, long off, long len);

    /**
     * Encodes one frame carrying {@code payload[off, off+len)} into {@code dst} at {@code at}.
     *
     * @return the bytes written: {@code len + }{@link #overhead()}
     * @throws IllegalArgumentException when {@code len} exceeds the maximum frame size, or a delimited payload
     *                                  contains its delimiter
     * @throws IndexOutOfBoundsException when the frame does not fit in {@code dst}
     */
    public long encode(MemorySegment dst, long at, MemorySegment payload, long off, long len) {
        checkPayload(payload, off, len);
        int h = headerSize();
        writeHeader(dst, at, len);
        MemorySegment.copy(payload, off, dst, at + h, len);
        writeTrailer(dst, at + h + len);
        return len + overhead();
    }

    /** {@link #encode(MemorySegment, long, MemorySegment, long, long)} from an array. */
    public long encode(MemorySegment dst, long at, byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        return encode(dst, at, MemorySegment.ofArray(payload), off, len);
    }

    /**
     * Decodes the frame at the start of {@code src[start, end)} into {@code frame}, without copying.
     *
     * @return the bytes the frame occupies (&gt; 0), after which {@code frame} points at its payload in {@code src};
     *         or 0 when {@code [start, end)} does not hold a whole frame yet
     * @throws SocketException ({@code SOCKET-RECV-ERROR}) when the bytes announce a frame above the maximum size, a
     *                         negative length, or a line that reaches the maximum without its delimiter
     */
    public abstract long decode(MemorySegment src, long start, long end, Frame frame) throws SocketException;

    static SocketException refused(String what) {
        return new SocketException(SocketError.RECV_ERROR, "FrameReader::next", what
                + "; the stream cannot be resynchronised, so the frame was refused before any of it was read",
                0, null, null);
    }

    static IllegalArgumentException tooBig(long len, int max) {
        return new IllegalArgumentException("a frame of " + len + " bytes exceeds the maximum frame size of " + max);
    }

    /** Length-prefixed frames. */
    static final class LengthPrefixed extends FrameFormat {
        final LengthPrefix prefix;

        LengthPrefixed(LengthPrefix prefix, int maxFrameSize) {
            super(maxFrameSize);
            this.prefix = prefix;
        }

        @Override
        public int overhead() {
            return prefix.size();
        }

        @Override
        int headerSize() {
            return prefix.size();
        }

        @Override
        void writeHeader(MemorySegment dst, long at, long len) {
            prefix.write(dst, at, len);
        }

        @Override
        void writeTrailer(MemorySegment dst, long at) {
            // nothing after the payload
        }

        @Override
        void checkPayload(MemorySegment payload, long off, long len) {
            if (len < 0 || len > maxFrameSize) {
                throw tooBig(len, maxFrameSize);
            }
        }

        @Override
        public long decode(MemorySegment src, long start, long end, Frame frame) throws SocketException {
            int h = prefix.size();
            if (end - start < h) {
                return 0;
            }
            long len = prefix.read(src, start);
            if (len < 0) {
                throw refused("the peer announced a negative frame length (" + len + ") in its " + prefix
                        + " length field");
            }
            if (len > maxFrameSize) {
                throw refused("the peer announced a frame of " + len + " bytes, above the maximum frame size of "
                        + maxFrameSize);
            }
            if (end - start - h < len) {
                return 0;
            }
            frame.set(src, start + h, (int) len);
            return h + len;
        }

        @Override
        public String toString() {
            return "lengthPrefixed(" + prefix + ", max " + maxFrameSize + ")";
        }
    }

    /** Delimited frames. */
    static final class Delimited extends FrameFormat {
        private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101_0101_0101_0101L;
        private static final long HIGHS = 0x8080_8080_8080_8080L;
        private static final long LFS = 0x0A0A_0A0A_0A0A_0A0AL;

        final Delimiter delimiter;
        private final boolean crlf;

        Delimited(Delimiter delimiter, int maxFrameSize) {
            super(maxFrameSize);
            this.delimiter = delimiter;
            this.crlf = delimiter == Delimiter.CRLF;
        }

        @Override
        public int overhead() {
            return delimiter.size();
        }

        @Override
        int headerSize() {
            return 0;
        }

        @Override
        void writeHeader(MemorySegment dst, long at, long len) {
            // nothing before the payload
        }

        @Override
        void writeTrailer(MemorySegment dst, long at) {
            if (crlf) {
                dst.set(ValueLayout.JAVA_BYTE, at, (byte) '\r');
                dst.set(ValueLayout.JAVA_BYTE, at + 1, (byte) '\n');
            } else {
                dst.set(ValueLayout.JAVA_BYTE, at, (byte) '\n');
            }
        }

        @Override
        void checkPayload(MemorySegment payload, long off, long len) {
            if (len < 0 || len > maxFrameSize) {
                throw tooBig(len, maxFrameSize);
            }
            long p = off;
            long end = off + len;
            while ((p = indexOfLf(payload, p, end)) >= 0) {
                if (!crlf || (p > off && payload.get(ValueLayout.JAVA_BYTE, p - 1) == '\r')) {
                    throw new IllegalArgumentException("the payload contains the delimiter " + delimiter
                            + " at byte " + (p - off - (crlf ? 1 : 0)) + ", so it cannot be sent as one "
                            + delimiter + " frame");
                }
                p++;
            }
        }

        @Override
        public long decode(MemorySegment src, long start, long end, Frame frame) throws SocketException {
            int d = delimiter.size();
            // the delimiter's LF can sit no further than max + d - 1 bytes after start
            long window = Math.min(end, start + maxFrameSize + d);
            long p = crlf ? start + 1 : start;
            while ((p = indexOfLf(src, p, window)) >= 0) {
                if (!crlf || src.get(ValueLayout.JAVA_BYTE, p - 1) == '\r') {
                    frame.set(src, start, (int) (p + 1 - d - start));
                    return p + 1 - start;
                }
                p++;
            }
            if (end - start >= (long) maxFrameSize + d) {
                throw refused("the peer sent a line of more than " + maxFrameSize + " bytes (the maximum frame size)"
                        + " without its " + delimiter + " delimiter");
            }
            return 0;
        }

        /** The index of the first 0x0A in {@code seg[from, to)}, or -1; eight bytes per step. */
        static long indexOfLf(MemorySegment seg, long from, long to) {
            long p = from;
            for (; p + 8 <= to; p += 8) {
                long x = seg.get(WORD, p) ^ LFS;
                long t = (x - ONES) & ~x & HIGHS;
                if (t != 0) {
                    return p + (Long.numberOfTrailingZeros(t) >>> 3);
                }
            }
            for (; p < to; p++) {
                if (seg.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                    return p;
                }
            }
            return -1;
        }

        @Override
        public String toString() {
            return "delimited(" + delimiter + ", max " + maxFrameSize + ")";
        }
    }
}
