package io.ffsock.http;

import io.ffsock.SocketError;
import io.ffsock.SocketException;

import java.util.Arrays;

/**
 * Decodes a body in chunked transfer encoding (RFC 9112 section 7.1) as its bytes arrive:
 * <pre>
 *   chunk     = size-line data CRLF          size-line = hex-digits [ ";" extension ] CRLF
 *   last      = "0" [ ";" extension ] CRLF
 *   body      = *chunk last trailers         trailers  = CRLF | *( name ":" value line-end ) terminator
 *
 *   5;ext=1\r\n hello \r\n 0\r\n X-T: v\r\n \r\n
 *   |size-line||data |    |last||--trailers---|
 * </pre>
 * Extensions are ignored and trailers are kept, as in Qore. Where Qore is lenient and it matters, this decoder is
 * strict, because a body that is framed wrongly is the start of a request-smuggling or desynchronisation attack:
 * <ul>
 * <li>a size that is not hexadecimal digits (Qore reads {@code "zz"} as 0 and ends the body) is an error, and so is
 *     an empty one;</li>
 * <li>the two bytes after each chunk's data must be CR LF (Qore skips any two bytes);</li>
 * <li>a size line must end with CR LF: a bare LF in it is an error at once (Qore would keep reading);</li>
 * <li>a size line may be at most {@code lineLimit} bytes, and the whole body on the wire at most {@code limit}
 *     bytes: memory grows only with the data that actually arrives, and never beyond that.</li>
 * </ul>
 * A negative size is {@code READ-HTTP-CHUNK-ERROR} "negative value given for chunk size (-5)", as in Qore; every
 * other framing error is {@code READ-HTTP-CHUNK-ERROR} too, and the limits are {@code SOCKET-HTTP-ERROR}.
 * <p>
 * Like {@link HttpHeaderScanner} the decoder never consumes: it is offered every byte since the body began, as
 * often as more arrive, and keeps its place. One instance decodes one body.
 */
public final class ChunkedBodyDecoder {
    /** What the decoder found, in order, for a caller that reports progress (Qore's chunk events). */
    public interface Listener {
        /** A size line: the size and the length of its size text (before any {@code ';'}). */
        default void chunkSize(long size, int sizeTextLength) {}

        /** The data of one chunk: {@code a[off, off + len)}, valid during the call only. */
        default void chunkData(byte[] a, int off, int len) {}

        /** One chunk and the CR LF after it were read. */
        default void chunkRead(long size) {}
    }

    private static final Listener NONE = new Listener() {};
    private static final int SIZE_LINE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILERS = 3;
    private static final int DONE = 4;

    private final String method;
    private final long limit;
    private final int lineLimit;
    private final Listener listener;

    private int state = SIZE_LINE;
    /** Bytes scanned, relative to the start of the body. */
    private int pos;
    private int lineStart;
    /** Past the ';' of the current size line: the rest is an extension, ignored. */
    private boolean inExtension;
    private long remaining;
    private long chunkSize;
    private int chunkStart;
    private byte[] out = new byte[0];
    private int outLen;
    private HttpHeaderScanner trailers;
    private int trailerStart;
    private byte[] trailerBytes;

    /**
     * @param method    the method to name in messages, e.g. {@code "Socket::readHTTPChunkedBody"}
     * @param limit     the most bytes the body may take on the wire, sizes and trailers included
     * @param lineLimit the longest a size line and the trailers may each be (the header size limit)
     * @param listener  told about each chunk, or {@code null}
     */
    public ChunkedBodyDecoder(String method, long limit, int lineLimit, Listener listener) {
        this.method = method;
        this.limit = Math.min(limit, Integer.MAX_VALUE - 16);
        this.lineLimit = lineLimit;
        this.listener = listener == null ? NONE : listener;
    }

    /**
     * Scans {@code a[off, off + len)}: every byte since the body began.
     *
     * @return the body's length on the wire, trailers included, once it is complete; -1 while more is needed
     * @throws SocketException {@code READ-HTTP-CHUNK-ERROR} for a framing error, {@code SOCKET-HTTP-ERROR} for a
     *                         limit; the bytes up to the error are the first {@link #scanned()}
     */
    public int scan(byte[] a, int off, int len) throws SocketException {
        while (state != DONE) {
            if (pos > limit) {
                throw new HttpException(SocketError.HTTP_ERROR, method, "the chunked body exceeds the limit of "
                        + limit + " bytes in " + method + "()", null, null);
            }
            switch (state) {
                case SIZE_LINE -> {
                    if (!sizeLine(a, off, len)) {
                        return -1;
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, len - pos);
                    if (n == 0) {
                        return -1;
                    }
                    append(a, off + pos, n);
                    pos += n;
                    remaining -= n;
                    if (remaining == 0) {
                        listener.chunkData(out, chunkStart, (int) chunkSize);
                        state = DATA_END;
                    }
                }
                case DATA_END -> {
                    if (len - pos < 1) {
                        return -1;
                    }
                    if (a[off + pos] != '\r' || (len - pos >= 2 && a[off + pos + 1] != '\n')) {
                        throw chunkError("the chunk of " + chunkSize + " bytes is not followed by CR LF");
                    }
                    if (len - pos < 2) {
                        return -1;
                    }
                    pos += 2;
                    listener.chunkRead(chunkSize);
                    state = SIZE_LINE;
                    lineStart = pos;
                }
                case TRAILERS -> {
                    if (trailers == null) {
                        trailers = new HttpHeaderScanner(method, lineLimit, true);
                        trailerStart = pos;
                    }
                    int n;
                    try {
                        n = trailers.scan(a, off + trailerStart, len - trailerStart);
                    } finally {
                        pos = trailerStart + trailers.scanned();
                    }
                    if (n < 0) {
                        return -1;
                    }
                    if (trailers.textLength() > 0) {
                        trailerBytes = Arrays.copyOfRange(a, off + trailerStart, off + trailerStart
                                + trailers.textLength());
                    }
                    state = DONE;
                }
                default -> throw new IllegalStateException();
            }
        }
        return pos;
    }

    /**
     * Reads a size line if it is complete; false when more bytes are needed. Each byte is checked as it arrives, so
     * a line that cannot be a size line fails at its first wrong byte instead of waiting for a CR LF.
     */
    private boolean sizeLine(byte[] a, int off, int len) throws SocketException {
        for (;;) {
            if (pos - lineStart >= lineLimit) {
                throw chunkError("chunk-size line longer than " + lineLimit + " bytes");
            }
            if (pos >= len) {
                return false;
            }
            byte c = a[off + pos++];
            boolean afterCr = pos - 2 >= lineStart && a[off + pos - 2] == '\r';
            if (c == '\n') {
                if (!afterCr) {
                    throw chunkError("chunk-size line ends with a bare LF instead of CR LF");
                }
                break;
            }
            if (afterCr) {
                throw chunkError("chunk-size line has a CR that is not followed by LF");
            }
            if (c == ';') {
                inExtension = true;
            } else if (!inExtension && c != '\r' && c != ' ' && c != '\t' && c != '-' && hex(c) < 0) {
                throw chunkError("invalid chunk size '" + printable(new String(a, off + lineStart, pos - lineStart,
                        java.nio.charset.StandardCharsets.ISO_8859_1)) + "': expecting hexadecimal digits");
            }
        }
        inExtension = false;
        int end = pos - 2;
        int semi = end;
        for (int i = lineStart; i < end; i++) {
            if (a[off + i] == ';') {
                semi = i;
                break;
            }
        }
        int textLength = semi - lineStart;
        int s = lineStart;
        int e = semi;
        while (s < e && isBlank(a[off + s])) {
            s++;
        }
        while (e > s && isBlank(a[off + e - 1])) {
            e--;
        }
        String text = new String(a, off + s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
        boolean negative = text.startsWith("-");
        long size = parseHex(negative ? text.substring(1) : text);
        if (negative) {
            throw chunkError("negative value given for chunk size (" + (size >= 0 ? "-" + size : printable(text))
                    + ")");
        }
        if (size == -1) {
            throw chunkError("invalid chunk size '" + printable(text) + "': expecting hexadecimal digits");
        }
        if (size == -2) {
            throw new HttpException(SocketError.HTTP_ERROR, method, "chunk size '" + text + "' is too large in "
                    + method + "()", null, null);
        }
        if (size > limit - pos) {
            throw new HttpException(SocketError.HTTP_ERROR, method, "a chunk of " + size + " bytes would take the "
                    + "chunked body past the limit of " + limit + " bytes in " + method + "()", null, null);
        }
        listener.chunkSize(size, textLength);
        if (size == 0) {
            state = TRAILERS;
        } else {
            state = DATA;
            chunkSize = size;
            remaining = size;
            chunkStart = outLen;
        }
        return true;
    }

    /** Hex digits to a value; -1 if there are none or one is not a hex digit, -2 if the value exceeds 2^56. */
    private static long parseHex(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = hex(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            if (v >>> 56 != 0) {
                return -2;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static int hex(int c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
    }

    private void append(byte[] a, int from, int n) {
        if (out.length - outLen < n) {
            long cap = Math.max((long) out.length * 2, (long) outLen + n);
            out = Arrays.copyOf(out, (int) Math.min(Math.max(cap, 256), Integer.MAX_VALUE - 16));
        }
        System.arraycopy(a, from, out, outLen, n);
        outLen += n;
    }

    private SocketException chunkError(String what) {
        return new SocketException(SocketError.READ_HTTP_CHUNK_ERROR, method, what + " in " + method + "()");
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return s.length() > 64 ? sb + "..." : sb.toString();
    }

    /** Whether the body and its trailers have been read. */
    public boolean isComplete() {
        return state == DONE;
    }

    /** How many bytes have been scanned. */
    public int scanned() {
        return pos;
    }

    /**
     * Hands over the decoded body (all of it once complete): the decoder's own array when it is exactly full, so the
     * body is not copied again; the decoder is empty afterwards.
     */
    public byte[] takeBody() {
        byte[] b = out.length == outLen ? out : Arrays.copyOf(out, outLen);
        out = new byte[0];
        outLen = 0;
        return b;
    }

    /** The trailer text without its terminator, or {@code null} when the body had no trailers. */
    public byte[] trailerBytes() {
        return trailerBytes == null ? null : trailerBytes.clone();
    }
}
