package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A socket address as Java values: an IPv4 or IPv6 address with port (and scope), or a UNIX socket path.
 * Encoded into and decoded from the kernel's sockaddr structs here, nowhere else.
 *
 * @param family AF_INET, AF_INET6 or AF_UNIX
 * @param ip     4 or 16 address bytes (INET), {@code null} for UNIX
 * @param port   the port (INET), -1 for UNIX
 * @param scope  the IPv6 scope id, else 0
 * @param path   the UNIX socket path ({@code ""} for an unnamed socket), {@code null} for INET
 */
public record SockAddr(int family, byte[] ip, int port, int scope, String path) {

    public static SockAddr inet(byte[] ip, int port, int scope) {
        return new SockAddr(ip.length == 4 ? Net.AF_INET : Net.AF_INET6, ip, port, scope, null);
    }

    public static SockAddr unix(String path) {
        return new SockAddr(Net.AF_UNIX, null, -1, 0, path);
    }

    /** Reads the address of {@code len} bytes at {@code sa} (sockaddr_in, sockaddr_in6 or sockaddr_un). */
    public static SockAddr decode(MemorySegment sa, int len) {
        int family = SockaddrStorage.family(sa);
        return switch (family) {
            case Net.AF_INET -> new SockAddr(family, SockaddrIn.addr(sa), SockaddrIn.port(sa), 0, null);
            case Net.AF_INET6 -> new SockAddr(family, SockaddrIn6.addr(sa), SockaddrIn6.port(sa),
                    SockaddrIn6.scopeId(sa), null);
            case Net.AF_UNIX -> new SockAddr(family, null, -1, 0, SockaddrUn.path(sa, len));
            default -> new SockAddr(family, null, -1, 0, null);
        };
    }

    /** Writes this address into {@code sa} (a sockaddr_storage) and returns its length. */
    public int encode(MemorySegment sa) {
        return switch (family) {
            case Net.AF_INET -> SockaddrIn.write(sa, ip, port);
            case Net.AF_INET6 -> SockaddrIn6.write(sa, ip, port, scope);
            case Net.AF_UNIX -> SockaddrUn.write(sa, path.getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalStateException("cannot encode address family " + family);
        };
    }

    /** The numeric address ("127.0.0.1", "::1") or the UNIX path. */
    public String address() {
        if (family == Net.AF_UNIX) {
            return path;
        }
        if (ip == null) {
            return "";
        }
        return Sys.ntop(ip);
    }

    @Override
    public String toString() {
        return family == Net.AF_UNIX ? path : (family == Net.AF_INET6 ? "[" + address() + "]" : address()) + ":" + port;
    }

    /** Copies this address into a segment of {@code arena}; returns the segment (sized to the encoded length). */
    public MemorySegment toSegment(Arena arena) {
        MemorySegment sa = arena.allocate(SockaddrStorage.LAYOUT);
        return sa.asSlice(0, encode(sa));
    }
}
