package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The write side of a {@link Socket}: its lock and the loop that puts every byte on the wire, waiting for buffer
 * space with a timeout per wait, over a descriptor the caller has acquired.
 */
final class Sender {
    /** Held by whoever writes; an HTTP message holds it across its parts so that no other write comes between. */
    final ReentrantLock lock = new ReentrantLock();
    /** Scratch for the integer senders, guarded by the lock. */
    private final MemorySegment intScratch = MemorySegment.ofArray(new byte[8]);
    /** Closes the connection after a fatal send error, if it is still the socket's current one. */
    private final Consumer<SocketFd> closeIfCurrent;
    /** The socket's event poster, or {@code null} (no queue set: the write path then allocates nothing for events). */
    volatile SocketEvents events;

    Sender(Consumer<SocketFd> closeIfCurrent) {
        this.closeIfCurrent = closeIfCurrent;
    }

    /** Sends all {@code len} bytes of {@code data} (native or heap); returns 0 as Qore's send does. */
    int send(SocketFd f, String m, MemorySegment data, long len, long timeoutMs) throws SocketException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            return sendLocked(f, m, data, 0, len, len, timeoutMs);
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code data[off, off+len)} without making a slice of it; returns 0. */
    int sendRange(SocketFd f, String m, MemorySegment data, long off, long len, long timeoutMs)
            throws SocketException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            return sendLocked(f, m, data, off, len, len, timeoutMs);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #send} of a buffer whose first {@code split} bytes are one part of a message (an HTTP header block) and
     * the rest another (its body): one write where one suffices, and PACKET_SENT events with each part's own totals.
     */
    int send(SocketFd f, String m, MemorySegment data, long len, long split, long timeoutMs) throws SocketException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            return sendLocked(f, m, data, 0, len, split, timeoutMs);
        } finally {
            lock.unlock();
        }
    }

    /** Sends the low {@code size} bytes of {@code v} in the given order (1, 2, 4 or 8 bytes). */
    int sendInt(SocketFd f, String m, long v, int size, ByteOrder order, long timeoutMs) throws SocketException {
        boolean be = order == ByteOrder.BIG_ENDIAN;
        lock.lock();
        try {
            MemorySegment s = intScratch;
            switch (size) {
                case 1 -> s.set(ValueLayout.JAVA_BYTE, 0, (byte) v);
                case 2 -> s.set(be ? WireInts.SHORT_BE : WireInts.SHORT_LE, 0, (short) v);
                case 4 -> s.set(be ? WireInts.INT_BE : WireInts.INT_LE, 0, (int) v);
                default -> s.set(be ? WireInts.LONG_BE : WireInts.LONG_LE, 0, v);
            }
            return sendLocked(f, m, s, 0, size, size, timeoutMs);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes all {@code len} bytes of {@code data} from {@code start}; caller holds the lock and an acquire on
     * {@code f}. A send that took only part of what it was given found the socket's buffer full, so the next send
     * would fail with EAGAIN: it waits in poll for room straight away instead, one system call fewer per wait on
     * bulk writes.
     */
    private int sendLocked(SocketFd f, String m, MemorySegment data, long start, long len, long split,
                           long timeoutMs) throws SocketException {
        SocketEvents sink = events;
        if (f.type() == Net.SOCK_DGRAM) {
            int r = DatagramStream.send(f, m, start == 0 ? data : data.asSlice(start, len), len, timeoutMs);
            if (sink != null) {
                sink.sent(0, len, split, len);
            }
            return r;
        }
        int timeout = Socket.timeoutInt(timeoutMs);
        long off = 0;
        while (off < len) {
            long n = f.send(data, start + off, len - off, 0);
            if (n > 0) {
                off += n;
                if (sink != null) {
                    sink.sent(off - n, off, split, len);
                }
                if (off == len) {
                    break;
                }
            } else {
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n != -Errno.EAGAIN) {
                    closeIfCurrent.accept(f);
                    throw Errors.sendError(m, (int) -n);
                }
            }
            int ev = f.poll(f.write, Net.POLLOUT, timeout);
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (ev == 0) {
                throw Errors.timeout(m, timeoutMs, off > 0 ? " (" + off + " of " + len + " bytes sent)" : null);
            }
            if (ev < 0) {
                throw Errors.sendError(m, -ev);
            }
        }
        return 0;
    }

    /** Whether the socket can take more data now or within {@code timeoutMs}. Never waits for a blocked writer. */
    static boolean isWriteFinished(SocketFd f, long timeoutMs) {
        // a writer blocked in send owns the write scratch: poll with memory of our own rather than wait for it
        int ev = f.pollCold(Net.POLLOUT, Socket.timeoutInt(timeoutMs));
        return ev > 0 && (ev & Net.POLLOUT) != 0 && !f.isClosed();
    }

    /** The write lock, for the other ways Socket writes (vectored writes, urgent data, descriptors). */
    ReentrantLock writeLock() {
        return lock;
    }
}
