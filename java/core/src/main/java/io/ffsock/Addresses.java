package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.Sys;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Target strings to kernel addresses for the classes that take one address per call (datagram sockets, the local
 * end of a connect), and kernel addresses to {@link SocketInfo}s without any name lookup.
 */
final class Addresses {
    private Addresses() {}

    /** The address as a {@link SocketInfo} without a host name (no reverse lookup is ever made here). */
    static SocketInfo info(SockAddr a) {
        if (a.family() == Net.AF_UNIX) {
            String path = a.path() == null ? "" : a.path();
            return new SocketInfo(null, null, path, "unix:" + path, -1, Net.AF_UNIX, "unix");
        }
        String addr = a.address();
        boolean v6 = a.family() == Net.AF_INET6;
        return new SocketInfo(null, null, addr, v6 ? "ipv6[" + addr + "]" : "ipv4(" + addr + ")", a.port(),
                a.family(), Net.familyName(a.family()));
    }

    /**
     * Resolves {@code target} — {@code "host:port"}, {@code "[ipv6]:port"}, a UNIX socket path, or {@code "@name"}
     * in the abstract namespace — to one address. With {@code family} other than AF_UNSPEC, the first address of
     * that family is taken (a socket that is open already can only talk to its own family).
     *
     * @param forBind  a wildcard or local address to bind (AI_PASSIVE), rather than a destination
     * @param allowPortZero whether port 0 is allowed (binding: yes; sending: no, it is no destination)
     */
    static SockAddr resolve(String m, String target, boolean forBind, int family, int socktype, SocketError error,
                            boolean allowPortZero) throws SocketException {
        Dest d;
        try {
            d = Dest.parse(target, forBind);
        } catch (IllegalArgumentException e) {
            throw new SocketException(error, m, e.getMessage() + " in " + m + "()", Errno.EINVAL,
                    Errno.strerror(Errno.EINVAL), null);
        }
        if (d.path() != null) {
            checkUnixPath(m, d.path(), error);
            if (family != Net.AF_UNSPEC && family != Net.AF_UNIX) {
                throw new SocketException(error, m, "'" + target + "' is a UNIX socket path, but this socket is "
                        + Net.familyName(family) + " in " + m + "()", Errno.EAFNOSUPPORT,
                        Errno.strerror(Errno.EAFNOSUPPORT), null);
            }
            return SockAddr.unix(d.path());
        }
        int want = d.family();
        if (family == Net.AF_INET || family == Net.AF_INET6) {
            if (want == Net.AF_INET6 && family == Net.AF_INET) {
                throw new SocketException(error, m, "'" + target + "' is an IPv6 address, but this socket is IPv4 in "
                        + m + "()", Errno.EAFNOSUPPORT, Errno.strerror(Errno.EAFNOSUPPORT), null);
            }
            want = family;
        } else if (family == Net.AF_UNIX) {
            throw new SocketException(error, m, "'" + target + "' is a host and port, but this socket is a UNIX "
                    + "socket in " + m + "()", Errno.EAFNOSUPPORT, Errno.strerror(Errno.EAFNOSUPPORT), null);
        }
        List<Sys.Resolved> addrs;
        try {
            addrs = Sys.resolve(d.host(), d.service(), want, socktype, forBind ? Net.AI_PASSIVE : 0);
        } catch (Sys.ResolveException e) {
            throw new SocketException(error, m, "cannot resolve '" + target + "' in " + m + "(): " + e.getMessage(),
                    Errno.EINVAL, null, null);
        }
        if (addrs.isEmpty()) {
            throw new SocketException(error, m, "'" + target + "' resolves to no usable address in " + m + "()",
                    Errno.EADDRNOTAVAIL, Errno.strerror(Errno.EADDRNOTAVAIL), null);
        }
        SockAddr a = addrs.get(0).addr();
        if (!allowPortZero && a.port() == 0) {
            throw new SocketException(error, m, "port 0 in '" + target + "' is not a destination: nothing can be "
                    + "sent to port 0, in " + m + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        return a;
    }

    /** The checks Socket makes on a UNIX path: not empty, at most 107 bytes, no NUL. */
    static void checkUnixPath(String m, String path, SocketError error) throws SocketException {
        if (path == null || path.isEmpty()) {
            throw new SocketException(error, m, "empty UNIX socket path in " + m + "()", Errno.EINVAL, null, null);
        }
        int len = path.getBytes(StandardCharsets.UTF_8).length;
        if (len > Net.UNIX_PATH_MAX) {
            throw new SocketException(error, m, Errors.named(m, "UNIX socket path is " + len + " bytes long; the "
                    + "limit is " + Net.UNIX_PATH_MAX + " (sun_path), and a shortened path would name another file: "
                    + path), Errno.ENAMETOOLONG, Errno.strerror(Errno.ENAMETOOLONG), null);
        }
        if (path.indexOf('\0') >= 0) {
            throw new SocketException(error, m, "UNIX socket path contains a NUL byte in " + m + "()", Errno.EINVAL,
                    null, null);
        }
    }
}
