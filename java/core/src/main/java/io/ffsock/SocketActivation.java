package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.FdControl;
import io.ffsock.internal.sys.Net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sockets a service manager opened and handed to this process.
 * <p>
 * <b>systemd</b> (sd_listen_fds(3)): the sockets are descriptors 3, 4, ... ({@code LISTEN_FDS} of them), meant for
 * the process whose pid is {@code LISTEN_PID} (so that a child that inherited the environment does not take them
 * too), optionally named by {@code LISTEN_FDNAMES} (colon-separated, from the unit's FileDescriptorName=).
 * {@link #listenFds()} lists them; {@link #socket(String)} / {@link #datagramSocket(String)} adopt one.
 * <p>
 * <b>inetd</b>: the connection is descriptor 0 (stdin); {@link #inetd()} adopts it.
 * <p>
 * Adopted descriptors become close-on-exec, so processes this one starts do not inherit them. The JVM keeps its own
 * copy of the environment, so the {@code LISTEN_*} variables stay visible to {@link System#getenv()}; a process
 * started with {@link ProcessBuilder} should have them removed from its environment.
 */
public final class SocketActivation {
    private SocketActivation() {}

    /** SD_LISTEN_FDS_START: the first descriptor systemd passes. */
    public static final int LISTEN_FDS_START = 3;
    /** An upper bound on LISTEN_FDS, far above any real unit, so that a garbage value cannot make us loop long. */
    static final int MAX_FDS = 4096;

    /**
     * One passed descriptor.
     *
     * @param fd        the descriptor number (3, 4, ...)
     * @param name      its name from LISTEN_FDNAMES, or {@code "unknown"} as systemd calls an unnamed one
     * @param family    its address family (AF_INET 2, AF_INET6 10, AF_UNIX 1), or 0 when it is no socket
     * @param type      SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_SEQPACKET (5), or 0 when it is no socket
     * @param listening whether it is a listening socket (systemd's default) rather than a connection (Accept=yes)
     */
    public record Passed(int fd, String name, int family, int type, boolean listening) {
        /** Whether the descriptor is a socket. */
        public boolean isSocket() {
            return type != 0;
        }
    }

    /**
     * The descriptors systemd passed to this process: empty when {@code LISTEN_PID} is not this process's pid or
     * {@code LISTEN_FDS} is missing — the process was not socket-activated.
     *
     * @throws SocketException {@code SOCKET-ERROR} when the variables are set for this process but malformed, or a
     *                         descriptor they name is not open
     */
    public static List<Passed> listenFds() throws SocketException {
        return listenFds(System.getenv(), ProcessHandle.current().pid());
    }

    /** {@link #listenFds()} from the given environment, for the process {@code pid}. */
    static List<Passed> listenFds(Map<String, String> env, long pid) throws SocketException {
        String m = "SocketActivation::listenFds";
        String p = env.get("LISTEN_PID");
        String n = env.get("LISTEN_FDS");
        if (p == null || n == null) {
            return List.of();
        }
        long forPid = parse(m, "LISTEN_PID", p, Long.MAX_VALUE);
        if (forPid != pid) {
            return List.of(); // meant for another process (our parent, whose environment we inherited)
        }
        int count = (int) parse(m, "LISTEN_FDS", n, MAX_FDS);
        String names = env.get("LISTEN_FDNAMES");
        String[] split = names == null ? new String[0] : names.split(":", -1);
        boolean named = split.length == count;
        List<Passed> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int fd = LISTEN_FDS_START + i;
            FdControl.Inspected in = FdControl.inspect(fd);
            if (in.errno() == Errno.EBADF) {
                throw new SocketException(SocketError.ERROR, m, "LISTEN_FDS=" + count + " but fd " + fd
                        + " is not open, in " + m + "()", Errno.EBADF, Errno.strerror(Errno.EBADF), null);
            }
            boolean socket = in.errno() == 0;
            out.add(new Passed(fd, named && !split[i].isEmpty() ? split[i] : "unknown", socket ? in.family() : 0,
                    socket ? in.type() : 0, socket && in.listening()));
        }
        return out;
    }

    private static long parse(String m, String var, String value, long max) throws SocketException {
        try {
            long v = Long.parseLong(value.trim());
            if (v >= 0 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SocketException(SocketError.ERROR, m, var + "='" + value + "' is not a number from 0 to " + max
                + ", in " + m + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
    }

    /**
     * Adopts the passed stream socket named {@code name} (or the first stream socket when {@code name} is
     * {@code null}) as a {@link Socket}: a listener to {@code accept()} on, or a connection.
     *
     * @throws SocketException {@code SOCKET-ERROR} when there is no such socket
     */
    public static Socket socket(String name) throws SocketException {
        Passed p = find("SocketActivation::socket", name, true);
        return Socket.fromFd(p.fd());
    }

    /** Adopts the passed datagram socket named {@code name} (or the first one, for {@code null}). */
    public static DatagramSocket datagramSocket(String name) throws SocketException {
        Passed p = find("SocketActivation::datagramSocket", name, false);
        return DatagramSocket.fromFd(p.fd());
    }

    private static Passed find(String m, String name, boolean stream) throws SocketException {
        List<Passed> all = listenFds();
        for (Passed p : all) {
            boolean kind = stream ? p.type() == Net.SOCK_STREAM || p.type() == Net.SOCK_SEQPACKET
                    : p.type() == Net.SOCK_DGRAM;
            if (kind && (name == null || name.equals(p.name()))) {
                return p;
            }
        }
        throw new SocketException(SocketError.ERROR, m, (all.isEmpty() ? "this process was not socket-activated "
                + "(no LISTEN_FDS for pid " + ProcessHandle.current().pid() + ")" : "none of the " + all.size()
                + " passed descriptors " + all + " is a " + (stream ? "stream" : "datagram") + " socket"
                + (name == null ? "" : " named '" + name + "'")) + ", in " + m + "()", Errno.ENOENT,
                Errno.strerror(Errno.ENOENT), null);
    }

    /** Adopts descriptor 0 (stdin), where inetd puts the connection, as a {@link Socket}. */
    public static Socket inetd() throws SocketException {
        return Socket.fromFd(0);
    }
}
