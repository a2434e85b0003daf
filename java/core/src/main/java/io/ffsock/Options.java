package io.ffsock;

import io.ffsock.internal.sys.CStrings;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.FdControl;
import io.ffsock.internal.sys.IpMreqn;
import io.ffsock.internal.sys.Linger;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.MsgIo;
import io.ffsock.internal.sys.SocketFd;
import io.ffsock.internal.sys.Sys;
import io.ffsock.internal.sys.Ucred;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link SocketOption}s on a descriptor, and keeps the options set on a socket that is not open
 * yet ({@link Remembered}) to apply them to the next descriptor it opens. Cold paths: every call has a confined
 * arena of its own.
 */
final class Options {
    private Options() {}

    private static final byte[] ANY4 = new byte[4];

    /** Checks {@code value} for {@code o} without any system call. */
    static <T> void validate(String m, SocketOption<T> o, T value) throws SocketException {
        if (o == null) {
            throw invalid(m, "no option given");
        }
        if (o.isReadOnly()) {
            throw new SocketException(SocketError.ERROR, m, o.name() + " can be read but not set, in " + m + "()",
                    Errno.ENOPROTOOPT, Errno.strerror(Errno.ENOPROTOOPT), null);
        }
        if (value == null) {
            throw invalid(m, o.name() + " cannot be set to null");
        }
        if (!o.type().isInstance(value)) {
            throw invalid(m, o.name() + " takes a " + o.type().getSimpleName() + ", not a "
                    + value.getClass().getSimpleName());
        }
        switch (o.kind) {
            case INT, LINGER -> {
                long v = (Integer) value;
                if (v < o.min || v > o.max) {
                    String range = o.kind == SocketOption.Kind.LINGER ? "-1 (off) or 0 and more seconds"
                            : o.min + " to " + o.max;
                    throw invalid(m, o.name() + " = " + v + " is out of range: it takes " + range);
                }
            }
            case DEVICE, MULTICAST_IF4, MULTICAST_IF6 -> {
                String s = (String) value;
                if (s.indexOf('\0') >= 0 || s.getBytes(StandardCharsets.UTF_8).length >= Net.IFNAMSIZ
                        && !(o.kind == SocketOption.Kind.MULTICAST_IF4 && Sys.pton(s) != null)) {
                    throw invalid(m, o.name() + ": '" + s + "' is not an interface name (at most "
                            + (Net.IFNAMSIZ - 1) + " bytes, no NUL)");
                }
            }
            default -> {
            }
        }
    }

    private static SocketException invalid(String m, String text) {
        return new SocketException(SocketError.ERROR, m, text + " in " + m + "()", Errno.EINVAL,
                Errno.strerror(Errno.EINVAL), null);
    }

    /** Whether {@code o} means something for a socket of {@code family} and {@code type}. */
    static boolean appliesTo(SocketOption<?> o, int family, int type) {
        boolean inet = family == Net.AF_INET || family == Net.AF_INET6;
        return switch (o.scope) {
            case ANY -> true;
            case INET -> inet;
            case TCP -> inet && type == Net.SOCK_STREAM;
            case IPV4 -> family == Net.AF_INET;
            case IPV6 -> family == Net.AF_INET6;
        };
    }

    /** Sets a validated option: 0 or -errno (-ENODEV for an interface that does not exist). */
    static <T> int setRaw(SocketFd f, SocketOption<T> o, T value) {
        try (Arena a = Arena.ofConfined()) {
            switch (o.kind) {
                case BOOLEAN -> {
                    return f.setIntOption(o.level, o.optname, (Boolean) value ? 1 : 0);
                }
                case INT -> {
                    return f.setIntOption(o.level, o.optname, (Integer) value);
                }
                case LINGER -> {
                    int secs = (Integer) value;
                    MemorySegment l = a.allocate(Linger.LAYOUT);
                    Linger.write(l, secs >= 0, Math.max(secs, 0));
                    return MsgIo.setOption(f, o.level, o.optname, l, Linger.SIZE);
                }
                case DEVICE -> {
                    MemorySegment name = a.allocateFrom((String) value, StandardCharsets.UTF_8);
                    return MsgIo.setOption(f, o.level, o.optname, name, (int) name.byteSize());
                }
                case MULTICAST_IF4 -> {
                    String s = (String) value;
                    byte[] local = ANY4;
                    int index = 0;
                    if (!s.isEmpty()) {
                        byte[] ip = Sys.pton(s);
                        if (ip != null && ip.length == 4) {
                            local = ip;
                        } else {
                            index = FdControl.interfaceIndex(s);
                            if (index < 0) {
                                return index;
                            }
                        }
                    }
                    MemorySegment mr = a.allocate(IpMreqn.LAYOUT);
                    IpMreqn.write(mr, ANY4, local, index);
                    return MsgIo.setOption(f, o.level, o.optname, mr, IpMreqn.SIZE);
                }
                case MULTICAST_IF6 -> {
                    String s = (String) value;
                    int index = s.isEmpty() ? 0 : FdControl.interfaceIndex(s);
                    if (index < 0) {
                        return index;
                    }
                    return f.setIntOption(o.level, o.optname, index);
                }
                default -> {
                    return -Errno.ENOPROTOOPT;
                }
            }
        }
    }

    /** Sets {@code o} on the open descriptor {@code f}, throwing a message that names option, value and cause. */
    static <T> void set(SocketFd f, String m, SocketOption<T> o, T value) throws SocketException {
        validate(m, o, value);
        int r = setRaw(f, o, value);
        if (r != 0) {
            String when = -r == Errno.EINVAL && o.optname == Net.IPV6_V6ONLY && o.level == Net.IPPROTO_IPV6
                    ? " (it can only change before bind: set it on a socket that is not open yet, and it is applied"
                    + " when the socket opens)" : "";
            throw failure(m, "cannot set " + o.name() + " to " + describe(value) + when, -r);
        }
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    static SocketException failure(String m, String what, int errno) {
        String hint = switch (errno) {
            case Errno.ENODEV -> " (no network interface of that name)";
            case Errno.EPERM -> " (it needs a privilege this process does not have: CAP_NET_RAW or CAP_NET_ADMIN)";
            case Errno.ENOPROTOOPT, Errno.EOPNOTSUPP -> " (not an option of this kind of socket)";
            default -> "";
        };
        return Errors.withErrno(SocketError.ERROR, m, what + hint + " in " + m + "()", errno, null);
    }

    /** Reads {@code o} from the open descriptor {@code f}. */
    static <T> T get(SocketFd f, String m, SocketOption<T> o) throws SocketException {
        if (o == null) {
            throw invalid(m, "no option given");
        }
        try (Arena a = Arena.ofConfined()) {
            Object v;
            switch (o.kind) {
                case BOOLEAN, INT, MULTICAST_IF6 -> {
                    long r = f.getIntOption(o.level, o.optname);
                    if (r < Integer.MIN_VALUE) {
                        throw failure(m, "cannot read " + o.name(), (int) (-r - 1));
                    }
                    if (o.kind == SocketOption.Kind.BOOLEAN) {
                        v = r != 0;
                    } else if (o.kind == SocketOption.Kind.INT) {
                        v = (int) r;
                    } else {
                        String name = r == 0 ? "" : FdControl.interfaceName((int) r);
                        v = name != null ? name : Long.toString(r);
                    }
                }
                case LINGER -> {
                    MemorySegment l = a.allocate(Linger.LAYOUT);
                    check(m, o, MsgIo.getOption(f, o.level, o.optname, l));
                    v = Linger.on(l) ? Linger.seconds(l) : -1;
                }
                case DEVICE -> {
                    MemorySegment name = a.allocate(Net.IFNAMSIZ);
                    int n = check(m, o, MsgIo.getOption(f, o.level, o.optname, name));
                    v = n == 0 ? "" : CStrings.read(name, Math.min(n, Net.IFNAMSIZ));
                }
                case MULTICAST_IF4 -> {
                    MemorySegment addr = a.allocate(IpMreqn.LAYOUT);
                    int n = check(m, o, MsgIo.getOption(f, o.level, o.optname, addr.asSlice(0, 4)));
                    v = n < 4 ? "" : Sys.ntop(addr.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
                }
                case PEERCRED -> {
                    MemorySegment c = a.allocate(Ucred.LAYOUT);
                    int n = check(m, o, MsgIo.getOption(f, o.level, o.optname, c));
                    if (n < Ucred.SIZE) {
                        throw failure(m, "SO_PEERCRED returned " + n + " bytes, not a struct ucred", Errno.EINVAL);
                    }
                    v = new PeerCredentials(Ucred.pid(c), Ucred.uid(c), Ucred.gid(c));
                }
                case TCP_INFO -> {
                    MemorySegment t = a.allocate(io.ffsock.internal.sys.TcpInfo.LAYOUT);
                    int n = check(m, o, MsgIo.getOption(f, o.level, o.optname, t));
                    v = tcpInfo(t, n);
                }
                default -> throw invalid(m, "cannot read " + o.name());
            }
            return o.type().cast(v);
        }
    }

    private static int check(String m, SocketOption<?> o, int r) throws SocketException {
        if (r < 0) {
            throw failure(m, "cannot read " + o.name(), -r);
        }
        return r;
    }

    private static TcpInfo tcpInfo(MemorySegment t, int n) {
        int len = Math.min(n, io.ffsock.internal.sys.TcpInfo.SIZE);
        MemorySegment s = t.asSlice(0, io.ffsock.internal.sys.TcpInfo.SIZE);
        if (len < io.ffsock.internal.sys.TcpInfo.SIZE) {
            // never read what the kernel did not write: a shorter struct leaves the rest zero, read as -1 below
            s.asSlice(len).fill((byte) 0);
        }
        int wscale = len >= 7 ? s.get(ValueLayout.JAVA_BYTE, 6) & 0xff : 0;
        return new TcpInfo(
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_STATE, len),
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_CA_STATE, len),
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RETRANSMITS, len),
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_PROBES, len),
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_BACKOFF, len),
                u8(s, io.ffsock.internal.sys.TcpInfo.OFFSET_OPTIONS, len),
                wscale & 0x0f, wscale >>> 4,
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RTO, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_ATO, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SND_MSS, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RCV_MSS, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_UNACKED, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SACKED, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_LOST, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RETRANS, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_LAST_DATA_SENT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_LAST_DATA_RECV, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_LAST_ACK_RECV, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_PMTU, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RCV_SSTHRESH, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RTT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RTTVAR, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SND_SSTHRESH, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SND_CWND, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_ADVMSS, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_REORDERING, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RCV_RTT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_RCV_SPACE, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_TOTAL_RETRANS, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_PACING_RATE, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_BYTES_ACKED, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_BYTES_RECEIVED, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SEGS_OUT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SEGS_IN, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_NOTSENT_BYTES, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_MIN_RTT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_DATA_SEGS_OUT, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_DATA_SEGS_IN, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_DELIVERY_RATE, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_BYTES_SENT, len),
                io.ffsock.internal.sys.TcpInfo.u64(s, io.ffsock.internal.sys.TcpInfo.OFFSET_BYTES_RETRANS, len),
                u32(s, io.ffsock.internal.sys.TcpInfo.OFFSET_SND_WND, len),
                len);
    }

    private static int u8(MemorySegment s, long offset, int len) {
        return offset < len ? io.ffsock.internal.sys.TcpInfo.u8(s, offset) : -1;
    }

    private static long u32(MemorySegment s, long offset, int len) {
        return io.ffsock.internal.sys.TcpInfo.u32(s, offset, len);
    }

    /**
     * Options set on a socket object, in the order they were set, to apply to every descriptor it opens; and, for
     * one connect, the local address to bind first. Thread-safe.
     */
    static final class Remembered {
        private final Map<SocketOption<?>, Object> options = new LinkedHashMap<>();
        private volatile io.ffsock.internal.sys.SockAddr local;

        synchronized <T> void put(SocketOption<T> o, T value) {
            options.remove(o); // keep the latest setting last
            options.put(o, value);
        }

        /**
         * {@code setOption} of both socket classes: checks the value before any system call, sets it on {@code f}
         * when that descriptor is open, and remembers it for every descriptor opened later. The caller holds its
         * state lock, so that no descriptor is opened between the two steps without the option.
         */
        <T> void setNowAndLater(SocketFd f, String m, SocketOption<T> o, T value) throws SocketException {
            validate(m, o, value);
            if (f != null && f.acquire()) {
                try {
                    set(f, m, o, value);
                } finally {
                    f.release();
                }
            }
            put(o, value);
        }

        synchronized List<Map.Entry<SocketOption<?>, Object>> entries() {
            return new ArrayList<>(options.entrySet());
        }

        void local(io.ffsock.internal.sys.SockAddr a) {
            local = a;
        }

        io.ffsock.internal.sys.SockAddr local() {
            return local;
        }

        /**
         * Applies the remembered options that mean something for this socket, then binds the local address if one
         * is set: 0, or -errno of the step that failed (and {@code failed[0]} names it).
         */
        int apply(SocketFd f, int family, String[] failed) {
            for (Map.Entry<SocketOption<?>, Object> e : entries()) {
                SocketOption<?> o = e.getKey();
                if (!appliesTo(o, family, f.type())) {
                    continue;
                }
                int r = applyOne(f, o, e.getValue());
                if (r != 0) {
                    failed[0] = "setting " + o.name() + " to " + describe(e.getValue());
                    return r;
                }
            }
            io.ffsock.internal.sys.SockAddr l = local;
            if (l != null) {
                if (l.family() != family) {
                    failed[0] = "binding to " + l + " (another address family than the target's)";
                    return -Errno.EAFNOSUPPORT;
                }
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment sa = l.toSegment(a);
                    int r = f.bind(sa, (int) sa.byteSize());
                    if (r != 0) {
                        failed[0] = "binding to the local address " + l;
                        return r;
                    }
                }
            }
            return 0;
        }

        @SuppressWarnings("unchecked")
        private static <T> int applyOne(SocketFd f, SocketOption<T> o, Object v) {
            return setRaw(f, o, (T) v);
        }
    }
}
