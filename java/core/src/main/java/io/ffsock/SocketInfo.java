package io.ffsock;

/**
 * One end of a connection, as {@link Socket#getPeerInfo()} and {@link Socket#getSocketInfo()} report it (Qore's
 * "Socket Information Hash").
 *
 * @param hostname     the host name from a reverse lookup, or {@code null} when there is none or for UNIX sockets
 * @param hostnameDesc the host name with its family, e.g. {@code "ipv4(localhost)"} or {@code "ipv6[localhost]"};
 *                     {@code null} when {@code hostname} is
 * @param address      the numeric address ({@code "127.0.0.1"}, {@code "::1"}) or the UNIX socket path
 * @param addressDesc  the address with its family: {@code "ipv4(127.0.0.1)"}, {@code "ipv6[::1]"},
 *                     {@code "unix:/path"}
 * @param port         the port, or -1 for UNIX sockets
 * @param family       the address family number (AF_INET 2, AF_INET6 10, AF_UNIX 1)
 * @param familyStr    {@code "ipv4"}, {@code "ipv6"} or {@code "unix"}
 */
public record SocketInfo(String hostname, String hostnameDesc, String address, String addressDesc, int port,
                         int family, String familyStr) {
    /** AF_UNIX on Linux. */
    public static final int AF_UNIX = 1;
    /** AF_INET on Linux. */
    public static final int AF_INET = 2;
    /** AF_INET6 on Linux. */
    public static final int AF_INET6 = 10;

    /** Whether this end has a port (INET sockets) rather than a path. */
    public boolean hasPort() {
        return port >= 0;
    }
}
