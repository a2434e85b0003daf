package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.ffsock.internal.sys.Downcalls.CAPTURE_ERRNO;
import static io.ffsock.internal.sys.Downcalls.CRITICAL;
import static io.ffsock.internal.sys.Downcalls.fail;
import static io.ffsock.internal.sys.Downcalls.handle;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the event loop calls beyond the socket API of {@link LibC}: {@code epoll(7)}, {@code eventfd(2)} to wake a
 * loop from another thread, and {@code getrlimit/setrlimit(2)} for the descriptor limit that thousands of
 * connections need. Written like {@link LibC} (raw results, errno captured into a segment the caller owns, the C
 * prototype in each Javadoc) and kept apart from it so that the socket bindings and the loop's can change
 * independently. The constants are checked against the C headers by the struct-layout test like those of
 * {@link Net}.
 */
public final class Epoll {
    private Epoll() {}

    // epoll_ctl(2) operations
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    // epoll event bits (uint32_t in C; EPOLLET is bit 31, a negative Java int)
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;

    // epoll_create1(2) and eventfd(2) flags
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    // getrlimit(2) resources
    public static final int RLIMIT_NOFILE = 7;



    // ---------------------------------------------------------------------------------------------------------------
    private static final MethodHandle epoll_create1$mh = handle("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int epoll_create1(int flags);} — epoll_create(2) */
    public static int epoll_create1(MemorySegment errno, int flags) {
        try {
            return (int) epoll_create1$mh.invokeExact(errno, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle epoll_ctl$mh = handle("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO, CRITICAL);

    /**
     * {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);} — epoll_ctl(2). Critical: it
     * never blocks.
     */
    public static int epoll_ctl(MemorySegment errno, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) epoll_ctl$mh.invokeExact(errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle epoll_wait$mh = handle("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /**
     * {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);} — epoll_wait(2).
     * Blocks up to {@code timeout} ms (-1 forever): never critical.
     */
    public static int epoll_wait(MemorySegment errno, int epfd, MemorySegment events, int maxevents, int timeoutMs) {
        try {
            return (int) epoll_wait$mh.invokeExact(errno, epfd, events, maxevents, timeoutMs);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle eventfd$mh = handle("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int eventfd(unsigned int initval, int flags);} — eventfd(2) */
    public static int eventfd(MemorySegment errno, int initval, int flags) {
        try {
            return (int) eventfd$mh.invokeExact(errno, initval, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle eventfd_read$mh = handle("eventfd_read",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO, CRITICAL);

    /**
     * {@code int eventfd_read(int fd, eventfd_t *value);} — eventfd(3). Critical: ffsock's eventfds are
     * non-blocking (an empty counter gives EAGAIN).
     */
    public static int eventfd_read(MemorySegment errno, int fd, MemorySegment value) {
        try {
            return (int) eventfd_read$mh.invokeExact(errno, fd, value);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle eventfd_write$mh = handle("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CRITICAL);

    /**
     * {@code int eventfd_write(int fd, eventfd_t value);} — eventfd(3). Called from any thread, so no errno is
     * captured: on a non-blocking eventfd the only failure is a counter about to overflow 2^64 - 1, which
     * leaves the eventfd readable, and that is all a wake-up needs.
     */
    public static int eventfd_write(int fd, long value) {
        try {
            return (int) eventfd_write$mh.invokeExact(fd, value);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getrlimit$mh = handle("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);

    /** {@code int getrlimit(int resource, struct rlimit *rlim);} — getrlimit(2) */
    public static int getrlimit(MemorySegment errno, int resource, MemorySegment rlim) {
        try {
            return (int) getrlimit$mh.invokeExact(errno, resource, rlim);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle setrlimit$mh = handle("setrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);

    /** {@code int setrlimit(int resource, const struct rlimit *rlim);} — getrlimit(2) */
    public static int setrlimit(MemorySegment errno, int resource, MemorySegment rlim) {
        try {
            return (int) setrlimit$mh.invokeExact(errno, resource, rlim);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    // --- cold helpers ------------------------------------------------------------------------------------------

    /**
     * The soft and hard limits on open descriptors: {@code {soft, hard}} ({@code -1} for unlimited), or
     * {@code {-errno}} when getrlimit failed.
     */
    public static long[] fdLimit() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment r = a.allocate(Rlimit.LAYOUT);
            if (getrlimit(err, RLIMIT_NOFILE, r) != 0) {
                return new long[] {-LibC.errno(err)};
            }
            return new long[] {r.get(JAVA_LONG, Rlimit.OFFSET_CUR), r.get(JAVA_LONG, Rlimit.OFFSET_MAX)};
        }
    }

    /**
     * Raises the soft limit on open descriptors to {@code wanted}, or to the hard limit when that is lower (an
     * unprivileged process cannot go above it). Never lowers it. Returns the soft limit in force afterwards, or
     * {@code -errno}.
     */
    public static long raiseFdLimit(long wanted) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment r = a.allocate(Rlimit.LAYOUT);
            if (getrlimit(err, RLIMIT_NOFILE, r) != 0) {
                return -LibC.errno(err);
            }
            long cur = r.get(JAVA_LONG, Rlimit.OFFSET_CUR);
            long max = r.get(JAVA_LONG, Rlimit.OFFSET_MAX);
            long target = max == -1 ? wanted : Math.min(wanted, max);
            if (cur == -1 || cur >= target) {
                return cur;
            }
            r.set(JAVA_LONG, Rlimit.OFFSET_CUR, target);
            if (setrlimit(err, RLIMIT_NOFILE, r) != 0) {
                return -LibC.errno(err);
            }
            return target;
        }
    }
}
