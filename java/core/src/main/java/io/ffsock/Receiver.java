package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
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
    /** The socket's event poster, or {@code null} (no queue set: the read paths then allocate nothing for events). */
    volatile SocketEvents events;

    Receiver(Consumer<SocketFd> closeIfCurrent) {
        this.closeIfCurrent = closeIfCurrent;
    }

    /**
     * Reads per Qore's size rule: {@code size} &gt; 0 exactly that many bytes, 0 what is available (at least one
     * byte), -1 everything until the peer closes. {@code detail} adds "(n bytes requested; k received)" to a
     * timeout's message.
     */
    byte[] recv(SocketFd f, String m, int size, long timeoutMs, boolean detail) throws SocketException {
        SocketEvents ev = events;
        lock.lock();
        try {
            buf.bind(f);
            if (f.type() == Net.SOCK_DGRAM) {
                byte[] b = DatagramStream.recv(buf, f, m, size, timeoutMs);
                if (ev != null && b.length > 0) {
                    ev.read(b.length, b.length, size);
                }
                return b;
            }
            if (size > 0) {
                return readExact(f, m, size, timeoutMs, detail, ev);
            }
            return size == 0 ? readAvailable(f, m, timeoutMs, ev) : readToEnd(f, m, timeoutMs, ev);
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

    private byte[] readExact(SocketFd f, String m, int size, long timeoutMs, boolean detail, SocketEvents ev)
            throws SocketException {
        long reported = 0;
        for (;;) {
            if (ev != null) {
                reported = reportRead(ev, reported, Math.min(buf.available(), size), size);
            }
            if (buf.available() >= size) {
                break;
            }
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

    private byte[] readAvailable(SocketFd f, String m, long timeoutMs, SocketEvents ev) throws SocketException {
        if (buf.available() == 0 && fill(f, m, ReadBuffer.CHUNK, timeoutMs, null) == EOF) {
            closeIfCurrent.accept(f);
            return new byte[0];
        }
        long reported = ev != null ? reportRead(ev, 0, buf.available(), 0) : 0;
        // then whatever else is already there, without waiting
        while (buf.available() < DRAIN_LIMIT) {
            long n = fillNow(f, m);
            if (n > 0) {
                if (ev != null) {
                    reported = reportRead(ev, reported, buf.available(), 0);
                }
            } else {
                if (n == EOF) {
                    byte[] all = buf.takeAll();
                    closeIfCurrent.accept(f);
                    return all;
                }
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
            } catch (SocketException e) {
                // the buffer is at its limit: nothing more can be drained, and closing goes on regardless
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

    private byte[] readToEnd(SocketFd f, String m, long timeoutMs, SocketEvents ev) throws SocketException {
        long reported = ev != null ? reportRead(ev, 0, buf.available(), 0) : 0;
        while (fill(f, m, ReadBuffer.CHUNK, timeoutMs, null) != EOF) {
            // keep reading until the peer closes
            if (ev != null) {
                reported = reportRead(ev, reported, buf.available(), 0);
            }
        }
        byte[] all = buf.takeAll();
        closeIfCurrent.accept(f);
        return all;
    }

    /** Posts PACKET_READ for the bytes the call has gained since {@code reported}; returns the new total. */
    private static long reportRead(SocketEvents ev, long reported, long now, long toRead) {
        if (now > reported) {
            ev.read(now - reported, now, toRead);
        }
        return Math.max(now, reported);
    }

    /** Whether the last {@link #read} waited for data and then left the socket drained; see {@link #read}. */
    private boolean pollFirst;

    /**
     * The hot path: at least one byte into {@code dst[off, off+len)}, from the buffer if it holds any, else straight
     * from the kernel. Returns the count, or -1 at end of stream (the connection stays open: the Java-style read).
     * <p>
     * <b>Poll first or recv first.</b> The descriptor is non-blocking (timeouts are poll(2)-based, and a close from
     * another thread wakes the poll), so a read that finds nothing costs {@code recv} (EAGAIN), {@code poll},
     * {@code recv}: three system calls where a blocking read costs one. When the read is predictably going to wait,
     * this method polls first and receives once: two calls. It predicts a wait when
     * <ul>
     *   <li>the socket has sent something since the last read: the reply of a request/response exchange cannot be
     *       there yet (SocketFd.sentSinceRead); or</li>
     *   <li>the last read waited and returned less than it asked for, so it drained the socket.</li>
     * </ul>
     * Otherwise, as in a stream whose data is already queued, it receives first and polls only on EAGAIN. A wrong
     * guess costs one poll that returns at once, or the EAGAIN recv of before; neither changes what is read. A
     * blocking descriptor would save one more call, but it would break the guarantees of issue 2 (O_NONBLOCK
     * descriptors, poll-based timeouts) and could not be linked critical; a spin of recv calls burns a core the
     * peer may need. Measured in {@code benchmarks/} ({@code ./ffsock bench}, the 64 B round trips).
     */
    long read(SocketFd f, String m, MemorySegment dst, long off, long len, long timeoutMs) throws SocketException {
        SocketEvents sink = events;
        lock.lock();
        try {
            if (len == 0) {
                return 0;
            }
            buf.bind(f);
            if (f.type() == Net.SOCK_DGRAM) {
                return DatagramStream.read(buf, f, m,
                        off == 0 && len == dst.byteSize() ? dst : dst.asSlice(off, len), timeoutMs);
            }
            if (buf.available() > 0) {
                int n = buf.copyTo(dst, off, len);
                if (sink != null) {
                    sink.read(n, n, 0);
                }
                return n;
            }
            AutoCloseable tls = f.attachment();
            if (tls != null) {
                long n = readTls((TlsConnection) tls, f, m, off == 0 && len == dst.byteSize() ? dst
                        : dst.asSlice(off, len), len, timeoutMs);
                if (sink != null && n > 0) {
                    sink.read(n, n, 0);
                }
                return n;
            }
            int timeout = Socket.timeoutInt(timeoutMs);
            boolean waited = pollFirst || f.sentSinceRead;
            f.sentSinceRead = false;
            if (waited) {
                awaitReadable(f, m, timeout, timeoutMs);
            }
            for (;;) {
                long n = f.recv(dst, off, len, 0);
                if (n > 0) {
                    pollFirst = waited && n < len;
                    if (sink != null) {
                        sink.read(n, n, 0);
                    }
                    return n;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n == 0) {
                    pollFirst = false;
                    return -1;
                }
                if (n != -Errno.EAGAIN) {
                    throw fatal(f, m, (int) -n, null);
                }
                waited = true;
                awaitReadable(f, m, timeout, timeoutMs);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #read(SocketFd, String, MemorySegment, long, long, long)} into all of {@code dst}. */
    long read(SocketFd f, String m, MemorySegment dst, long timeoutMs) throws SocketException {
        return read(f, m, dst, 0, dst.byteSize(), timeoutMs);
    }

    /** One poll for POLLIN on the read side; throws what a read that waited must throw. */
    private static void awaitReadable(SocketFd f, String m, int timeout, long timeoutMs) throws SocketException {
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

    /**
     * A parser that takes what it needs off the received bytes (the HTTP header and chunked-body readers). It is
     * offered every unconsumed byte, each time more arrive, and says how many it took from the front.
     */
    interface Scanner {
        /** Offered {@code a[off, off + len)}, the unconsumed bytes; returns how many it takes (0 to len). */
        int scan(byte[] a, int off, int len) throws SocketException;

        /** Whether it has what it wanted (or has failed and says so after the scan). */
        boolean done();

        /** The peer closed before done(): the exception to throw; {@code rest} are the bytes it did not take. */
        SocketException endOfStream(byte[] rest);
    }

    /**
     * Offers the received bytes to {@code s} until it is done, waiting at most {@code timeoutMs} for each arrival
     * and, when {@code deadlineNanos} is not 0, in all until {@link System#nanoTime()} passes it. On a timeout the
     * bytes it has not taken stay buffered for the next read; at end of stream the connection is closed and
     * {@code s} names the exception. Posts no PACKET_READ (Qore's HTTP readers post none).
     */
    void scan(SocketFd f, String m, Scanner s, long timeoutMs, long deadlineNanos, String deadlineText)
            throws SocketException {
        lock.lock();
        try {
            buf.bind(f);
            for (;;) {
                if (buf.available() > 0) {
                    int used = s.scan(buf.array(), buf.start(), buf.available());
                    if (used > 0) {
                        buf.skip(used);
                    }
                    if (s.done()) {
                        return;
                    }
                }
                long wait = timeoutMs;
                boolean byDeadline = false;
                if (deadlineNanos != 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime() + 999_999);
                    if (left <= 0) {
                        throw new SocketException(SocketError.TIMEOUT, m, deadlineText);
                    }
                    if (timeoutMs < 0 || left < timeoutMs) {
                        wait = left;
                        byDeadline = true;
                    }
                }
                long n;
                try {
                    n = fill(f, m, ReadBuffer.CHUNK, wait, null);
                } catch (SocketException e) {
                    if (byDeadline && e.error() == SocketError.TIMEOUT) {
                        throw new SocketException(SocketError.TIMEOUT, m, deadlineText);
                    }
                    throw e;
                }
                if (n == EOF) {
                    byte[] rest = buf.takeAll();
                    closeIfCurrent.accept(f);
                    throw s.endOfStream(rest);
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        for (;;) {
            if (t.fillNow(f, "Socket::isDataAvailable", buf, closeIfCurrent) != 0) {
                return true;
            }
            int wait = timeoutMs < 0 ? -1 : (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            int ev = f.poll(f.read, Net.POLLIN, wait);
            if (ev <= 0 || f.isClosed()) {
                return false;
            }
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
