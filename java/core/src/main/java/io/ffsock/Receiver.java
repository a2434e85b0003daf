package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The read side of a {@link Socket}: its lock, its buffer, and Qore's receive semantics (exactly n bytes, what is
 * available, everything until the peer closes) over a descriptor the caller has acquired.
 * <p>
 * Every byte received lands in the {@link ReadBuffer} first, except on the hot path ({@link #read}) when the buffer
 * is empty, where the kernel writes straight into the caller's memory. A read that times out leaves what it got in
 * the buffer; a read that fails hands it over in {@link SocketException#partialData()}.
 */
final class Receiver {
    /** What one {@code recv(0)} drains at most after the first chunk. */
    private static final int DRAIN_LIMIT = 1 << 20;
    /** Outcome of one {@link #fill}: end of stream. */
    private static final int EOF = -1;

    /** Held by whoever reads; accept() takes it too, since it uses the read side's scratch memory. */
    final ReentrantLock lock = new ReentrantLock();
    private final ReadBuffer buf = new ReadBuffer();
    /** Closes the connection after end of stream or a fatal error, if it is still the socket's current one. */
    private final Consumer<SocketFd> closeIfCurrent;

    Receiver(Consumer<SocketFd> closeIfCurrent) {
        this.closeIfCurrent = closeIfCurrent;
    }

    /**
     * Reads per Qore's size rule: {@code size} &gt; 0 exactly that many bytes, 0 what is available (at least one
     * byte), -1 everything until the peer closes. {@code detail} adds "(n bytes requested; k received)" to a
     * timeout's message.
     */
    byte[] recv(SocketFd f, String m, int size, long timeoutMs, boolean detail) throws SocketException {
        lock.lock();
        try {
            buf.bind(f);
            if (f.type() == Net.SOCK_DGRAM) {
                return DatagramStream.recv(buf, f, m, size, timeoutMs);
            }
            if (size > 0) {
                return readExact(f, m, size, timeoutMs, detail);
            }
            return size == 0 ? readAvailable(f, m, timeoutMs) : readToEnd(f, m, timeoutMs);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Receives into the buffer at least one byte (waiting up to {@code timeoutMs}), or reports EOF. Throws
     * SOCKET-TIMEOUT (keeping the buffered bytes), SOCKET-CLOSED on reset or local close, SOCKET-RECV-ERROR.
     */
    private long fill(SocketFd f, String m, long want, long timeoutMs, String timeoutDetail) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            MemorySegment room = buf.room(want);
            long n = f.recv(room, room.byteSize(), 0);
            if (n > 0) {
                buf.filled(n);
                return n;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, buf.takeAll());
            }
            if (n == 0) {
                return EOF;
            }
            if (n == -Errno.EAGAIN) {
                int ev = f.poll(f.read, Net.POLLIN, timeout);
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, buf.takeAll());
                }
                if (ev == 0) {
                    throw Errors.timeout(m, timeoutMs, timeoutDetail);
                }
                if (ev < 0) {
                    throw Errors.recvError(m, -ev, buf.takeAll());
                }
                continue;
            }
            throw fatal(f, m, (int) -n, buf.takeAll());
        }
    }

    /** A receive error that ends the connection: SOCKET-CLOSED for a reset, SOCKET-RECV-ERROR otherwise. */
    private SocketException fatal(SocketFd f, String m, int errno, byte[] partial) {
        closeIfCurrent.accept(f);
        return errno == Errno.ECONNRESET ? Errors.peerClosed(m, errno, partial) : Errors.recvError(m, errno, partial);
    }

    private byte[] readExact(SocketFd f, String m, int size, long timeoutMs, boolean detail) throws SocketException {
        while (buf.available() < size) {
            String d = detail ? " (" + Errors.plural(size, "byte") + " requested; "
                    + Errors.plural(buf.available(), "byte") + " received)" : null;
            if (fill(f, m, (long) size - buf.available(), timeoutMs, d) == EOF) {
                byte[] partial = buf.takeAll();
                closeIfCurrent.accept(f);
                throw Errors.peerClosed(m, 0, partial);
            }
        }
        return buf.take(size);
    }

    private byte[] readAvailable(SocketFd f, String m, long timeoutMs) throws SocketException {
        if (buf.available() == 0 && fill(f, m, ReadBuffer.CHUNK, timeoutMs, null) == EOF) {
            closeIfCurrent.accept(f);
            return new byte[0];
        }
        // then whatever else is already there, without waiting
        while (buf.available() < DRAIN_LIMIT) {
            MemorySegment room = buf.room(ReadBuffer.CHUNK);
            long n = f.recv(room, room.byteSize(), 0);
            if (n > 0) {
                buf.filled(n);
            } else {
                if (n == 0) {
                    byte[] all = buf.takeAll();
                    closeIfCurrent.accept(f);
                    return all;
                }
                break;
            }
        }
        return buf.takeAll();
    }

    private byte[] readToEnd(SocketFd f, String m, long timeoutMs) throws SocketException {
        while (fill(f, m, ReadBuffer.CHUNK, timeoutMs, null) != EOF) {
            // keep reading until the peer closes
        }
        byte[] all = buf.takeAll();
        closeIfCurrent.accept(f);
        return all;
    }

    /**
     * The hot path: at least one byte into {@code dst}, from the buffer if it holds any, else straight from the
     * kernel. Returns the count, or -1 at end of stream (the connection stays open: this is the Java-style read).
     */
    long read(SocketFd f, String m, MemorySegment dst, long timeoutMs) throws SocketException {
        long len = dst.byteSize();
        lock.lock();
        try {
            if (len == 0) {
                return 0;
            }
            buf.bind(f);
            if (f.type() == Net.SOCK_DGRAM) {
                return DatagramStream.read(buf, f, m, dst, timeoutMs);
            }
            if (buf.available() > 0) {
                return buf.copyTo(dst, 0, len);
            }
            int timeout = Socket.timeoutInt(timeoutMs);
            for (;;) {
                long n = f.recv(dst, len, 0);
                if (n > 0) {
                    return n;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n == 0) {
                    return -1;
                }
                if (n != -Errno.EAGAIN) {
                    throw fatal(f, m, (int) -n, null);
                }
                int ev = f.poll(f.read, Net.POLLIN, timeout);
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (ev == 0) {
                    throw Errors.timeout(m, timeoutMs, null);
                }
                if (ev < 0) {
                    throw Errors.recvError(m, -ev, null);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a read would find data now or within {@code timeoutMs} (buffered bytes, arriving bytes, end of
     * stream, or a pending connection on a listener).
     */
    boolean isDataAvailable(SocketFd f, long timeoutMs) {
        int timeout = Socket.timeoutInt(timeoutMs);
        if (!lock.tryLock()) {
            // a reader is inside recv and owns the buffer and the read scratch: ask the kernel alone, so that a
            // poll with timeout 0 never waits for that reader
            int ev = f.pollCold(Net.POLLIN, timeout);
            return ev > 0 && !f.isClosed();
        }
        try {
            buf.bind(f);
            if (buf.available() > 0) {
                return true;
            }
            int ev = f.poll(f.read, Net.POLLIN, timeout);
            return ev > 0 && !f.isClosed();
        } finally {
            lock.unlock();
        }
    }

    // --- for Socket's other ways of reading (vectored reads, urgent data, descriptors); caller holds the lock ---

    /** How many bytes are buffered for {@code f} and not handed out yet. */
    int buffered(SocketFd f) {
        buf.bind(f);
        return buf.available();
    }

    /** Moves up to {@code dst.byteSize()} buffered bytes into {@code dst}; returns how many. */
    long copyBuffered(SocketFd f, MemorySegment dst) {
        buf.bind(f);
        return buf.copyTo(dst, 0, dst.byteSize());
    }

    /** Removes and returns up to {@code max} buffered bytes. */
    byte[] takeBuffered(SocketFd f, int max) {
        buf.bind(f);
        return buf.take(Math.min(max, buf.available()));
    }
}
