/*
 * ffsock-probe: prints what the C headers of this machine say about the structs and constants that
 * io.ffsock.internal.sys declares by hand, one "name=value" line per fact, in decimal:
 *
 *   sizeof.STRUCT=n           sizeof(struct STRUCT)
 *   alignof.STRUCT=n          _Alignof(struct STRUCT)
 *   offsetof.STRUCT.FIELD=n   offsetof(struct STRUCT, FIELD)
 *   sizeof.STRUCT.FIELD=n     sizeof of that member
 *   const.NAME=n              the value of NAME, as the headers define it
 *
 * StructLayoutTest runs it and compares every line with the Java side, so a line printed here is a line checked
 * there: add a line when a layout or constant is added to Java, and the test names anything left out.
 */
#define _DEFAULT_SOURCE /* NI_MAXHOST and NI_MAXSERV are __USE_MISC in glibc's netdb.h */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <linux/sockios.h>

#include "probe_facts.h"

static void fact(const char *name, long long value) {
    printf("%s=%lld\n", name, value);
}

#define STRUCT_SIZE(s) fact("sizeof." #s, (long long) sizeof(struct s))
#define STRUCT_ALIGN(s) fact("alignof." #s, (long long) _Alignof(struct s))
#define FIELD(s, f)                                                                  \
    do {                                                                             \
        fact("offsetof." #s "." #f, (long long) offsetof(struct s, f));             \
        fact("sizeof." #s "." #f, (long long) sizeof(((struct s *) 0)->f));         \
    } while (0)
#define CONST(n) fact("const." #n, (long long) (n))

static void structs(void) {
    STRUCT_SIZE(sockaddr_in);
    STRUCT_ALIGN(sockaddr_in);
    FIELD(sockaddr_in, sin_family);
    FIELD(sockaddr_in, sin_port);
    FIELD(sockaddr_in, sin_addr);

    STRUCT_SIZE(sockaddr_in6);
    STRUCT_ALIGN(sockaddr_in6);
    FIELD(sockaddr_in6, sin6_family);
    FIELD(sockaddr_in6, sin6_port);
    FIELD(sockaddr_in6, sin6_flowinfo);
    FIELD(sockaddr_in6, sin6_addr);
    FIELD(sockaddr_in6, sin6_scope_id);

    STRUCT_SIZE(sockaddr_un);
    STRUCT_ALIGN(sockaddr_un);
    FIELD(sockaddr_un, sun_family);
    FIELD(sockaddr_un, sun_path);

    STRUCT_SIZE(sockaddr_storage);
    STRUCT_ALIGN(sockaddr_storage);
    FIELD(sockaddr_storage, ss_family);

    STRUCT_SIZE(addrinfo);
    STRUCT_ALIGN(addrinfo);
    FIELD(addrinfo, ai_flags);
    FIELD(addrinfo, ai_family);
    FIELD(addrinfo, ai_socktype);
    FIELD(addrinfo, ai_protocol);
    FIELD(addrinfo, ai_addrlen);
    FIELD(addrinfo, ai_addr);
    FIELD(addrinfo, ai_canonname);
    FIELD(addrinfo, ai_next);

    STRUCT_SIZE(pollfd);
    STRUCT_ALIGN(pollfd);
    FIELD(pollfd, fd);
    FIELD(pollfd, events);
    FIELD(pollfd, revents);

    STRUCT_SIZE(iovec);
    STRUCT_ALIGN(iovec);
    FIELD(iovec, iov_base);
    FIELD(iovec, iov_len);

    /* the event loop's: packed (12 bytes, alignment 1) on x86-64, 16 bytes on aarch64 */
    STRUCT_SIZE(epoll_event);
    STRUCT_ALIGN(epoll_event);
    FIELD(epoll_event, events);
    FIELD(epoll_event, data);

    STRUCT_SIZE(rlimit);
    STRUCT_ALIGN(rlimit);
    FIELD(rlimit, rlim_cur);
    FIELD(rlimit, rlim_max);
}

/* Every constant of io.ffsock.internal.sys.Net, in its order. */
static void net_constants(void) {
    CONST(AF_UNSPEC);
    CONST(AF_UNIX);
    CONST(AF_INET);
    CONST(AF_INET6);

    CONST(SOCK_STREAM);
    CONST(SOCK_DGRAM);
    CONST(SOCK_RAW);
    CONST(SOCK_SEQPACKET);
    CONST(SOCK_NONBLOCK);
    CONST(SOCK_CLOEXEC);

    CONST(IPPROTO_IP);
    CONST(IPPROTO_TCP);
    CONST(IPPROTO_UDP);
    CONST(IPPROTO_IPV6);

    CONST(SOL_SOCKET);
    CONST(SO_REUSEADDR);
    CONST(SO_TYPE);
    CONST(SO_ERROR);
    CONST(SO_SNDBUF);
    CONST(SO_RCVBUF);
    CONST(SO_KEEPALIVE);
    CONST(SO_LINGER);
    CONST(SO_REUSEPORT);
    CONST(SO_ACCEPTCONN);
    CONST(TCP_NODELAY);
    CONST(IPV6_V6ONLY);

    CONST(MSG_OOB);
    CONST(MSG_PEEK);
    CONST(MSG_DONTWAIT);
    CONST(MSG_NOSIGNAL);

    CONST(SHUT_RD);
    CONST(SHUT_WR);
    CONST(SHUT_RDWR);

    CONST(POLLIN);
    CONST(POLLPRI);
    CONST(POLLOUT);
    CONST(POLLERR);
    CONST(POLLHUP);
    CONST(POLLNVAL);

    CONST(F_GETFD);
    CONST(F_SETFD);
    CONST(F_GETFL);
    CONST(F_SETFL);
    CONST(FD_CLOEXEC);
    CONST(O_NONBLOCK);

    CONST(FIONREAD);
    CONST(SIOCOUTQ);

    CONST(AI_PASSIVE);
    CONST(AI_CANONNAME);
    CONST(AI_NUMERICHOST);
    CONST(AI_V4MAPPED);
    CONST(AI_ALL);
    CONST(AI_ADDRCONFIG);
    CONST(AI_NUMERICSERV);
    CONST(NI_NUMERICHOST);
    CONST(NI_NUMERICSERV);
    CONST(NI_NAMEREQD);
    CONST(NI_MAXHOST);
    CONST(NI_MAXSERV);
    CONST(EAI_SYSTEM);

    /* Not a header constant: the longest path sun_path holds with its terminating NUL. */
    fact("const.UNIX_PATH_MAX", (long long) sizeof(((struct sockaddr_un *) 0)->sun_path) - 1);
}

/* Every constant of io.ffsock.internal.sys.Errno, in its order. */
static void errno_constants(void) {
    CONST(EPERM);
    CONST(ENOENT);
    CONST(EINTR);
    CONST(EBADF);
    CONST(EAGAIN);
    CONST(EACCES);
    CONST(EEXIST);
    CONST(ENOTDIR);
    CONST(EINVAL);
    CONST(ENFILE);
    CONST(EMFILE);
    CONST(EPIPE);
    CONST(ENAMETOOLONG);
    CONST(ENOTSOCK);
    CONST(EPROTOTYPE);
    CONST(ENOPROTOOPT);
    CONST(EOPNOTSUPP);
    CONST(EAFNOSUPPORT);
    CONST(EADDRINUSE);
    CONST(EADDRNOTAVAIL);
    CONST(ENETUNREACH);
    CONST(ECONNABORTED);
    CONST(ECONNRESET);
    CONST(EISCONN);
    CONST(ENOTCONN);
    CONST(ETIMEDOUT);
    CONST(ECONNREFUSED);
    CONST(EHOSTUNREACH);
    CONST(EALREADY);
    CONST(EINPROGRESS);

    /* the event loop's (ENOMEM, EMSGSIZE and ENOBUFS are printed with the descriptor-control facts) */
    CONST(ENETDOWN);
    CONST(ENETRESET);
    CONST(EHOSTDOWN);
}

/* Every constant of io.ffsock.internal.sys.Epoll, in its order. */
static void epoll_constants(void) {
    CONST(EPOLL_CTL_ADD);
    CONST(EPOLL_CTL_DEL);
    CONST(EPOLL_CTL_MOD);

    CONST(EPOLLIN);
    CONST(EPOLLPRI);
    CONST(EPOLLOUT);
    CONST(EPOLLERR);
    CONST(EPOLLHUP);
    CONST(EPOLLRDHUP);
    CONST(EPOLLEXCLUSIVE);
    CONST(EPOLLONESHOT);
    /* the event bits are a uint32_t that Java holds in an int: bit 31 reads as a negative number there */
    fact("const.EPOLLET", (long long) (int) EPOLLET);

    CONST(EPOLL_CLOEXEC);
    CONST(EFD_SEMAPHORE);
    CONST(EFD_NONBLOCK);
    CONST(EFD_CLOEXEC);

    CONST(RLIMIT_NOFILE);
}

int main(void) {
    structs();
    net_constants();
    errno_constants();
    epoll_constants();
    fdctl_facts();
    tcp_info_facts();
    /* A short write (full disk, closed pipe) must not pass for a complete list. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("ffsock-probe: writing stdout");
        return 1;
    }
    return 0;
}
