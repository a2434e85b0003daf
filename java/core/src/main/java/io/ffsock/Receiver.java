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
        AutoCloseable tls = f.attachment();
        if (tls != null) {
            return ((TlsConnection) tls).fill(f, m, buf, null, timeoutMs, timeoutDetail, closeIfCurrent);
        }
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
            long n = fillNow(f, m);
            if (n == EOF) {
                byte[] all = buf.takeAll();
                closeIfCurrent.accept(f);
                return all;
            }
            if (n == 0) {
                break;
            }
        }
        return buf.takeAll();
    }

    /** Receives into the buffer what is there without waiting: the count, 0 for nothing (or an error), or EOF. */
    private long fillNow(SocketFd f, String m) throws SocketException {
        AutoCloseable tls = f.attachment();
        if (tls != null) {
            return ((TlsConnection) tls).fillNow(f, m, buf, closeIfCurrent);
        }
        MemorySegment room = buf.room(ReadBuffer.CHUNK);
        long n = f.recv(room, room.byteSize(), 0);
        if (n > 0) {
            buf.filled(n);
            return n;
        }
        return n == 0 ? EOF : 0;
    }

    /**
     * Reads and drops what the kernel holds for {@code f} (at most 1 MiB), if no reader is busy. Closing a socket
     * with unread bytes makes the kernel reset the connection instead of ending it, and a reset can destroy what
     * was sent last: over TLS 1.3 there are nearly always unread bytes (the server's session tickets), which would
     * turn every close into a reset that eats the close_notify. Never waits, never throws.
     */
    void drainQuietly(SocketFd f) {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (!f.acquire()) {
                return;
            }
            try {
                long total = 0;
                while (total < (1 << 20)) {
                    MemorySegment room = buf.room(ReadBuffer.CHUNK);
                    long n = f.recv(room, room.byteSize(), 0);
                    if (n <= 0) {
                        break;
                    }
                    total += n;
                }
            } finally {
                f.release();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts TLS on {@code f}: bytes already buffered are the peer's first TLS bytes (an application that read
     * ahead before STARTTLS), so they go to the session, which then runs the handshake. Caller holds both locks.
     */
    void startTls(SocketFd f, String m, TlsConnection t, long timeoutMs) throws SocketException {
        buf.bind(f);
        if (buf.available() > 0) {
            t.preload(buf.takeAll());
        }
        t.handshake(f, m, buf, timeoutMs);
    }

    /** The TLS hot path: unwraps straight into the caller's native memory when it has room for a whole record. */
    private long readTls(TlsConnection t, SocketFd f, String m, MemorySegment dst, long len, long timeoutMs)
            throws SocketException {
        if (dst.isNative() && len >= t.recordRoom()) {
            java.nio.ByteBuffer d = dst.asSlice(0, Math.min(len, Integer.MAX_VALUE - 8)).asByteBuffer();
            long n = t.fill(f, m, buf, d, timeoutMs, null, closeIfCurrent);
            return n == EOF ? -1 : n;
        }
        long n = t.fill(f, m, buf, null, timeoutMs, null, closeIfCurrent);
        return n == EOF ? -1 : buf.copyTo(dst, 0, len);
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
            if (buf.available() > 0) {
                return buf.copyTo(dst, 0, len);
            }
            AutoCloseable tls = f.attachment();
            if (tls != null) {
                return readTls((TlsConnection) tls, f, m, dst, len, timeoutMs);
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
    boolean isDataAvailable(SocketFd f, long timeoutMs) throws SocketException {
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
            AutoCloseable tls = f.attachment();
            if (tls != null) {
                return tlsDataAvailable((TlsConnection) tls, f, timeoutMs);
            }
            int ev = f.poll(f.read, Net.POLLIN, timeout);
            return ev > 0 && !f.isClosed();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Over TLS a readable socket may carry no application data (a session ticket, half a record), so the records
     * are unwrapped here: true only once plaintext (or the end of the stream) is there.
     */
    private boolean tlsDataAvailable(TlsConnection t, SocketFd f, long timeoutMs) throws SocketException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        for (;;) {
            if (t.fillNow(f, "Socket::isDataAvailable", buf, closeIfCurrent) != 0) {
                return true;
            }
            int wait = timeoutMs < 0 ? -1 : (int) Math.max(0,
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            int ev = f.poll(f.read, Net.POLLIN, wait);
            if (ev <= 0 || f.isClosed()) {
                return false;
            }
        }
    }
}
