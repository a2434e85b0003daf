package io.ffsock.loop;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.EpollEvent;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.LibC;
import io.ffsock.internal.sys.Linger;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.SockaddrStorage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The system calls of one loop thread, over scratch memory that thread owns: one errno capture segment, one
 * {@code sockaddr_storage}, one I/O buffer that every read and write of the loop passes through, the epoll event
 * array. Nothing here allocates after construction, and nothing may be called from another thread.
 * <p>
 * Every method returns the raw result: a count or descriptor &gt;= 0, or {@code -errno}. EINTR is retried where a
 * retry is correct and never escapes.
 */
final class LoopIo {
    /** Size of the loop's I/O buffer: the most one recv or send moves. */
    static final int IO_BUFFER = 64 * 1024;
    /** The most events one epoll_wait returns. */
    static final int MAX_EVENTS = 512;

    private final Arena arena;
    final MemorySegment errno;
    final MemorySegment addr;
    final MemorySegment addrLen;
    final MemorySegment intVal;
    final MemorySegment linger;
    final MemorySegment counter;
    final MemorySegment event;
    final MemorySegment events;
    /** The I/O buffer; its address is stable for the life of the loop. */
    final MemorySegment buf;

    LoopIo(Arena arena) {
        this.arena = arena;
        errno = LibC.newErrnoSegment(arena);
        addr = arena.allocate(SockaddrStorage.LAYOUT);
        addrLen = arena.allocate(ValueLayout.JAVA_INT);
        intVal = arena.allocate(ValueLayout.JAVA_INT);
        linger = arena.allocate(Linger.LAYOUT);
        counter = arena.allocate(ValueLayout.JAVA_LONG);
        event = arena.allocate(EpollEvent.LAYOUT);
        events = arena.allocate(EpollEvent.LAYOUT.byteSize() * MAX_EVENTS, 8);
        buf = arena.allocate(IO_BUFFER, 64);
    }

    Arena arena() {
        return arena;
    }

    private int err() {
        return -LibC.errno(errno);
    }

    // --- epoll ---------------------------------------------------------------------------------------------------

    int epollCreate() {
        int fd = Epoll.epoll_create1(errno, Epoll.EPOLL_CLOEXEC);
        return fd >= 0 ? fd : err();
    }

    int eventfd() {
        int fd = Epoll.eventfd(errno, 0, Epoll.EFD_NONBLOCK | Epoll.EFD_CLOEXEC);
        return fd >= 0 ? fd : err();
    }

    /** Resets a wake-up eventfd's counter; 0 or -errno (-EAGAIN when nobody wrote). */
    int drainEventfd(int fd) {
        return Epoll.eventfd_read(errno, fd, counter) == 0 ? 0 : err();
    }

    int ctl(int epfd, int op, int fd, int interest, long data) {
        EpollEvent.set(event, 0, interest, data);
        return Epoll.epoll_ctl(errno, epfd, op, fd, event) == 0 ? 0 : err();
    }

    /** epoll_wait into {@link #events}: the number of events, or -errno (never -EINTR: that is 0 events). */
    int waitEvents(int epfd, int timeoutMs) {
        int n = Epoll.epoll_wait(errno, epfd, events, MAX_EVENTS, timeoutMs);
        if (n >= 0) {
            return n;
        }
        int e = LibC.errno(errno);
        return e == Errno.EINTR ? 0 : -e;
    }

    // --- sockets -------------------------------------------------------------------------------------------------

    /** A non-blocking, close-on-exec socket: the fd or -errno. */
    int socket(int family, int type) {
        int fd = LibC.socket(errno, family, type | Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, 0);
        return fd >= 0 ? fd : err();
    }

    void close(int fd) {
        // close(2) releases the descriptor even when it reports EINTR: never retried
        LibC.close(errno, fd);
    }

    /** connect(2): 0, -EINPROGRESS for a connect under way, or -errno. */
    int connect(int fd, SockAddr to) {
        int len = to.encode(addr);
        if (LibC.connect(errno, fd, addr, len) == 0) {
            return 0;
        }
        int e = LibC.errno(errno);
        return e == Errno.EINTR ? -Errno.EINPROGRESS : -e;
    }

    int bind(int fd, SockAddr at) {
        int len = at.encode(addr);
        return LibC.bind(errno, fd, addr, len) == 0 ? 0 : err();
    }

    int listen(int fd, int backlog) {
        return LibC.listen(errno, fd, backlog) == 0 ? 0 : err();
    }

    /** accept4(2) of one pending connection, its peer address left in {@link #addr}: the fd or -errno. */
    int accept(int fd) {
        for (;;) {
            addrLen.set(ValueLayout.JAVA_INT, 0, SockaddrStorage.SIZE);
            int n = LibC.accept4(errno, fd, addr, addrLen, Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** The peer address of the connection {@link #accept} returned last. */
    SockAddr acceptedPeer() {
        int len = Math.min(addrLen.get(ValueLayout.JAVA_INT, 0), SockaddrStorage.SIZE);
        return SockAddr.decode(addr, len);
    }

    /** The pending error of a socket (SO_ERROR), which a finished non-blocking connect leaves: 0 or -errno. */
    int pendingError(int fd) {
        addrLen.set(ValueLayout.JAVA_INT, 0, 4);
        if (LibC.getsockopt(errno, fd, Net.SOL_SOCKET, Net.SO_ERROR, intVal, addrLen) != 0) {
            return err();
        }
        return -intVal.get(ValueLayout.JAVA_INT, 0);
    }

    int setInt(int fd, int level, int name, int value) {
        intVal.set(ValueLayout.JAVA_INT, 0, value);
        return LibC.setsockopt(errno, fd, level, name, intVal, 4) == 0 ? 0 : err();
    }

    /** SO_LINGER {1, 0}: the next close(2) discards unsent data and resets the connection. */
    int lingerZero(int fd) {
        Linger.write(linger, true, 0);
        return LibC.setsockopt(errno, fd, Net.SOL_SOCKET, Net.SO_LINGER, linger, Linger.SIZE) == 0 ? 0 : err();
    }

    int shutdown(int fd, int how) {
        return LibC.shutdown(errno, fd, how) == 0 ? 0 : err();
    }

    /** getsockname(2) or getpeername(2), or {@code null} when the call failed. */
    SockAddr name(int fd, boolean peer) {
        addrLen.set(ValueLayout.JAVA_INT, 0, SockaddrStorage.SIZE);
        int r = peer ? LibC.getpeername(errno, fd, addr, addrLen) : LibC.getsockname(errno, fd, addr, addrLen);
        if (r != 0) {
            return null;
        }
        return SockAddr.decode(addr, Math.min(addrLen.get(ValueLayout.JAVA_INT, 0), SockaddrStorage.SIZE));
    }

    /** recv(2) of up to {@code len} bytes into {@link #buf}: the count (0 at end of stream) or -errno. */
    long recv(int fd, long len) {
        for (;;) {
            long n = LibC.recv(errno, fd, buf, len, 0);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * recvfrom(2) of one datagram of up to {@code len} bytes into {@link #buf}, its sender left in {@link #addr}:
     * the count or -errno.
     */
    long recvFrom(int fd, long len) {
        for (;;) {
            addrLen.set(ValueLayout.JAVA_INT, 0, SockaddrStorage.SIZE);
            long n = LibC.recvfrom(errno, fd, buf, len, 0, addr, addrLen);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** sendto(2) of the first {@code len} bytes of {@link #buf} to {@code to}: the count or -errno. */
    long sendTo(int fd, long len, SockAddr to) {
        int alen = to.encode(addr);
        for (;;) {
            long n = LibC.sendto(errno, fd, buf, len, Net.MSG_NOSIGNAL, addr, alen);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** send(2) of the first {@code len} bytes of {@link #buf}, without SIGPIPE: the count or -errno. */
    long send(int fd, long len) {
        for (;;) {
            long n = LibC.send(errno, fd, buf, len, Net.MSG_NOSIGNAL);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }
}
