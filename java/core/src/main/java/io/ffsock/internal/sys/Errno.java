package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * errno values ffsock reacts to, and {@code strerror} text cached per value (the table is small and the text never
 * changes, so the hot error paths, such as EAGAIN and ECONNRESET, format without a downcall).
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOTSOCK = 88;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;

    // datagrams, multicast and descriptor-level control
    public static final int ENXIO = 6;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int ENOTTY = 25;
    public static final int EDESTADDRREQ = 89;
    public static final int EMSGSIZE = 90;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ENOBUFS = 105;

    // what the event loop maps to TcpSocket's error codes (besides ENOMEM, EMSGSIZE and ENOBUFS above)
    public static final int ENETDOWN = 100;
    public static final int ENETRESET = 102;
    public static final int EHOSTDOWN = 112;

    private static final int CACHED = 134;
    private static final String[] TEXT = new String[CACHED];

    /** The C library's text for {@code errno}, e.g. "Connection refused". */
    public static String strerror(int errno) {
        if (errno >= 0 && errno < CACHED) {
            String s = TEXT[errno];
            if (s == null) {
                s = lookup(errno);
                TEXT[errno] = s; // a benign race: every thread computes the same string
            }
            return s;
        }
        return lookup(errno);
    }

    private static String lookup(int errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            if (LibC.strerror_r(errno, buf, buf.byteSize()) != 0) {
                return "Unknown error " + errno;
            }
            return CStrings.read(buf, 256);
        }
    }
}
