package io.ffsock.loop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A FIFO of bytes in one growable array: the read buffer and the write queue of a connection.
 * <pre>
 *  0          head              tail            capacity
 *  +----------+-----------------+---------------+
 *  | consumed |  queued bytes   |     free      |
 *  +----------+-----------------+---------------+
 * </pre>
 * Appends go at {@code tail}; when the free space at the end is too small the queued bytes move to the front (so
 * the array is reused, not reallocated, in the steady state) and only then does the array grow, doubling. An empty
 * queue that grew past {@link #KEEP} drops its array, so one burst does not pin memory for the life of a
 * connection; the array itself is made on first use, so an idle connection holds none.
 * <p>
 * Not thread-safe: the owner synchronizes.
 */
final class ByteQueue {
    /** First allocation. */
    static final int INITIAL = 512;
    /** Largest array kept while empty. */
    static final int KEEP = 64 * 1024;

    private byte[] a;
    private int head;
    private int tail;

    int size() {
        return tail - head;
    }

    boolean isEmpty() {
        return tail == head;
    }

    /** Bytes held by the array (for memory accounting in tests and metrics). */
    int capacity() {
        return a == null ? 0 : a.length;
    }

    private void room(int n) {
        if (a == null) {
            a = new byte[Math.max(INITIAL, n)];
            return;
        }
        if (a.length - tail >= n) {
            return;
        }
        int size = tail - head;
        if (a.length - size >= n && head > 0) {
            System.arraycopy(a, head, a, 0, size);
            head = 0;
            tail = size;
            return;
        }
        long want = (long) size + n;
        if (want > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("byte queue over 2 GiB");
        }
        int cap = a.length;
        while (cap < want) {
            cap = cap > (Integer.MAX_VALUE - 16) / 2 ? Integer.MAX_VALUE - 16 : cap * 2;
        }
        byte[] b = new byte[cap];
        System.arraycopy(a, head, b, 0, size);
        a = b;
        head = 0;
        tail = size;
    }

    void append(byte[] src, int off, int len) {
        room(len);
        System.arraycopy(src, off, a, tail, len);
        tail += len;
    }

    void append(ByteBuffer src) {
        int len = src.remaining();
        room(len);
        src.get(a, tail, len);
        tail += len;
    }

    /** Appends {@code len} bytes of a native segment. */
    void append(MemorySegment src, long off, int len) {
        room(len);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, off, a, tail, len);
        tail += len;
    }

    /** Copies up to {@code max} queued bytes into {@code dst} at 0, without consuming them; returns the count. */
    int peekInto(MemorySegment dst, int max) {
        int n = Math.min(max, tail - head);
        if (n > 0) {
            MemorySegment.copy(a, head, dst, ValueLayout.JAVA_BYTE, 0, n);
        }
        return n;
    }

    /** Copies up to {@code max} queued bytes into {@code dst} at {@code off}, without consuming them. */
    int peekInto(byte[] dst, int off, int max) {
        int n = Math.min(max, tail - head);
        if (n > 0) {
            System.arraycopy(a, head, dst, off, n);
        }
        return n;
    }

    /** Moves up to {@code len} bytes into {@code dst}; returns the count. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, tail - head);
        if (n > 0) {
            System.arraycopy(a, head, dst, off, n);
            skip(n);
        }
        return n;
    }

    int take(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), tail - head);
        if (n > 0) {
            dst.put(a, head, n);
            skip(n);
        }
        return n;
    }

    /** Removes and returns the first {@code n} bytes ({@code n <= size()}). */
    byte[] take(int n) {
        byte[] out = n == 0 ? EMPTY : Arrays.copyOfRange(a, head, head + n);
        skip(n);
        return out;
    }

    /** Drops the first {@code n} queued bytes. */
    void skip(int n) {
        head += n;
        if (head == tail) {
            head = 0;
            tail = 0;
            if (a != null && a.length > KEEP) {
                a = null;
            }
        }
    }

    void clear() {
        head = 0;
        tail = 0;
        if (a != null && a.length > KEEP) {
            a = null;
        }
    }

    /** Index (from the first queued byte) of the first occurrence of {@code pattern} at or after {@code from}, or -1. */
    int indexOf(byte[] pattern, int from) {
        int size = tail - head;
        int m = pattern.length;
        if (m == 0) {
            return -1;
        }
        byte first = pattern[0];
        outer:
        for (int i = Math.max(0, from); i <= size - m; i++) {
            if (a[head + i] != first) {
                continue;
            }
            for (int j = 1; j < m; j++) {
                if (a[head + i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Index of the first {@code b} at or after {@code from}, or -1. */
    int indexOf(byte b, int from) {
        for (int i = head + Math.max(0, from); i < tail; i++) {
            if (a[i] == b) {
                return i - head;
            }
        }
        return -1;
    }

    static final byte[] EMPTY = new byte[0];
}
