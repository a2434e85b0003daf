package io.ffsock.internal.sys;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static io.ffsock.internal.sys.Downcalls.CAPTURE_ERRNO;
import static io.ffsock.internal.sys.Downcalls.CRITICAL;
import static io.ffsock.internal.sys.Downcalls.CRITICAL_HEAP;
import static io.ffsock.internal.sys.Downcalls.fail;
import static io.ffsock.internal.sys.Downcalls.handle;
import static io.ffsock.internal.sys.Downcalls.handleOrNull;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for the libc socket API. With {@link Epoll} (the event loop's calls) it is the only place in
 * ffsock that calls a {@link MethodHandle}; both link through {@link Downcalls}.
 * <p>
 * Every function returns the raw C result. Functions that set {@code errno} take, as their first argument, a
 * capture segment made by {@link #newErrnoSegment(Arena)}; after a failing call {@link #errno(MemorySegment)} reads
 * the captured value. A capture segment belongs to one thread at a time (a socket's read side, its write side, or a
 * confined arena for cold calls), never to all threads.
 * <p>
 * Calls that cannot block (a send/recv on a non-blocking fd, getsockopt) are linked {@code critical}: no thread
 * state transition, and heap segments ({@code byte[]}) may be passed without a copy. Calls that can block
 * ({@code poll}, {@code connect} on a blocking fd, {@code getaddrinfo}) are never critical, because a blocked
 * critical call would stall the garbage collector.
 */
public final class LibC {
    private LibC() {}

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** A C string or struct pointer whose target we read with a known bound. */
    private static final AddressLayout C_POINTER = ADDRESS;

    /** Allocates a capture segment for {@code errno}, owned by {@code arena}. */
    public static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno captured by the last call that was given {@code capture}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }


    // ---------------------------------------------------------------------------------------------------------------
    private static final MethodHandle socket$mh = handle("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int socket(int domain, int type, int protocol);} — socket(2) */
    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) socket$mh.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle socketpair$mh = handle("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, C_POINTER), CAPTURE_ERRNO);

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2]);} — socketpair(2) */
    public static int socketpair(MemorySegment errno, int domain, int type, int protocol, MemorySegment sv) {
        try {
            return (int) socketpair$mh.invokeExact(errno, domain, type, protocol, sv);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle close$mh = handle("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int close(int fd);} — close(2) */
    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) close$mh.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle dup2$mh = handle("dup2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int dup2(int oldfd, int newfd);} — dup2(2) */
    public static int dup2(MemorySegment errno, int oldfd, int newfd) {
        try {
            return (int) dup2$mh.invokeExact(errno, oldfd, newfd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle bind$mh = handle("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} — bind(2) */
    public static int bind(MemorySegment errno, int fd, MemorySegment addr, int addrlen) {
        try {
            return (int) bind$mh.invokeExact(errno, fd, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle listen$mh = handle("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int listen(int sockfd, int backlog);} — listen(2) */
    public static int listen(MemorySegment errno, int fd, int backlog) {
        try {
            return (int) listen$mh.invokeExact(errno, fd, backlog);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle accept4$mh = handle("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, C_POINTER, JAVA_INT), CAPTURE_ERRNO);

    /**
     * {@code int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);} — accept(2).
     * Called on non-blocking listeners only, after poll said a connection is waiting.
     */
    public static int accept4(MemorySegment errno, int fd, MemorySegment addr, MemorySegment addrlen, int flags) {
        try {
            return (int) accept4$mh.invokeExact(errno, fd, addr, addrlen, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle connect$mh = handle("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} — connect(2) */
    public static int connect(MemorySegment errno, int fd, MemorySegment addr, int addrlen) {
        try {
            return (int) connect$mh.invokeExact(errno, fd, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getaddrinfo$mh = handle("getaddrinfo",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER), CAPTURE_ERRNO);

    /**
     * {@code int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
     * struct addrinfo **res);} — getaddrinfo(3). Returns 0 or an EAI_* code; errno matters for EAI_SYSTEM.
     */
    public static int getaddrinfo(MemorySegment errno, MemorySegment node, MemorySegment service,
                                  MemorySegment hints, MemorySegment res) {
        try {
            return (int) getaddrinfo$mh.invokeExact(errno, node, service, hints, res);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle freeaddrinfo$mh = handle("freeaddrinfo",
            FunctionDescriptor.ofVoid(C_POINTER));

    /** {@code void freeaddrinfo(struct addrinfo *res);} — getaddrinfo(3) */
    public static void freeaddrinfo(MemorySegment res) {
        try {
            freeaddrinfo$mh.invokeExact(res);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle gai_strerror$mh = handle("gai_strerror",
            FunctionDescriptor.of(C_POINTER, JAVA_INT));

    /** {@code const char *gai_strerror(int errcode);} — getaddrinfo(3); the text is static, read with a bound. */
    public static String gai_strerror(int code) {
        try {
            MemorySegment p = (MemorySegment) gai_strerror$mh.invokeExact(code);
            return CStrings.read(p, 256);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getnameinfo$mh = handle("getnameinfo",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, JAVA_INT, C_POINTER, JAVA_INT, C_POINTER, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO);

    /**
     * {@code int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen,
     * char *serv, socklen_t servlen, int flags);} — getnameinfo(3)
     */
    public static int getnameinfo(MemorySegment errno, MemorySegment addr, int addrlen, MemorySegment host,
                                  int hostlen, MemorySegment serv, int servlen, int flags) {
        try {
            return (int) getnameinfo$mh.invokeExact(errno, addr, addrlen, host, hostlen, serv, servlen, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getsockname$mh = handle("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, C_POINTER), CAPTURE_ERRNO);

    /** {@code int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);} — getsockname(2) */
    public static int getsockname(MemorySegment errno, int fd, MemorySegment addr, MemorySegment addrlen) {
        try {
            return (int) getsockname$mh.invokeExact(errno, fd, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getpeername$mh = handle("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, C_POINTER), CAPTURE_ERRNO);

    /** {@code int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);} — getpeername(2) */
    public static int getpeername(MemorySegment errno, int fd, MemorySegment addr, MemorySegment addrlen) {
        try {
            return (int) getpeername$mh.invokeExact(errno, fd, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle setsockopt$mh = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, C_POINTER, JAVA_INT),
            CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);}
     * — setsockopt(2)
     */
    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment val, int len) {
        try {
            return (int) setsockopt$mh.invokeExact(errno, fd, level, name, val, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle getsockopt$mh = handle("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, C_POINTER, C_POINTER),
            CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);}
     * — getsockopt(2)
     */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment val,
                                 MemorySegment len) {
        try {
            return (int) getsockopt$mh.invokeExact(errno, fd, level, name, val, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle send$mh = handle("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code ssize_t send(int sockfd, const void *buf, size_t len, int flags);} — send(2). Critical: only ever
     * called on a non-blocking fd (or with MSG_DONTWAIT). {@code buf} may be a heap segment.
     */
    public static long send(MemorySegment errno, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) send$mh.invokeExact(errno, fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle recv$mh = handle("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags);} — recv(2). Critical: only ever called
     * on a non-blocking fd (or with MSG_DONTWAIT). {@code buf} may be a heap segment.
     */
    public static long recv(MemorySegment errno, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) recv$mh.invokeExact(errno, fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle sendAddr$mh = handle("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO, CRITICAL);

    /**
     * {@code ssize_t send(int sockfd, const void *buf, size_t len, int flags);} with {@code buf} passed as a raw
     * native address ({@code MemorySegment.address() + offset}): the hot path's way to send part of a native
     * segment without making a slice object per call. A pointer and a {@code long} travel in the same register on
     * the x86-64 and aarch64 calling conventions. Critical, non-blocking fds only, like {@link #send}.
     */
    public static long sendAddr(MemorySegment errno, int fd, long address, long len, int flags) {
        try {
            return (long) sendAddr$mh.invokeExact(errno, fd, address, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle recvAddr$mh = handle("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO, CRITICAL);

    /**
     * {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags);} into a raw native address; see
     * {@link #sendAddr}. Critical, non-blocking fds only, like {@link #recv}.
     */
    public static long recvAddr(MemorySegment errno, int fd, long address, long len, int flags) {
        try {
            return (long) recvAddr$mh.invokeExact(errno, fd, address, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle writev$mh = handle("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /** {@code ssize_t writev(int fd, const struct iovec *iov, int iovcnt);} — writev(2); non-blocking fds only. */
    public static long writev(MemorySegment errno, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) writev$mh.invokeExact(errno, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle readv$mh = handle("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /** {@code ssize_t readv(int fd, const struct iovec *iov, int iovcnt);} — readv(2); non-blocking fds only. */
    public static long readv(MemorySegment errno, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) readv$mh.invokeExact(errno, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle poll$mh = handle("poll",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} — poll(2). Blocks: never critical. */
    public static int poll(MemorySegment errno, MemorySegment fds, long nfds, int timeoutMs) {
        try {
            return (int) poll$mh.invokeExact(errno, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle shutdown$mh = handle("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);

    /** {@code int shutdown(int sockfd, int how);} — shutdown(2) */
    public static int shutdown(MemorySegment errno, int fd, int how) {
        try {
            return (int) shutdown$mh.invokeExact(errno, fd, how);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle fcntl$mh = handle("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));

    /** {@code int fcntl(int fd, int cmd, ... /* int arg *}{@code /);} — fcntl(2), the int-argument form */
    public static int fcntl(MemorySegment errno, int fd, int cmd, int arg) {
        try {
            return (int) fcntl$mh.invokeExact(errno, fd, cmd, arg);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle ioctl$mh = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, C_POINTER), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));

    /** {@code int ioctl(int fd, unsigned long request, ... /* void *argp *}{@code /);} — ioctl(2) */
    public static int ioctl(MemorySegment errno, int fd, long request, MemorySegment argp) {
        try {
            return (int) ioctl$mh.invokeExact(errno, fd, request, argp);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle unlink$mh = handle("unlink",
            FunctionDescriptor.of(JAVA_INT, C_POINTER), CAPTURE_ERRNO);

    /** {@code int unlink(const char *pathname);} — unlink(2) */
    public static int unlink(MemorySegment errno, MemorySegment path) {
        try {
            return (int) unlink$mh.invokeExact(errno, path);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle inet_pton$mh = handle("inet_pton",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, C_POINTER));

    /** {@code int inet_pton(int af, const char *src, void *dst);} — inet_pton(3): 1 ok, 0 not an address. */
    public static int inet_pton(int af, MemorySegment src, MemorySegment dst) {
        try {
            return (int) inet_pton$mh.invokeExact(af, src, dst);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle inet_ntop$mh = handle("inet_ntop",
            FunctionDescriptor.of(C_POINTER, JAVA_INT, C_POINTER, C_POINTER, JAVA_INT));

    /**
     * {@code const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);} — inet_ntop(3).
     * Returns NULL on failure.
     */
    public static MemorySegment inet_ntop(int af, MemorySegment src, MemorySegment dst, int size) {
        try {
            return (MemorySegment) inet_ntop$mh.invokeExact(af, src, dst, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    // --- datagrams, ancillary data, batches and interfaces ------------------------------------------
    // All of these run on non-blocking descriptors (or with MSG_DONTWAIT) after poll(2) said ready, so the I/O
    // calls are critical; msghdr-based calls take native segments only, since the kernel follows the pointers in
    // them.

    private static final MethodHandle sendto$mh = handle("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT, C_POINTER, JAVA_INT),
            CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
     * socklen_t addrlen);} — send(2). {@code buf} may be a heap segment.
     */
    public static long sendto(MemorySegment errno, int fd, MemorySegment buf, long len, int flags,
                              MemorySegment addr, int addrlen) {
        try {
            return (long) sendto$mh.invokeExact(errno, fd, buf, len, flags, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle recvfrom$mh = handle("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT, C_POINTER, C_POINTER),
            CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr,
     * socklen_t *addrlen);} — recv(2). {@code buf} may be a heap segment.
     */
    public static long recvfrom(MemorySegment errno, int fd, MemorySegment buf, long len, int flags,
                                MemorySegment addr, MemorySegment addrlen) {
        try {
            return (long) recvfrom$mh.invokeExact(errno, fd, buf, len, flags, addr, addrlen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle sendmsg$mh = handle("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /** {@code ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);} — send(2) */
    public static long sendmsg(MemorySegment errno, int fd, MemorySegment msg, int flags) {
        try {
            return (long) sendmsg$mh.invokeExact(errno, fd, msg, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle recvmsg$mh = handle("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /** {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} — recv(2) */
    public static long recvmsg(MemorySegment errno, int fd, MemorySegment msg, int flags) {
        try {
            return (long) recvmsg$mh.invokeExact(errno, fd, msg, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle sendmmsg$mh = handle("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code int sendmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags);} — sendmmsg(2):
     * the number of messages sent, or -1 when the first one failed.
     */
    public static int sendmmsg(MemorySegment errno, int fd, MemorySegment vec, int vlen, int flags) {
        try {
            return (int) sendmmsg$mh.invokeExact(errno, fd, vec, vlen, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle recvmmsg$mh = handle("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, JAVA_INT, JAVA_INT, C_POINTER),
            CAPTURE_ERRNO, CRITICAL_HEAP);

    /**
     * {@code int recvmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags,
     * struct timespec *timeout);} — recvmmsg(2). ffsock passes a NULL timeout and MSG_DONTWAIT: it waits in
     * poll(2), never here.
     */
    public static int recvmmsg(MemorySegment errno, int fd, MemorySegment vec, int vlen, int flags,
                               MemorySegment timeout) {
        try {
            return (int) recvmmsg$mh.invokeExact(errno, fd, vec, vlen, flags, timeout);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle if_nametoindex$mh = handle("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, C_POINTER), CAPTURE_ERRNO);

    /** {@code unsigned int if_nametoindex(const char *ifname);} — if_nametoindex(3): 0 when there is none. */
    public static int if_nametoindex(MemorySegment errno, MemorySegment name) {
        try {
            return (int) if_nametoindex$mh.invokeExact(errno, name);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static final MethodHandle if_indextoname$mh = handle("if_indextoname",
            FunctionDescriptor.of(C_POINTER, JAVA_INT, C_POINTER), CAPTURE_ERRNO);

    /**
     * {@code char *if_indextoname(unsigned int ifindex, char *ifname);} — if_nametoindex(3); {@code ifname} holds
     * {@link Net#IFNAMSIZ} bytes. Returns NULL when there is no such interface.
     */
    public static MemorySegment if_indextoname(MemorySegment errno, int index, MemorySegment name) {
        try {
            return (MemorySegment) if_indextoname$mh.invokeExact(errno, index, name);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /*
     * strerror_r: glibc exports the GNU variant (returns char *) as "strerror_r" and the XSI one (returns int) as
     * "__xpg_strerror_r". We link the XSI one where it exists, else the plain symbol, which is XSI on musl and BSDs.
     */
    private static final MethodHandle strerror_r$mh;
    static {
        FunctionDescriptor xsi = FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_POINTER, JAVA_LONG);
        MethodHandle h = handleOrNull("__xpg_strerror_r", xsi);
        strerror_r$mh = h != null ? h : handle("strerror_r", xsi);
    }

    /** {@code int strerror_r(int errnum, char *buf, size_t buflen);} — strerror(3), the XSI variant */
    public static int strerror_r(int errnum, MemorySegment buf, long buflen) {
        try {
            return (int) strerror_r$mh.invokeExact(errnum, buf, buflen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Reads a C int out of a segment at offset 0 (socklen_t, int option values). */
    public static int readInt(MemorySegment seg) {
        return seg.get(ValueLayout.JAVA_INT, 0);
    }
}
