package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Descriptor-level calls that work on plain fd numbers, before a {@link SocketFd} owns them: inspecting a
 * descriptor someone else opened (socket activation, inetd, {@code fromFd}), making it ours, socketpair(2), and
 * interface names.
 */
public final class FdControl {
    private FdControl() {}

    /**
     * What the kernel says about a descriptor: its family, type and protocol, and whether it is listening.
     *
     * @param errno   0, or why it is not usable (EBADF: not open; ENOTSOCK: not a socket)
     * @param step    the call that failed, for messages ({@code "fcntl(F_GETFD)"}, {@code "getsockopt(SO_TYPE)"})
     */
    public record Inspected(int errno, String step, int family, int type, int protocol, boolean listening) {}

    /** Inspects {@code fd} without changing anything about it. */
    public static Inspected inspect(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            if (LibC.fcntl(err, fd, Net.F_GETFD, 0) < 0) {
                return new Inspected(LibC.errno(err), "fcntl(F_GETFD)", 0, 0, 0, false);
            }
            int[] v = new int[1];
            int e = intOpt(a, err, fd, Net.SO_TYPE, v);
            if (e != 0) {
                return new Inspected(e, "getsockopt(SO_TYPE)", 0, 0, 0, false);
            }
            int type = v[0];
            e = intOpt(a, err, fd, Net.SO_DOMAIN, v);
            if (e != 0) {
                return new Inspected(e, "getsockopt(SO_DOMAIN)", 0, type, 0, false);
            }
            int family = v[0];
            int protocol = intOpt(a, err, fd, Net.SO_PROTOCOL, v) == 0 ? v[0] : 0;
            boolean listening = intOpt(a, err, fd, Net.SO_ACCEPTCONN, v) == 0 && v[0] != 0;
            return new Inspected(0, null, family, type, protocol, listening);
        }
    }

    private static int intOpt(Arena a, MemorySegment err, int fd, int name, int[] out) {
        MemorySegment val = a.allocate(ValueLayout.JAVA_INT);
        MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, 4);
        if (LibC.getsockopt(err, fd, Net.SOL_SOCKET, name, val, len) != 0) {
            return LibC.errno(err);
        }
        out[0] = val.get(ValueLayout.JAVA_INT, 0);
        return 0;
    }

    /** Sets O_NONBLOCK and FD_CLOEXEC on {@code fd}, as every descriptor ffsock owns has them: 0 or -errno. */
    public static int makeOurs(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int fl = LibC.fcntl(err, fd, Net.F_GETFL, 0);
            if (fl < 0 || LibC.fcntl(err, fd, Net.F_SETFL, fl | Net.O_NONBLOCK) < 0) {
                return -LibC.errno(err);
            }
            int fdfl = LibC.fcntl(err, fd, Net.F_GETFD, 0);
            if (fdfl < 0 || LibC.fcntl(err, fd, Net.F_SETFD, fdfl | Net.FD_CLOEXEC) < 0) {
                return -LibC.errno(err);
            }
            return 0;
        }
    }

    /**
     * socketpair(2) of AF_UNIX sockets of {@code type}, non-blocking and close-on-exec: the two descriptors, or a
     * one-element array holding -errno.
     */
    public static int[] socketpair(int type) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment sv = a.allocate(ValueLayout.JAVA_INT, 2);
            if (LibC.socketpair(err, Net.AF_UNIX, type | Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, 0, sv) != 0) {
                return new int[] {-LibC.errno(err)};
            }
            return new int[] {sv.get(ValueLayout.JAVA_INT, 0), sv.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    /** if_nametoindex(3): the index of interface {@code name} (&gt; 0), or -errno (ENODEV when there is none). */
    public static int interfaceIndex(String name) {
        if (name == null || name.isEmpty() || name.length() >= Net.IFNAMSIZ || name.indexOf('\0') >= 0) {
            return -Errno.ENODEV;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int idx = LibC.if_nametoindex(err, CStrings.of(a, name));
            if (idx != 0) {
                return idx;
            }
            int e = LibC.errno(err);
            return -(e != 0 ? e : Errno.ENODEV);
        }
    }

    /** if_indextoname(3): the name of interface {@code index}, or {@code null} when there is none. */
    public static String interfaceName(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment buf = a.allocate(Net.IFNAMSIZ);
            MemorySegment r = LibC.if_indextoname(err, index, buf);
            return r.equals(MemorySegment.NULL) ? null : CStrings.read(buf, Net.IFNAMSIZ);
        }
    }
}
