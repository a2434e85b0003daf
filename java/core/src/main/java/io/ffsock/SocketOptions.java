package io.ffsock;

import io.ffsock.internal.sys.Net;

import static io.ffsock.SocketOption.Kind;
import static io.ffsock.SocketOption.Scope;

/**
 * The socket options ffsock reads and writes, typed. Each constant names its C option; the values are checked
 * before any system call (a negative buffer size is an error here, never a value the kernel quietly rounds).
 * <p>
 * Set on an open socket, an option applies at once. Set on a socket that is not open yet, it is remembered and
 * applied to the descriptor the next {@code bind}/{@code connect} opens, between socket(2) and bind(2)/connect(2) —
 * which is where SO_REUSEPORT, SO_BINDTODEVICE and TCP_FASTOPEN have to be set. Remembered options stay with the
 * object and are applied again whenever it opens a new descriptor; those that do not apply to the new socket's
 * kind (a TCP option on a UNIX socket) are skipped.
 */
public final class SocketOptions {
    private SocketOptions() {}

    private static SocketOption<Boolean> bool(String name, int level, int opt, Scope scope) {
        return new SocketOption<>(name, Boolean.class, level, opt, Kind.BOOLEAN, scope, 0, 1, false);
    }

    private static SocketOption<Integer> integer(String name, int level, int opt, Scope scope, long min, long max) {
        return new SocketOption<>(name, Integer.class, level, opt, Kind.INT, scope, min, max, false);
    }

    private static SocketOption<Integer> readOnlyInt(String name, int level, int opt) {
        return new SocketOption<>(name, Integer.class, level, opt, Kind.INT, Scope.ANY, Integer.MIN_VALUE,
                Integer.MAX_VALUE, true);
    }

    /** SO_REUSEADDR: bind to a port with connections in TIME_WAIT; several UDP sockets on one port. */
    public static final SocketOption<Boolean> SO_REUSEADDR = bool("SO_REUSEADDR", Net.SOL_SOCKET, Net.SO_REUSEADDR,
            Scope.ANY);
    /** SO_REUSEPORT: several sockets bound to one port, the kernel spreading connections or datagrams over them. */
    public static final SocketOption<Boolean> SO_REUSEPORT = bool("SO_REUSEPORT", Net.SOL_SOCKET, Net.SO_REUSEPORT,
            Scope.INET);
    /** SO_KEEPALIVE: probe an idle TCP connection (timing: TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). */
    public static final SocketOption<Boolean> SO_KEEPALIVE = bool("SO_KEEPALIVE", Net.SOL_SOCKET, Net.SO_KEEPALIVE,
            Scope.ANY);
    /** SO_BROADCAST: allow datagrams to a broadcast address. */
    public static final SocketOption<Boolean> SO_BROADCAST = bool("SO_BROADCAST", Net.SOL_SOCKET, Net.SO_BROADCAST,
            Scope.ANY);
    /** SO_OOBINLINE: urgent data stays in the normal stream instead of being read with MSG_OOB. */
    public static final SocketOption<Boolean> SO_OOBINLINE = bool("SO_OOBINLINE", Net.SOL_SOCKET, Net.SO_OOBINLINE,
            Scope.ANY);
    /**
     * SO_LINGER in seconds, or -1 for off (the default: close returns at once and the kernel sends what is left).
     * 0 makes close(2) reset the connection.
     */
    public static final SocketOption<Integer> SO_LINGER = new SocketOption<>("SO_LINGER", Integer.class,
            Net.SOL_SOCKET, Net.SO_LINGER, Kind.LINGER, Scope.ANY, -1, Integer.MAX_VALUE, false);
    /**
     * SO_RCVBUF in bytes, 0 or more. Linux doubles the value set (for its bookkeeping) and clamps it to
     * net.core.rmem_max, so the value read back is not the value written.
     */
    public static final SocketOption<Integer> SO_RCVBUF = integer("SO_RCVBUF", Net.SOL_SOCKET, Net.SO_RCVBUF,
            Scope.ANY, 0, Integer.MAX_VALUE / 2);
    /** SO_SNDBUF in bytes, 0 or more; doubled and clamped (net.core.wmem_max) as SO_RCVBUF is. */
    public static final SocketOption<Integer> SO_SNDBUF = integer("SO_SNDBUF", Net.SOL_SOCKET, Net.SO_SNDBUF,
            Scope.ANY, 0, Integer.MAX_VALUE / 2);
    /**
     * SO_BINDTODEVICE: only traffic through the named interface (e.g. {@code "lo"}); {@code ""} removes the
     * binding. Setting it needs CAP_NET_RAW.
     */
    public static final SocketOption<String> SO_BINDTODEVICE = new SocketOption<>("SO_BINDTODEVICE", String.class,
            Net.SOL_SOCKET, Net.SO_BINDTODEVICE, Kind.DEVICE, Scope.INET, 0, 0, false);

    /** SO_TYPE, read only: SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_SEQPACKET (5). */
    public static final SocketOption<Integer> SO_TYPE = readOnlyInt("SO_TYPE", Net.SOL_SOCKET, Net.SO_TYPE);
    /** SO_DOMAIN, read only: the address family. */
    public static final SocketOption<Integer> SO_DOMAIN = readOnlyInt("SO_DOMAIN", Net.SOL_SOCKET, Net.SO_DOMAIN);
    /** SO_PROTOCOL, read only: IPPROTO_TCP, IPPROTO_UDP, or 0 for UNIX sockets. */
    public static final SocketOption<Integer> SO_PROTOCOL = readOnlyInt("SO_PROTOCOL", Net.SOL_SOCKET,
            Net.SO_PROTOCOL);
    /** SO_ERROR, read only: the pending error, which reading clears. */
    public static final SocketOption<Integer> SO_ERROR = readOnlyInt("SO_ERROR", Net.SOL_SOCKET, Net.SO_ERROR);
    /** SO_ACCEPTCONN, read only: whether the socket is listening. */
    public static final SocketOption<Boolean> SO_ACCEPTCONN = new SocketOption<>("SO_ACCEPTCONN", Boolean.class,
            Net.SOL_SOCKET, Net.SO_ACCEPTCONN, Kind.BOOLEAN, Scope.ANY, 0, 1, true);
    /** SO_PEERCRED, read only: who is at the other end of a UNIX socket. */
    public static final SocketOption<PeerCredentials> SO_PEERCRED = new SocketOption<>("SO_PEERCRED",
            PeerCredentials.class, Net.SOL_SOCKET, Net.SO_PEERCRED, Kind.PEERCRED, Scope.ANY, 0, 0, true);

    /** TCP_NODELAY: send small segments at once instead of coalescing them (Nagle's algorithm off). */
    public static final SocketOption<Boolean> TCP_NODELAY = bool("TCP_NODELAY", Net.IPPROTO_TCP, Net.TCP_NODELAY,
            Scope.TCP);
    /** TCP_CORK: hold partial segments until uncorked (or 200 ms pass), to send headers and body together. */
    public static final SocketOption<Boolean> TCP_CORK = bool("TCP_CORK", Net.IPPROTO_TCP, Net.TCP_CORK, Scope.TCP);
    /** TCP_QUICKACK: acknowledge at once rather than delay; the kernel may turn it off again by itself. */
    public static final SocketOption<Boolean> TCP_QUICKACK = bool("TCP_QUICKACK", Net.IPPROTO_TCP,
            Net.TCP_QUICKACK, Scope.TCP);
    /** TCP_KEEPIDLE: seconds of idleness before the first keepalive probe (1 to 32767). */
    public static final SocketOption<Integer> TCP_KEEPIDLE = integer("TCP_KEEPIDLE", Net.IPPROTO_TCP,
            Net.TCP_KEEPIDLE, Scope.TCP, 1, 32767);
    /** TCP_KEEPINTVL: seconds between keepalive probes (1 to 32767). */
    public static final SocketOption<Integer> TCP_KEEPINTVL = integer("TCP_KEEPINTVL", Net.IPPROTO_TCP,
            Net.TCP_KEEPINTVL, Scope.TCP, 1, 32767);
    /** TCP_KEEPCNT: unanswered probes before the connection is dropped (1 to 127). */
    public static final SocketOption<Integer> TCP_KEEPCNT = integer("TCP_KEEPCNT", Net.IPPROTO_TCP, Net.TCP_KEEPCNT,
            Scope.TCP, 1, 127);
    /** TCP_USER_TIMEOUT: milliseconds sent data may stay unacknowledged before the connection fails; 0 = system. */
    public static final SocketOption<Integer> TCP_USER_TIMEOUT = integer("TCP_USER_TIMEOUT", Net.IPPROTO_TCP,
            Net.TCP_USER_TIMEOUT, Scope.TCP, 0, Integer.MAX_VALUE);
    /**
     * TCP_FASTOPEN on a listener: the length of the queue of connections whose SYN carried data (0 = off). The
     * server side also needs bit 2 of net.ipv4.tcp_fastopen. Clients use {@link Socket#connectFastOpen}.
     */
    public static final SocketOption<Integer> TCP_FASTOPEN = integer("TCP_FASTOPEN", Net.IPPROTO_TCP,
            Net.TCP_FASTOPEN, Scope.TCP, 0, Integer.MAX_VALUE);
    /** TCP_INFO, read only: the kernel's view of a TCP connection. */
    public static final SocketOption<TcpInfo> TCP_INFO = new SocketOption<>("TCP_INFO", TcpInfo.class,
            Net.IPPROTO_TCP, Net.TCP_INFO, Kind.TCP_INFO, Scope.TCP, 0, 0, true);

    /** IP_TOS: the IPv4 type-of-service byte (DSCP and ECN bits), 0 to 255. */
    public static final SocketOption<Integer> IP_TOS = integer("IP_TOS", Net.IPPROTO_IP, Net.IP_TOS, Scope.IPV4, 0,
            255);
    /** IP_TTL: the time-to-live of unicast IPv4 packets, 1 to 255. */
    public static final SocketOption<Integer> IP_TTL = integer("IP_TTL", Net.IPPROTO_IP, Net.IP_TTL, Scope.IPV4, 1,
            255);
    /** IP_MULTICAST_TTL: the time-to-live of IPv4 multicast datagrams, 0 (this host only) to 255; default 1. */
    public static final SocketOption<Integer> IP_MULTICAST_TTL = integer("IP_MULTICAST_TTL", Net.IPPROTO_IP,
            Net.IP_MULTICAST_TTL, Scope.IPV4, 0, 255);
    /** IP_MULTICAST_LOOP: deliver IPv4 multicast datagrams this host sends to its own members too (default on). */
    public static final SocketOption<Boolean> IP_MULTICAST_LOOP = bool("IP_MULTICAST_LOOP", Net.IPPROTO_IP,
            Net.IP_MULTICAST_LOOP, Scope.IPV4);
    /**
     * IP_MULTICAST_IF: the interface IPv4 multicast leaves by — an interface name ({@code "lo"}) or one of this
     * host's IPv4 addresses ({@code "127.0.0.1"}); {@code ""} lets the routing table choose. Reading returns the
     * local address the kernel holds for it ({@code "0.0.0.0"} when set by name).
     */
    public static final SocketOption<String> IP_MULTICAST_IF = new SocketOption<>("IP_MULTICAST_IF", String.class,
            Net.IPPROTO_IP, Net.IP_MULTICAST_IF, Kind.MULTICAST_IF4, Scope.IPV4, 0, 0, false);

    /** IPV6_V6ONLY: an IPv6 socket that does not also take IPv4 traffic (as ::ffff:a.b.c.d). */
    public static final SocketOption<Boolean> IPV6_V6ONLY = bool("IPV6_V6ONLY", Net.IPPROTO_IPV6, Net.IPV6_V6ONLY,
            Scope.IPV6);
    /** IPV6_TCLASS: the IPv6 traffic class, 0 to 255, or -1 for the default. */
    public static final SocketOption<Integer> IPV6_TCLASS = integer("IPV6_TCLASS", Net.IPPROTO_IPV6,
            Net.IPV6_TCLASS, Scope.IPV6, -1, 255);
    /** IPV6_MULTICAST_HOPS: the hop limit of IPv6 multicast, 0 to 255, or -1 for the default (1). */
    public static final SocketOption<Integer> IPV6_MULTICAST_HOPS = integer("IPV6_MULTICAST_HOPS", Net.IPPROTO_IPV6,
            Net.IPV6_MULTICAST_HOPS, Scope.IPV6, -1, 255);
    /** IPV6_MULTICAST_LOOP: deliver IPv6 multicast this host sends to its own members too (default on). */
    public static final SocketOption<Boolean> IPV6_MULTICAST_LOOP = bool("IPV6_MULTICAST_LOOP", Net.IPPROTO_IPV6,
            Net.IPV6_MULTICAST_LOOP, Scope.IPV6);
    /** IPV6_MULTICAST_IF: the interface IPv6 multicast leaves by, by name; {@code ""} lets routing choose. */
    public static final SocketOption<String> IPV6_MULTICAST_IF = new SocketOption<>("IPV6_MULTICAST_IF",
            String.class, Net.IPPROTO_IPV6, Net.IPV6_MULTICAST_IF, Kind.MULTICAST_IF6, Scope.IPV6, 0, 0, false);
}
