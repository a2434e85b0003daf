package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Iovec;
import io.ffsock.internal.sys.MsgIo;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Gather writes and scatter reads (writev(2) / readv(2)) over arrays of segments, for {@link Socket}.
 * <p>
 * The kernel follows the pointers of an iovec, so each entry must be native memory: native segments are passed as
 * they are, heap segments (arrays, heap buffers) go through a native copy. The iovec array and the copies live in a
 * confined arena that ends with the call. At most {@link #IOV_MAX} entries go into one system call; longer arrays
 * take several.
 */
final class Vectored {
    private Vectored() {}

    /** IOV_MAX on Linux: the most entries one writev/readv takes. */
    static final int IOV_MAX = 1024;

    /** readv(2) would cut a datagram without saying so, and writev(2) would glue segments into one datagram. */
    private static void notDatagram(SocketFd f, String m) throws SocketException {
        if (f.type() == Net.SOCK_DGRAM) {
            throw new SocketException(SocketError.ERROR, m, m + "() works on stream sockets; this one is a datagram "
                    + "socket: use send() and recv()", Errno.EOPNOTSUPP, Errno.strerror(Errno.EOPNOTSUPP), null);
        }
    }

    /**
     * Writes every byte of {@code srcs} in order; a short write continues in the entry where it stopped. Caller holds
     * the write lock and an acquire.
     */
    static long write(SocketFd f, String m, MemorySegment[] srcs, long timeoutMs, Consumer<SocketFd> closeIfCurrent)
            throws SocketException {
        notDatagram(f, m);
        long total = 0;
        for (MemorySegment s : srcs) {
            total = Math.addExact(total, s.byteSize());
        }
        if (total == 0) {
            return 0;
        }
        int timeout = Socket.timeoutInt(timeoutMs);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment[] nat = new MemorySegment[srcs.length];
            for (int i = 0; i < srcs.length; i++) {
                MemorySegment s = srcs[i];
                if (s.isNative() || s.byteSize() == 0) {
                    nat[i] = s;
                } else {
                    nat[i] = a.allocate(s.byteSize());
                    MemorySegment.copy(s, 0, nat[i], 0, s.byteSize());
                }
            }
            MemorySegment iov = a.allocate(Iovec.LAYOUT, Math.min(srcs.length, IOV_MAX));
            int idx = 0;
            long off = 0;
            long done = 0;
            while (done < total) {
                while (nat[idx].byteSize() == off) {
                    idx++;
                    off = 0;
                }
                int cnt = 0;
                for (int i = idx; i < nat.length && cnt < IOV_MAX; i++) {
                    long start = i == idx ? off : 0;
                    Iovec.set(iov, cnt++, nat[i].asSlice(start), nat[i].byteSize() - start);
                }
                long n = MsgIo.writev(f, iov, cnt);
                if (n > 0) {
                    done += n;
                    // advance (idx, off) past the n bytes written
                    long left = n;
                    while (left > 0) {
                        long room = nat[idx].byteSize() - off;
                        if (left < room) {
                            off += left;
                            left = 0;
                        } else {
                            left -= room;
                            idx++;
                            off = 0;
                        }
                    }
                    continue;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n != -Errno.EAGAIN) {
                    closeIfCurrent.accept(f);
                    throw Errors.sendError(m, (int) -n);
                }
                int ev = f.poll(f.write, Net.POLLOUT, timeout);
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (ev == 0) {
                    throw Errors.timeout(m, timeoutMs, " (" + done + " of " + total + " bytes sent)");
                }
                if (ev < 0) {
                    throw Errors.sendError(m, -ev);
                }
            }
            return total;
        }
    }

    /**
     * Reads at least one byte into {@code dsts} in order: first what the socket had buffered, else one readv(2)
     * after waiting for data. Returns the count, or -1 at end of stream. Caller holds the read lock and an acquire.
     */
    static long read(SocketFd f, String m, MemorySegment[] dsts, long timeoutMs, Receiver receiver,
                     Consumer<SocketFd> closeIfCurrent) throws SocketException {
        notDatagram(f, m);
        long room = 0;
        for (MemorySegment d : dsts) {
            if (d.isReadOnly()) {
                throw new IllegalArgumentException("a read-only segment cannot be read into");
            }
            room = Math.addExact(room, d.byteSize());
        }
        if (room == 0) {
            return 0;
        }
        if (receiver.buffered(f) > 0) {
            long got = 0;
            for (MemorySegment d : dsts) {
                long k = receiver.copyBuffered(f, d);
                got += k;
                if (k < d.byteSize()) {
                    break;
                }
            }
            return got;
        }
        int timeout = Socket.timeoutInt(timeoutMs);
        try (Arena a = Arena.ofConfined()) {
            int cnt = Math.min(dsts.length, IOV_MAX);
            MemorySegment[] nat = new MemorySegment[cnt];
            MemorySegment iov = a.allocate(Iovec.LAYOUT, cnt);
            for (int i = 0; i < cnt; i++) {
                MemorySegment d = dsts[i];
                nat[i] = d.isNative() || d.byteSize() == 0 ? d : a.allocate(d.byteSize());
                Iovec.set(iov, i, nat[i], d.byteSize());
            }
            for (;;) {
                long n = MsgIo.readv(f, iov, cnt);
                if (n > 0) {
                    long left = n;
                    for (int i = 0; i < cnt && left > 0; i++) {
                        long k = Math.min(left, dsts[i].byteSize());
                        if (nat[i] != dsts[i]) {
                            MemorySegment.copy(nat[i], 0, dsts[i], 0, k);
                        }
                        left -= k;
                    }
                    return n;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n == 0) {
                    return -1;
                }
                if (n != -Errno.EAGAIN) {
                    closeIfCurrent.accept(f);
                    throw n == -Errno.ECONNRESET ? Errors.peerClosed(m, Errno.ECONNRESET, null)
                            : Errors.recvError(m, (int) -n, null);
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
    }
}
