package io.ffsock.internal.sys;

/**
 * Constants of the Linux socket API, the same on x86-64 and aarch64 (both use the asm-generic values for every
 * constant named here). Checked against the C headers by the struct-layout test, through {@code native/probe}.
 */
public final class Net {
    private Net() {}

    static {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("Linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new UnsupportedOperationException(
                    "ffsock supports Linux on x86-64 and aarch64; this JVM runs " + os + " on " + arch);
        }
    }

    // address families
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    // socket types and socket(2)/accept4(2) flags
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    // protocols
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;

    // setsockopt levels and names
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_ACCEPTCONN = 30;
    public static final int TCP_NODELAY = 1;
    public static final int IPV6_V6ONLY = 26;

    // send/recv flags
    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;

    // shutdown(2)
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // poll(2)
    public static final short POLLIN = 0x1;
    public static final short POLLPRI = 0x2;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // fcntl(2)
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;

    // ioctl(2) requests
    public static final long FIONREAD = 0x541B;
    public static final long SIOCOUTQ = 0x5411;

    // getaddrinfo(3) / getnameinfo(3)
    public static final int AI_PASSIVE = 0x1;
    public static final int AI_CANONNAME = 0x2;
    public static final int AI_NUMERICHOST = 0x4;
    public static final int AI_V4MAPPED = 0x8;
    public static final int AI_ALL = 0x10;
    public static final int AI_ADDRCONFIG = 0x20;
    public static final int AI_NUMERICSERV = 0x400;
    public static final int NI_NUMERICHOST = 0x1;
    public static final int NI_NUMERICSERV = 0x2;
    public static final int NI_NAMEREQD = 0x8;
    public static final int NI_MAXHOST = 1025;
    public static final int NI_MAXSERV = 32;
    public static final int EAI_SYSTEM = -11;

    /** Longest path a {@code sockaddr_un} holds, not counting the terminating NUL (sun_path is 108 bytes). */
    public static final int UNIX_PATH_MAX = 107;

    // --- datagrams, multicast and descriptor-level control --------------------------------------------------------

    // IPPROTO_IP options
    public static final int IP_TOS = 1;
    public static final int IP_TTL = 2;
    public static final int IP_MTU = 14;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    public static final int IP_ADD_SOURCE_MEMBERSHIP = 39;
    public static final int IP_DROP_SOURCE_MEMBERSHIP = 40;
    public static final int MCAST_JOIN_SOURCE_GROUP = 46;
    public static final int MCAST_LEAVE_SOURCE_GROUP = 47;

    // IPPROTO_IPV6 options
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_JOIN_GROUP = 20;
    public static final int IPV6_LEAVE_GROUP = 21;
    public static final int IPV6_TCLASS = 67;

    // SOL_SOCKET options
    public static final int SO_BROADCAST = 6;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_PEERCRED = 17;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;

    // IPPROTO_TCP options
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_INFO = 11;
    public static final int TCP_QUICKACK = 12;
    public static final int TCP_USER_TIMEOUT = 18;
    public static final int TCP_FASTOPEN = 23;

    // tcp_info.tcpi_state values (netinet/tcp.h)
    public static final int TCP_ESTABLISHED = 1;
    public static final int TCP_CLOSE = 7;
    /** tcp_info.tcpi_options: the SYN carried data that the peer acknowledged (TCP Fast Open), linux/tcp.h */
    public static final int TCPI_OPT_SYN_DATA = 32;

    // send/recv flags and msghdr.msg_flags
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int MSG_FASTOPEN = 0x20000000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    // ancillary data
    public static final int SCM_RIGHTS = 1;

    // ioctl(2): whether the read pointer is at the urgent mark
    public static final long SIOCATMARK = 0x8905;

    // net/if.h: an interface name's buffer, NUL included
    public static final int IFNAMSIZ = 16;

    /** The name Qore gives an address family: "ipv4", "ipv6", "unix" or "unknown". */
    public static String familyName(int family) {
        return switch (family) {
            case AF_INET -> "ipv4";
            case AF_INET6 -> "ipv6";
            case AF_UNIX -> "unix";
            default -> "unknown";
        };
    }
}
