package io.ffsock;

import java.util.Objects;

/**
 * A socket option with a Java type: the constants are in {@link SocketOptions}, and {@link Socket} and
 * {@link DatagramSocket} read and write them with {@code getOption} / {@code setOption}.
 *
 * @param <T> the value's type: {@code Boolean}, {@code Integer}, {@code String}, or a record for read-only
 *            options such as {@link TcpInfo} and {@link PeerCredentials}
 */
public final class SocketOption<T> {
    /** How the value travels through setsockopt/getsockopt. */
    enum Kind {
        /** an int that is 0 or 1 */
        BOOLEAN,
        /** an int within [min, max] */
        INT,
        /** struct linger, as whole seconds or -1 for off */
        LINGER,
        /** a NUL-terminated interface name (SO_BINDTODEVICE) */
        DEVICE,
        /** IP_MULTICAST_IF: set through struct ip_mreqn, read back as struct in_addr */
        MULTICAST_IF4,
        /** IPV6_MULTICAST_IF: an interface index */
        MULTICAST_IF6,
        /** struct ucred, read only */
        PEERCRED,
        /** struct tcp_info, read only */
        TCP_INFO
    }

    /** Which sockets an option means something for, so that remembered options skip the others. */
    enum Scope {
        /** every socket (SOL_SOCKET) */
        ANY,
        /** IPv4 and IPv6 sockets of any type */
        INET,
        /** TCP over IPv4 or IPv6 */
        TCP,
        /** IPv4 sockets (and IPv6 ones, for IPv4 traffic they carry) */
        IPV4,
        /** IPv6 sockets */
        IPV6
    }

    private final String name;
    private final Class<T> type;
    final int level;
    final int optname;
    final Kind kind;
    final Scope scope;
    final long min;
    final long max;
    final boolean readOnly;

    SocketOption(String name, Class<T> type, int level, int optname, Kind kind, Scope scope, long min, long max,
                 boolean readOnly) {
        this.name = name;
        this.type = type;
        this.level = level;
        this.optname = optname;
        this.kind = kind;
        this.scope = scope;
        this.min = min;
        this.max = max;
        this.readOnly = readOnly;
    }

    /** The C name, e.g. {@code "SO_REUSEADDR"}. */
    public String name() {
        return name;
    }

    /** The Java type of the value. */
    public Class<T> type() {
        return type;
    }

    /** Whether the option can only be read. */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** The option's level and number as setsockopt(2) takes them, e.g. {@code [1, 2]} for SO_REUSEADDR. */
    public int[] levelAndName() {
        return new int[] {level, optname};
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SocketOption<?> other && other.level == level && other.optname == optname
                && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, level, optname);
    }
}
