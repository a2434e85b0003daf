package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Message-oriented I/O on a {@link SocketFd}: sendto/recvfrom, sendmsg/recvmsg and the batch calls
 * sendmmsg/recvmmsg, plus socket options whose values are not a plain int.
 * <p>
 * Like {@link SocketFd}'s own I/O, each call uses the scratch memory of one side — the write side for sends, the
 * read side for receives — so the caller holds that side's lock and an {@link SocketFd#acquire()}. Results are
 * raw: a count &gt;= 0 or {@code -errno}; EINTR is retried here and never escapes.
 */
public final class MsgIo {
    private MsgIo() {}

    // --- write side -----------------------------------------------------------------------------------------------

    /**
     * sendto(2) of {@code len} bytes of {@code buf} (heap or native) to {@code to}, encoded into the write side's
     * sockaddr scratch; {@code to == null} sends on a connected socket. MSG_NOSIGNAL is added.
     */
    public static long sendTo(SocketFd f, MemorySegment buf, long len, SockAddr to, int flags) {
        SocketFd.Side w = f.write;
        MemorySegment sa = MemorySegment.NULL;
        int salen = 0;
        if (to != null) {
            salen = to.encode(w.addr);
            sa = w.addr;
        }
        for (;;) {
            long n = LibC.sendto(w.errno, f.fd(), buf, len, flags | Net.MSG_NOSIGNAL, sa, salen);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(w.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** sendmsg(2) of a prepared msghdr (native), with MSG_NOSIGNAL. */
    public static long sendmsg(SocketFd f, MemorySegment msg, int flags) {
        SocketFd.Side w = f.write;
        for (;;) {
            long n = LibC.sendmsg(w.errno, f.fd(), msg, flags | Net.MSG_NOSIGNAL);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(w.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** sendmmsg(2) of elements {@code [0, n)} of {@code vec}: the number sent, or -errno when the first failed. */
    public static int sendmmsg(SocketFd f, MemorySegment vec, int n, int flags) {
        SocketFd.Side w = f.write;
        for (;;) {
            int r = LibC.sendmmsg(w.errno, f.fd(), vec, n, flags | Net.MSG_NOSIGNAL);
            if (r >= 0) {
                return r;
            }
            int e = LibC.errno(w.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** writev(2) of {@code cnt} native iovecs: the bytes written, or -errno. */
    public static long writev(SocketFd f, MemorySegment iov, int cnt) {
        SocketFd.Side w = f.write;
        for (;;) {
            long n = LibC.writev(w.errno, f.fd(), iov, cnt);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(w.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    // --- read side ------------------------------------------------------------------------------------------------

    /** readv(2) into {@code cnt} native iovecs: the bytes read (0 at end of stream), or -errno. */
    public static long readv(SocketFd f, MemorySegment iov, int cnt) {
        SocketFd.Side r = f.read;
        for (;;) {
            long n = LibC.readv(r.errno, f.fd(), iov, cnt);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(r.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * recvfrom(2) into {@code buf} (heap or native, {@code len} bytes), the sender's address into the read side's
     * scratch (see {@link #lastSender}). With MSG_TRUNC in {@code flags} the result is the datagram's real length,
     * which exceeds {@code len} when it was cut.
     */
    public static long recvFrom(SocketFd f, MemorySegment buf, long len, int flags) {
        SocketFd.Side r = f.read;
        for (;;) {
            r.addrLen.set(ValueLayout.JAVA_INT, 0, SockaddrStorage.SIZE);
            long n = LibC.recvfrom(r.errno, f.fd(), buf, len, flags, r.addr, r.addrLen);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(r.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * The sender of the datagram {@link #recvFrom} returned last: an unnamed UNIX socket (no address) reads as the
     * UNIX path {@code ""}.
     */
    public static SockAddr lastSender(SocketFd f) {
        int len = Math.min(f.read.addrLen.get(ValueLayout.JAVA_INT, 0), SockaddrStorage.SIZE);
        if (len < 2) {
            return SockAddr.unix("");
        }
        return SockAddr.decode(f.read.addr, len);
    }

    /** recvmsg(2) into a prepared msghdr (native). */
    public static long recvmsg(SocketFd f, MemorySegment msg, int flags) {
        SocketFd.Side r = f.read;
        for (;;) {
            long n = LibC.recvmsg(r.errno, f.fd(), msg, flags);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(r.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** recvmmsg(2) into elements {@code [0, n)} of {@code vec}, never waiting in the kernel (MSG_DONTWAIT). */
    public static int recvmmsg(SocketFd f, MemorySegment vec, int n, int flags) {
        SocketFd.Side r = f.read;
        for (;;) {
            int k = LibC.recvmmsg(r.errno, f.fd(), vec, n, flags | Net.MSG_DONTWAIT, MemorySegment.NULL);
            if (k >= 0) {
                return k;
            }
            int e = LibC.errno(r.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    // --- cold calls from any thread (caller holds an acquire) --------------------------------------------------

    /**
     * getsockopt(2) into {@code val}: the length the kernel wrote (&gt;= 0), or -errno. {@code val} is native.
     */
    public static int getOption(SocketFd f, int level, int name, MemorySegment val) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, (int) Math.min(val.byteSize(), Integer.MAX_VALUE));
            if (LibC.getsockopt(err, f.fd(), level, name, val, len) != 0) {
                return -LibC.errno(err);
            }
            return Math.min(len.get(ValueLayout.JAVA_INT, 0), (int) val.byteSize());
        }
    }

    /** setsockopt(2) of the first {@code len} bytes of {@code val}: 0 or -errno. */
    public static int setOption(SocketFd f, int level, int name, MemorySegment val, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            return LibC.setsockopt(err, f.fd(), level, name, val, len) == 0 ? 0 : -LibC.errno(err);
        }
    }

    /** ioctl(2) with an int out-argument on any thread: the value, or {@code -errno - 1L}. */
    public static long ioctlInt(SocketFd f, long request) {
        return f.ioctlInt(request);
    }

    /** connect(2) with AF_UNSPEC: dissolves a datagram socket's association. 0 or -errno. */
    public static int disconnect(SocketFd f) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment sa = a.allocate(SockaddrStorage.LAYOUT);
            sa.set(ValueLayout.JAVA_SHORT, SockaddrStorage.OFFSET_FAMILY, (short) Net.AF_UNSPEC);
            return LibC.connect(err, f.fd(), sa, SockaddrStorage.SIZE) == 0 ? 0 : -LibC.errno(err);
        }
    }
}
