package io.ffsock;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Bytes received but not yet handed to the caller, in a heap array the kernel reads into directly (recv is a
 * critical downcall, so a heap segment needs no copy).
 * <p>
 * It grows only as data actually arrives, so {@code recv(Integer.MAX_VALUE)} from a peer that sends ten bytes
 * allocates for ten bytes, not two gigabytes. Bytes stay here when a read times out or fails, so that the next
 * read returns them: nothing received is ever dropped. Guarded by the socket's read lock.
 */
final class ReadBuffer {
    /** The most one recv asks the kernel for when the caller wants more than that. */
    static final int CHUNK = 64 * 1024;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    /** The most this buffer ever holds: the largest Java array, or less for tests. */
    private final int max;
    private byte[] buf = new byte[0];
    private MemorySegment seg = MemorySegment.ofArray(buf);
    private int start;
    private int end;
    /** The connection these bytes came from; a new connection starts with an empty buffer. */
    private Object owner;

    ReadBuffer() {
        this(MAX_ARRAY);
    }

    /** A buffer that holds at most {@code max} bytes (tests use a small one to reach the limit). */
    ReadBuffer(int max) {
        this.max = max;
    }

    /** Empties the buffer if it holds bytes of another connection than {@code conn}. */
    void bind(Object conn) {
        if (owner != conn) {
            owner = conn;
            start = end = 0;
        }
    }

    int available() {
        return end - start;
    }

    /**
     * Makes room for at least {@code want} more bytes (capped at {@link #CHUNK}) after the buffered ones and returns
     * the segment to receive into.
     */
    MemorySegment room(long want) throws SocketException {
        int need = (int) Math.min(Math.max(want, 1), CHUNK);
        if (buf.length - end < need) {
            int used = end - start;
            if (used >= max - 1) {
                // a zero-length room would read as end of stream and cut the data silently: fail, handing it over
                throw new SocketException(SocketError.RECV_ERROR, "Socket::recv", "a single read cannot hold more "
                        + "than " + max + " bytes (the largest Java array); the bytes received so far are in "
                        + "partialData()", 0, null, takeAll());
            }
            if (start > 0 && buf.length - used >= need) {
                System.arraycopy(buf, start, buf, 0, used);
            } else {
                long cap = Math.max((long) buf.length * 2, (long) used + need);
                cap = Math.max(cap, 4096);
                byte[] nb = new byte[(int) Math.min(cap, max)];
                System.arraycopy(buf, start, nb, 0, used);
                buf = nb;
                seg = MemorySegment.ofArray(buf);
            }
            start = 0;
            end = used;
        }
        return seg.asSlice(end, Math.min(buf.length - end, CHUNK));
    }

    /** Records that the kernel wrote {@code n} bytes into the last {@link #room(long)}. */
    void filled(long n) {
        end += (int) n;
    }

    /** Removes and returns the first {@code n} buffered bytes. */
    byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        consumed(n);
        return out;
    }

    /** Removes and returns everything buffered. */
    byte[] takeAll() {
        return take(available());
    }

    /** Copies up to {@code len} buffered bytes into {@code dst} at {@code off}; returns how many. */
    int copyTo(MemorySegment dst, long off, long len) {
        int n = (int) Math.min(len, available());
        MemorySegment.copy(seg, start, dst, off, n);
        consumed(n);
        return n;
    }

    /** The array holding the buffered bytes, which start at {@link #start()}; valid until the next change. */
    byte[] array() {
        return buf;
    }

    /** Where the buffered bytes start in {@link #array()}. */
    int start() {
        return start;
    }

    /** Drops the first {@code n} buffered bytes (a parser took them). */
    void skip(int n) {
        consumed(n);
    }

    private void consumed(int n) {
        start += n;
        if (start == end) {
            start = end = 0;
            if (buf.length > 4 * CHUNK) {
                // a large recv is over: give the memory back rather than keep it for the socket's lifetime
                buf = new byte[0];
                seg = MemorySegment.ofArray(buf);
            }
        }
    }
}
