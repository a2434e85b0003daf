package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.MsgIo;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;

import java.lang.foreign.MemorySegment;

/**
 * Qore's {@code Socket} opened with {@code SOCK_DGRAM} (through the {@code socktype} argument of
 * {@code connectINET}, {@code bindINET}, {@code bindUNIX} and {@code connectUNIX}): what recv and send mean when
 * each send is one datagram.
 * <ul>
 *   <li>{@code send*}: each call sends one datagram, never in part; "datagram too large" and "connection refused"
 *       (ICMP port unreachable on a connected socket) are reported and the socket stays open.</li>
 *   <li>{@code recv(0)}: the next datagram, whole (possibly empty).</li>
 *   <li>{@code recv(n > 0)} and the integer readers: n bytes out of whole datagrams, as Qore reads a stream; bytes of
 *       a datagram beyond n stay for the next read. Nothing is ever cut or dropped.</li>
 *   <li>{@code recv(-1)}: refused; a datagram socket has no end of stream.</li>
 * </ul>
 */
final class DatagramStream {
    private DatagramStream() {}

    /** The largest datagram a Socket receives: its read buffer's chunk (any UDP datagram fits). */
    static final int MAX = ReadBuffer.CHUNK;

    /** Receive per the rules above; caller holds the read lock and an acquire, and {@code buf} is bound to f. */
    static byte[] recv(ReadBuffer buf, SocketFd f, String m, int size, long timeoutMs) throws SocketException {
        if (size < 0) {
            throw new SocketException(SocketError.RECV_ERROR, m, "size " + size + " reads until the peer closes, "
                    + "and a datagram socket has no end of stream: use 0 for the next datagram, in " + m + "()",
                    Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        if (size == 0) {
            if (buf.available() == 0) {
                receiveOne(buf, f, m, timeoutMs);
            }
            return buf.takeAll();
        }
        while (buf.available() < size) {
            receiveOne(buf, f, m, timeoutMs);
        }
        return buf.take(size);
    }

    /** Appends the next whole datagram to {@code buf}, waiting up to {@code timeoutMs}. */
    private static void receiveOne(ReadBuffer buf, SocketFd f, String m, long timeoutMs) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            // the real length first (MSG_PEEK | MSG_TRUNC), so that the room is large enough for all of it
            long len = MsgIo.recvFrom(f, MemorySegment.NULL, 0, Net.MSG_PEEK | Net.MSG_TRUNC | Net.MSG_DONTWAIT);
            if (len >= 0) {
                MemorySegment room = buf.room(Math.max(len, 1));
                long n = f.recv(room, room.byteSize(), Net.MSG_TRUNC);
                if (n > room.byteSize()) {
                    throw DatagramSocket.truncated(m, n, room.byteSize(), room);
                }
                if (n >= 0) {
                    buf.filled(n);
                    return;
                }
                len = n;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (len != -Errno.EAGAIN) {
                throw DatagramSocket.recvFailure(f, m, (int) -len);
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
    }

    /**
     * The hot path's read on a datagram socket: buffered bytes first, else one datagram straight into {@code dst}.
     * Returns its length (0 for an empty datagram; there is no end of stream), or throws if it did not fit.
     */
    static long read(ReadBuffer buf, SocketFd f, String m, MemorySegment dst, long timeoutMs) throws SocketException {
        long len = dst.byteSize();
        if (buf.available() > 0) {
            return buf.copyTo(dst, 0, len);
        }
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long n = f.recv(dst, len, Net.MSG_TRUNC);
            if (n > len) {
                throw DatagramSocket.truncated(m, n, len, dst);
            }
            if (n >= 0) {
                return n;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (n != -Errno.EAGAIN) {
                throw DatagramSocket.recvFailure(f, m, (int) -n);
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
    }

    /** Sends {@code len} bytes of {@code data} as one datagram; caller holds the write lock and an acquire. */
    static int send(SocketFd f, String m, MemorySegment data, long len, long timeoutMs) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long n = f.send(data, len, 0);
            if (n >= 0) {
                return 0;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (n != -Errno.EAGAIN && n != -Errno.ENOBUFS) {
                throw DatagramSocket.sendFailure(f, m, (int) -n, len, null);
            }
            int ev = f.poll(f.write, Net.POLLOUT, timeout);
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (ev == 0) {
                throw Errors.timeout(m, timeoutMs, null);
            }
            if (ev < 0) {
                throw Errors.sendError(m, -ev);
            }
        }
    }
}
