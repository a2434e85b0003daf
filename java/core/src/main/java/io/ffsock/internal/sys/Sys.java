package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Stateless system calls that create sockets or work with names: socket(2), getaddrinfo(3), getnameinfo(3),
 * inet_pton/inet_ntop(3), unlink(2). Cold paths: each call has a confined arena of its own.
 */
public final class Sys {
    private Sys() {}

    /** One getaddrinfo result. */
    public record Resolved(int family, int socktype, int protocol, SockAddr addr) {}

    /** getaddrinfo failed: the EAI code and its text (with strerror for EAI_SYSTEM). */
    public static final class ResolveException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        ResolveException(int code, String text) {
            super(text, null, false, false);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /**
     * Opens a socket with SOCK_NONBLOCK | SOCK_CLOEXEC: returns the fd, or -errno.
     */
    public static int socket(int family, int type, int protocol) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int fd = LibC.socket(err, family, type | Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, protocol);
            return fd >= 0 ? fd : -LibC.errno(err);
        }
    }

    /** Closes a descriptor that no {@link SocketFd} owns yet (error paths before adoption). */
    public static void closeQuietly(int fd) {
        try (Arena a = Arena.ofConfined()) {
            LibC.close(LibC.newErrnoSegment(a), fd);
        }
    }

    /** getaddrinfo(3): every address for {@code host} (null = wildcard/loopback) and {@code service}, in order. */
    public static List<Resolved> resolve(String host, String service, int family, int socktype, int flags)
            throws ResolveException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment hints = a.allocate(Addrinfo.LAYOUT);
            Addrinfo.writeHints(hints, flags, family, socktype, 0);
            MemorySegment res = a.allocate(ValueLayout.ADDRESS);
            int rc = LibC.getaddrinfo(err, CStrings.of(a, host), CStrings.of(a, service), hints, res);
            if (rc != 0) {
                String text = LibC.gai_strerror(rc);
                if (rc == Net.EAI_SYSTEM) {
                    text = text + ": " + Errno.strerror(LibC.errno(err));
                }
                throw new ResolveException(rc, text);
            }
            MemorySegment head = res.get(ValueLayout.ADDRESS, 0);
            List<Resolved> out = new ArrayList<>();
            try {
                for (MemorySegment p = head; !p.equals(MemorySegment.NULL); ) {
                    MemorySegment ai = Addrinfo.node(p);
                    MemorySegment sa = Addrinfo.addr(ai);
                    int fam = Addrinfo.family(ai);
                    if (fam == Net.AF_INET || fam == Net.AF_INET6) {
                        out.add(new Resolved(fam, Addrinfo.socktype(ai), Addrinfo.protocol(ai),
                                SockAddr.decode(sa, (int) sa.byteSize())));
                    }
                    p = Addrinfo.next(ai);
                }
            } finally {
                LibC.freeaddrinfo(head);
            }
            return out;
        }
    }

    /** Reverse lookup with NI_NAMEREQD: the host name, or {@code null} when there is none. */
    public static String hostName(SockAddr addr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment sa = addr.toSegment(a);
            MemorySegment host = a.allocate(Net.NI_MAXHOST);
            int rc = LibC.getnameinfo(err, sa, (int) sa.byteSize(), host, Net.NI_MAXHOST, MemorySegment.NULL, 0,
                    Net.NI_NAMEREQD);
            return rc == 0 ? CStrings.read(host, Net.NI_MAXHOST) : null;
        }
    }

    /** inet_pton(3) for IPv4 then IPv6: the address bytes, or {@code null} when {@code text} is no literal. */
    public static byte[] pton(String text) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = CStrings.of(a, text);
            MemorySegment dst = a.allocate(16);
            if (LibC.inet_pton(Net.AF_INET, src, dst) == 1) {
                return dst.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE);
            }
            if (LibC.inet_pton(Net.AF_INET6, src, dst) == 1) {
                return dst.toArray(ValueLayout.JAVA_BYTE);
            }
            return null;
        }
    }

    /** inet_ntop(3): the canonical text of a 4- or 16-byte address. */
    public static String ntop(byte[] ip) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(16);
            MemorySegment.copy(ip, 0, src, ValueLayout.JAVA_BYTE, 0, ip.length);
            MemorySegment dst = a.allocate(64);
            MemorySegment r = LibC.inet_ntop(ip.length == 4 ? Net.AF_INET : Net.AF_INET6, src, dst, 64);
            return r.equals(MemorySegment.NULL) ? null : CStrings.read(dst, 64);
        }
    }

    /** unlink(2): 0 or -errno. */
    public static int unlink(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            return LibC.unlink(err, CStrings.of(a, path)) == 0 ? 0 : -LibC.errno(err);
        }
    }
}
