package io.ffsock;

import io.ffsock.internal.sys.Cmsghdr;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Iovec;
import io.ffsock.internal.sys.Msghdr;
import io.ffsock.internal.sys.MsgIo;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.SockaddrStorage;
import io.ffsock.internal.sys.SocketFd;
import io.ffsock.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Passing descriptors over UNIX sockets with SCM_RIGHTS, for {@link Socket} (stream) and {@link DatagramSocket}.
 * <p>
 * Memory: each call builds its msghdr, iovec and control buffer in a confined arena of its own that ends with the
 * call. Bounds: at most {@link #MAX_FDS} descriptors per message (the kernel's SCM_MAX_FD); the control buffer
 * the kernel fills is walked only within the length it reported, each item checked before it is read.
 */
final class FdPassing {
    private FdPassing() {}

    /** SCM_MAX_FD: the most descriptors one message carries (include/net/scm.h). */
    static final int MAX_FDS = 253;
    /** The most bytes one receive with descriptors asks for. */
    static final int MAX_BYTES = 1 << 24;

    static void checkFds(String m, int[] fds, SocketError error) throws SocketException {
        if (fds == null || fds.length == 0 || fds.length > MAX_FDS) {
            throw new SocketException(error, m, "pass 1 to " + MAX_FDS + " descriptors per message, not "
                    + (fds == null ? "none" : fds.length) + ", in " + m + "()", Errno.EINVAL,
                    Errno.strerror(Errno.EINVAL), null);
        }
        for (int fd : fds) {
            if (fd < 0) {
                throw new SocketException(error, m, "descriptor " + fd + " is not a descriptor, in " + m + "()",
                        Errno.EBADF, Errno.strerror(Errno.EBADF), null);
            }
        }
    }

    /**
     * One sendmsg(2) of {@code data} with {@code fds} attached, to {@code to} (or the connected peer), waiting for
     * room up to {@code timeoutMs}. Returns the bytes that call sent (a stream socket may take fewer than all; the
     * descriptors travel with the first byte). Caller holds the write lock and an acquire.
     */
    static long send(SocketFd f, String m, byte[] data, int[] fds, SockAddr to, long timeoutMs)
            throws SocketException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(data.length, 1));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(Iovec.LAYOUT);
            Iovec.set(iov, 0, buf, data.length);
            long space = Cmsghdr.space(4L * fds.length);
            MemorySegment ctl = a.allocate(space, 8);
            Cmsghdr.write(ctl, 0, Net.SOL_SOCKET, Net.SCM_RIGHTS, 4L * fds.length);
            for (int i = 0; i < fds.length; i++) {
                ctl.set(ValueLayout.JAVA_INT, Cmsghdr.SIZE + 4L * i, fds[i]);
            }
            MemorySegment name = to == null ? MemorySegment.NULL : to.toSegment(a);
            MemorySegment msg = a.allocate(Msghdr.LAYOUT);
            Msghdr.set(msg, 0, name, to == null ? 0 : (int) name.byteSize(), iov, 1, ctl, space);
            int timeout = Socket.timeoutInt(timeoutMs);
            for (;;) {
                long n = MsgIo.sendmsg(f, msg, 0);
                if (n >= 0) {
                    return n;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n != -Errno.EAGAIN) {
                    String what = n == -Errno.EBADF ? "one of the descriptors to pass is not open"
                            : "error in sendmsg() passing " + Errors.plural(fds.length, "descriptor");
                    throw Errors.withErrno(SocketError.SEND_ERROR, m, what, (int) -n, null);
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

    /**
     * One recvmsg(2) of up to {@code maxBytes} with up to {@code maxFds} descriptors, waiting up to
     * {@code timeoutMs} for something to arrive. Caller holds the read lock and an acquire.
     *
     * @param datagram a datagram socket: a datagram larger than {@code maxBytes} fails (MSG_TRUNC), its
     *                 descriptors closed, instead of arriving cut
     */
    static ReceivedFds receive(SocketFd f, String m, int maxBytes, int maxFds, long timeoutMs, boolean datagram)
            throws SocketException {
        if (maxBytes < 1 || maxBytes > MAX_BYTES) {
            throw new SocketException(SocketError.RECV_ERROR, m, "size " + maxBytes + " is out of range: 1 to "
                    + MAX_BYTES + " bytes, in " + m + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        if (maxFds < 1 || maxFds > MAX_FDS) {
            throw new SocketException(SocketError.RECV_ERROR, m, "maxFds " + maxFds + " is out of range: 1 to "
                    + MAX_FDS + ", in " + m + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(maxBytes);
            MemorySegment iov = a.allocate(Iovec.LAYOUT);
            long space = Cmsghdr.space(4L * maxFds);
            MemorySegment ctl = a.allocate(space, 8);
            MemorySegment name = a.allocate(SockaddrStorage.LAYOUT);
            MemorySegment msg = a.allocate(Msghdr.LAYOUT);
            int timeout = Socket.timeoutInt(timeoutMs);
            for (;;) {
                Iovec.set(iov, 0, buf, maxBytes);
                // CMSG_LEN, not CMSG_SPACE: the kernel installs as many descriptors as the length holds, and the
                // padding of CMSG_SPACE has room for one more than asked for when maxFds is odd
                Msghdr.set(msg, 0, name, SockaddrStorage.SIZE, iov, 1, ctl, Cmsghdr.len(4L * maxFds));
                long n = MsgIo.recvmsg(f, msg, Net.MSG_CMSG_CLOEXEC | (datagram ? Net.MSG_TRUNC : 0));
                if (n >= 0) {
                    return received(m, n, buf, maxBytes, maxFds, msg, ctl, name, datagram);
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n != -Errno.EAGAIN) {
                    throw Errors.recvError(m, (int) -n, null);
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

    private static ReceivedFds received(String m, long n, MemorySegment buf, int maxBytes, int maxFds,
                                        MemorySegment msg, MemorySegment ctl, MemorySegment name, boolean datagram)
            throws SocketException {
        int[] fds = descriptors(ctl, Math.min(Math.max(Msghdr.controlLen(msg, 0), 0), ctl.byteSize()));
        int flags = Msghdr.flags(msg, 0);
        if (fds.length > maxFds) {
            // never hand out more than asked for: close the rest, as the kernel does with those that did not fit
            for (int i = maxFds; i < fds.length; i++) {
                Sys.closeQuietly(fds[i]);
            }
            fds = java.util.Arrays.copyOf(fds, maxFds);
            flags |= Net.MSG_CTRUNC;
        }
        try {
            boolean cut = (flags & Net.MSG_TRUNC) != 0 || n > maxBytes;
            byte[] data = buf.asSlice(0, Math.min(n, maxBytes)).toArray(ValueLayout.JAVA_BYTE);
            if (cut) {
                throw new SocketException(SocketError.RECV_ERROR, m, "datagram truncated: " + n + " bytes arrived and "
                        + "the receive asked for at most " + maxBytes + "; the first " + data.length + " are in "
                        + "partialData(), and the " + Errors.plural(fds.length, "descriptor") + " that came with it "
                        + (fds.length == 1 ? "was" : "were") + " closed, in " + m + "()", Errno.EMSGSIZE,
                        Errno.strerror(Errno.EMSGSIZE), data);
            }
            SocketInfo from = null;
            if (datagram) {
                int len = Math.min(Math.max(Msghdr.nameLen(msg, 0), 0), SockaddrStorage.SIZE);
                from = Addresses.info(len < 2 ? SockAddr.unix("") : SockAddr.decode(name, len));
            }
            ReceivedFds r = new ReceivedFds(data, fds, (flags & Net.MSG_CTRUNC) != 0, from);
            fds = null; // r owns them now
            return r;
        } finally {
            if (fds != null) {
                for (int fd : fds) {
                    Sys.closeQuietly(fd);
                }
            }
        }
    }

    /** The descriptors of every SCM_RIGHTS item in the first {@code used} bytes of {@code ctl}. */
    static int[] descriptors(MemorySegment ctl, long used) {
        int count = 0;
        for (long at = 0; at >= 0; at = Cmsghdr.next(ctl, at, used)) {
            long dl = Cmsghdr.dataLen(ctl, at, used);
            if (dl < 0) {
                break;
            }
            if (Cmsghdr.level(ctl, at) == Net.SOL_SOCKET && Cmsghdr.type(ctl, at) == Net.SCM_RIGHTS) {
                count += (int) (dl / 4);
            }
        }
        int[] fds = new int[count];
        int k = 0;
        for (long at = 0; at >= 0 && k < count; at = Cmsghdr.next(ctl, at, used)) {
            long dl = Cmsghdr.dataLen(ctl, at, used);
            if (dl < 0) {
                break;
            }
            if (Cmsghdr.level(ctl, at) == Net.SOL_SOCKET && Cmsghdr.type(ctl, at) == Net.SCM_RIGHTS) {
                for (long j = 0; j < dl / 4 && k < count; j++) {
                    fds[k++] = ctl.get(ValueLayout.JAVA_INT, at + Cmsghdr.SIZE + 4 * j);
                }
            }
        }
        return fds;
    }
}
