package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.FdControl;
import io.ffsock.internal.sys.GroupSourceReq;
import io.ffsock.internal.sys.IpMreqSource;
import io.ffsock.internal.sys.IpMreqn;
import io.ffsock.internal.sys.Ipv6Mreq;
import io.ffsock.internal.sys.MsgIo;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.SockaddrUn;
import io.ffsock.internal.sys.SocketFd;
import io.ffsock.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A datagram socket: UDP over IPv4 or IPv6, or AF_UNIX datagrams. Each send is one datagram and each receive
 * returns one whole datagram — never a cut one: a datagram larger than the buffer it is received into is reported
 * as an error with its first bytes in {@link SocketException#partialData()}.
 * <p>
 * <b>Opening.</b> A new object is not open. {@link #bind} opens and binds it; {@link #connect} opens and associates
 * it with one peer (then {@link #send} and {@link #recv} need no address, and the kernel drops datagrams from
 * anyone else); {@link #sendTo} on a socket that is not open opens one of the target's family, and the kernel
 * picks its port. Targets are {@code "host:port"}, {@code "[ipv6]:port"}, a UNIX socket path, or {@code "@name"}
 * for Linux's abstract UNIX namespace.
 * <p>
 * <b>Errors</b> are {@link SocketException}s with Qore's codes: a datagram larger than the protocol allows is
 * {@code SOCKET-SEND-ERROR} "datagram too large" naming the limit; an ICMP port unreachable answering an earlier
 * datagram of a connected socket surfaces on the next call as "connection refused" ({@code ECONNREFUSED}); the
 * socket stays open in both cases.
 * <p>
 * <b>Threads.</b> One receiving and one sending thread may use a socket at the same time; {@link #close()} from
 * any thread wakes both with {@code SOCKET-CLOSED}, and the descriptor number is released only after they left.
 * <p>
 * <b>Multicast and broadcast.</b> {@link #joinGroup} / {@link #leaveGroup} (any-source and source-specific, IPv4
 * and IPv6) and the multicast options of {@link SocketOptions} (TTL or hops, loopback, outgoing interface);
 * broadcast needs {@link SocketOptions#SO_BROADCAST}.
 */
public final class DatagramSocket implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long FOREVER = -1;
    /** The default cap on one received datagram (UNIX datagrams can be as large as the socket buffer). */
    private static final int DEFAULT_MAX_DATAGRAM = 4 << 20;
    /** IPv4 payload limit: 65535 - 20 (IP header) - 8 (UDP header). */
    static final int UDP4_MAX = 65507;
    /** IPv6 payload limit without jumbograms: 65535 - 8 (UDP header). */
    static final int UDP6_MAX = 65527;

    /** The open descriptor and what close() undoes; the Cleaner's state, so it must not refer to the socket. */
    private static final class Conn implements Runnable {
        volatile SocketFd fd;
        volatile String unlinkPath;

        @Override
        public void run() {
            SocketFd f = fd;
            fd = null;
            if (f != null && f.close() && unlinkPath != null) {
                Sys.unlink(unlinkPath);
            }
        }
    }

    private final Conn conn = new Conn();
    private final Object stateLock = new Object();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Options.Remembered remembered = new Options.Remembered();
    private volatile int maxDatagram = DEFAULT_MAX_DATAGRAM;
    /** The last destination string and its address, so that repeated sendTo calls resolve once (write lock). */
    private String lastTarget;
    private SockAddr lastAddr;
    /** Receive scratch for UDP, where no datagram exceeds 65535 bytes (read lock). */
    private byte[] udpScratch;
    /** The last sender and its SocketInfo, reused while datagrams keep coming from it (read lock). */
    private SockAddr lastFrom;
    private SocketInfo lastFromInfo;

    /** A datagram socket that is not open yet. */
    public DatagramSocket() {
        CLEANER.register(this, conn);
    }

    // =============================================================================================================
    // opening and closing
    // =============================================================================================================

    /**
     * Opens an unbound socket of {@code family} ({@link SocketInfo#AF_INET}, {@link SocketInfo#AF_INET6} or
     * {@link SocketInfo#AF_UNIX}), closing any open one first: for options that must be set before anything is
     * sent, or a UNIX client that sends without a name of its own.
     */
    public void open(int family) throws SocketException {
        String m = "DatagramSocket::open";
        if (family != Net.AF_INET && family != Net.AF_INET6 && family != Net.AF_UNIX) {
            throw new SocketException(SocketError.ERROR, m, "address family " + family + " is not AF_INET (2), "
                    + "AF_INET6 (10) or AF_UNIX (1), in " + m + "()", Errno.EAFNOSUPPORT,
                    Errno.strerror(Errno.EAFNOSUPPORT), null);
        }
        synchronized (stateLock) {
            closeLocked();
            openLocked(m, family, SocketError.ERROR);
        }
    }

    /** Opens a descriptor of {@code family} and applies the remembered options; caller holds stateLock. */
    private SocketFd openLocked(String m, int family, SocketError error) throws SocketException {
        int fd = Sys.socket(family, Net.SOCK_DGRAM, 0);
        if (fd < 0) {
            throw Errors.withErrno(error, m, "cannot open a " + Net.familyName(family) + " datagram socket", -fd,
                    null);
        }
        SocketFd f = new SocketFd(fd, family, Net.SOCK_DGRAM);
        String[] failed = new String[1];
        int r = remembered.apply(f, family, failed);
        if (r != 0) {
            f.close();
            throw Options.failure(m, failed[0], -r);
        }
        conn.fd = f;
        conn.unlinkPath = null;
        return f;
    }

    /**
     * Opens the socket and binds it to {@code target}: {@code "127.0.0.1:0"} (port 0: the kernel picks one),
     * {@code "[::1]:5000"}, {@code "0.0.0.0:5000"}, a multicast group address to receive only that group's
     * datagrams, a UNIX socket path (created here, deleted by {@link #close()}), or {@code "@name"}.
     *
     * @throws SocketException {@code SOCKET-BIND-ERROR}
     */
    public void bind(String target) throws SocketException {
        bind(target, false);
    }

    /** {@link #bind(String)}, setting SO_REUSEADDR first when {@code reuseaddr} (ignored for UNIX sockets). */
    public void bind(String target, boolean reuseaddr) throws SocketException {
        String m = "DatagramSocket::bind";
        SockAddr a = Addresses.resolve(m, target, true, Net.AF_UNSPEC, Net.SOCK_DGRAM, SocketError.BIND_ERROR, true);
        synchronized (stateLock) {
            closeLocked();
            SocketFd f = openLocked(m, a.family(), SocketError.BIND_ERROR);
            int rc = reuseaddr && a.family() != Net.AF_UNIX ? f.setIntOption(Net.SOL_SOCKET, Net.SO_REUSEADDR, 1) : 0;
            if (rc == 0) {
                try (Arena ar = Arena.ofConfined()) {
                    MemorySegment sa = a.toSegment(ar);
                    rc = f.bind(sa, (int) sa.byteSize());
                }
            }
            if (rc != 0) {
                closeLocked();
                throw Errors.withErrno(SocketError.BIND_ERROR, m, "error in bind() (target: " + target + ")", -rc,
                        null);
            }
            if (a.family() == Net.AF_UNIX && !SockaddrUn.isAbstract(a.path())) {
                conn.unlinkPath = a.path();
            }
        }
    }

    /**
     * Associates the socket with one peer (opening it, with the peer's family, if it is not open): {@link #send}
     * and {@link #recv} then need no address, only that peer's datagrams are received, and ICMP errors for what
     * was sent to it are reported on the next call. A socket that is bound stays bound.
     *
     * @throws SocketException {@code SOCKET-CONNECT-ERROR}
     */
    public void connect(String target) throws SocketException {
        String m = "DatagramSocket::connect";
        SocketFd open = conn.fd;
        int family = open != null && !open.isClosed() ? open.family() : Net.AF_UNSPEC;
        SockAddr a = Addresses.resolve(m, target, false, family, Net.SOCK_DGRAM, SocketError.CONNECT_ERROR, false);
        SocketFd f;
        synchronized (stateLock) {
            f = conn.fd;
            if (f == null || f.isClosed()) {
                f = openLocked(m, a.family(), SocketError.CONNECT_ERROR);
            }
            if (!f.acquire()) {
                throw Errors.closedLocally(m, null);
            }
        }
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment sa = a.toSegment(ar);
            int r = f.connect(sa, (int) sa.byteSize());
            if (r != 0) {
                throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in connect() (target: " + target + ")",
                        -r, null);
            }
        } finally {
            f.release();
        }
    }

    /** Dissolves the association {@link #connect} made; the socket stays open and bound. */
    public void disconnect() throws SocketException {
        String m = "DatagramSocket::disconnect";
        SocketFd f = acquire(m);
        try {
            int r = MsgIo.disconnect(f);
            if (r != 0 && r != -Errno.EAFNOSUPPORT) {
                throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in connect(AF_UNSPEC)", -r, null);
            }
        } finally {
            f.release();
        }
    }

    /** Whether the socket is open. */
    public boolean isOpen() {
        SocketFd f = conn.fd;
        return f != null && !f.isClosed();
    }

    /** The descriptor number, or -1 when not open. */
    public int getSocket() {
        SocketFd f = conn.fd;
        return f != null && !f.isClosed() ? f.fd() : -1;
    }

    /**
     * Closes the socket (a no-op when it is not open), deleting the UNIX socket file it bound. Threads blocked in
     * it wake with {@code SOCKET-CLOSED}. Never throws.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            closeLocked();
        }
    }

    private void closeLocked() {
        SocketFd f = conn.fd;
        if (f == null) {
            return;
        }
        conn.fd = null;
        String path = conn.unlinkPath;
        conn.unlinkPath = null;
        if (f.close() && path != null) {
            Sys.unlink(path);
        }
    }

    private SocketFd acquire(String m) throws SocketException {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            throw Errors.notOpen(m);
        }
        return f;
    }

    /**
     * Gives the descriptor away: returns its number, which the caller now closes, and leaves this object not open
     * (a UNIX socket file it bound is no longer deleted by it). The descriptor keeps O_NONBLOCK and FD_CLOEXEC.
     *
     * @throws SocketException {@code SOCKET-NOT-OPEN}, or {@code SOCKET-ERROR} (EBUSY) while another thread is in
     *                         a call on it
     */
    public int detach() throws SocketException {
        String m = "DatagramSocket::detach";
        synchronized (stateLock) {
            SocketFd f = conn.fd;
            if (f == null || f.isClosed()) {
                throw Errors.notOpen(m);
            }
            int r = f.detach();
            if (r < 0) {
                throw Errors.withErrno(SocketError.ERROR, m, "cannot detach while another thread is in a call on "
                        + "this socket", -r, null);
            }
            conn.fd = null;
            conn.unlinkPath = null;
            return r;
        }
    }

    /**
     * Takes ownership of an open datagram socket descriptor someone else made (socket activation, a descriptor
     * received over a UNIX socket, a parent process): its family is read from the kernel, and it is made
     * non-blocking and close-on-exec. On failure the descriptor is left as it was, and still the caller's.
     *
     * @throws SocketException {@code SOCKET-ERROR}: EBADF when {@code fd} is not open, ENOTSOCK when it is no
     *                         socket, EPROTOTYPE when it is a stream socket (use {@link Socket#fromFd})
     */
    public static DatagramSocket fromFd(int fd) throws SocketException {
        String m = "DatagramSocket::fromFd";
        FdControl.Inspected in = Socket.inspectForAdoption(m, fd);
        if (in.type() != Net.SOCK_DGRAM) {
            throw new SocketException(SocketError.ERROR, m, "fd " + fd + " is a " + Socket.typeName(in.type())
                    + " socket, not a datagram socket: use Socket.fromFd(), in " + m + "()", Errno.EPROTOTYPE,
                    Errno.strerror(Errno.EPROTOTYPE), null);
        }
        int r = FdControl.makeOurs(fd);
        if (r != 0) {
            throw Errors.withErrno(SocketError.ERROR, m, "cannot make fd " + fd + " non-blocking", -r, null);
        }
        DatagramSocket s = new DatagramSocket();
        synchronized (s.stateLock) {
            s.conn.fd = new SocketFd(fd, in.family(), Net.SOCK_DGRAM);
        }
        return s;
    }

    /** A connected pair of AF_UNIX datagram sockets (socketpair(2)). */
    public static DatagramSocket[] pair() throws SocketException {
        String m = "DatagramSocket::pair";
        int[] fds = FdControl.socketpair(Net.SOCK_DGRAM);
        if (fds.length == 1) {
            throw Errors.withErrno(SocketError.ERROR, m, "error in socketpair()", -fds[0], null);
        }
        DatagramSocket a = new DatagramSocket();
        DatagramSocket b = new DatagramSocket();
        a.conn.fd = new SocketFd(fds[0], Net.AF_UNIX, Net.SOCK_DGRAM);
        b.conn.fd = new SocketFd(fds[1], Net.AF_UNIX, Net.SOCK_DGRAM);
        return new DatagramSocket[] {a, b};
    }

    // =============================================================================================================
    // sending
    // =============================================================================================================

    /**
     * Sends {@code data} as one datagram to {@code target}, opening the socket if it is not open. Returns the
     * bytes sent: all of them, as a datagram is never sent in part.
     *
     * @throws SocketException {@code SOCKET-SEND-ERROR}: "datagram too large" with the limit, an unresolvable
     *                         target, port 0, or what sendto(2) reported
     */
    public int sendTo(byte[] data, String target) throws SocketException {
        return sendTo(MemorySegment.ofArray(data), data.length, target, FOREVER);
    }

    /** {@link #sendTo(byte[], String)} of the remaining bytes of {@code data}, advancing its position. */
    public int sendTo(ByteBuffer data, String target) throws SocketException {
        int n = data.remaining();
        sendTo(MemorySegment.ofBuffer(data), n, target, FOREVER);
        data.position(data.position() + n);
        return n;
    }

    /** {@link #sendTo(byte[], String)} of all of {@code data} (native or heap). */
    public int sendTo(MemorySegment data, String target) throws SocketException {
        return sendTo(data, data.byteSize(), target, FOREVER);
    }

    private int sendTo(MemorySegment data, long len, String target, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::sendTo";
        if (target == null) {
            throw new SocketException(SocketError.SEND_ERROR, m, "no target given to " + m + "()", Errno.EINVAL,
                    Errno.strerror(Errno.EINVAL), null);
        }
        SocketFd f = conn.fd;
        if (f == null || f.isClosed()) {
            SockAddr a = Addresses.resolve(m, target, false, Net.AF_UNSPEC, Net.SOCK_DGRAM, SocketError.SEND_ERROR,
                    false);
            synchronized (stateLock) {
                f = conn.fd;
                if (f == null || f.isClosed()) {
                    openLocked(m, a.family(), SocketError.SEND_ERROR);
                }
            }
        }
        f = acquire(m);
        writeLock.lock();
        try {
            SockAddr to;
            if (target.equals(lastTarget) && lastAddr != null && lastAddr.family() == f.family()) {
                to = lastAddr;
            } else {
                to = Addresses.resolve(m, target, false, f.family(), Net.SOCK_DGRAM, SocketError.SEND_ERROR, false);
                lastTarget = target;
                lastAddr = to;
            }
            return sendLocked(f, m, data, len, to, timeoutMs);
        } finally {
            writeLock.unlock();
            f.release();
        }
    }

    /** Sends {@code data} as one datagram to the connected peer; returns the bytes sent. */
    public int send(byte[] data) throws SocketException {
        return send(MemorySegment.ofArray(data), data.length, FOREVER);
    }

    /** {@link #send(byte[])} with a limit on the wait for buffer space. */
    public int send(byte[] data, long timeoutMs) throws SocketException {
        return send(MemorySegment.ofArray(data), data.length, timeoutMs);
    }

    /** {@link #send(byte[])} of the remaining bytes of {@code data}, advancing its position. */
    public int send(ByteBuffer data) throws SocketException {
        int n = data.remaining();
        send(MemorySegment.ofBuffer(data), n, FOREVER);
        data.position(data.position() + n);
        return n;
    }

    /** {@link #send(byte[])} of all of {@code data} (native or heap); allocates nothing. */
    public int send(MemorySegment data) throws SocketException {
        return send(data, data.byteSize(), FOREVER);
    }

    private int send(MemorySegment data, long len, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::send";
        SocketFd f = acquire(m);
        writeLock.lock();
        try {
            return sendLocked(f, m, data, len, null, timeoutMs);
        } finally {
            writeLock.unlock();
            f.release();
        }
    }

    private int sendLocked(SocketFd f, String m, MemorySegment data, long len, SockAddr to, long timeoutMs)
            throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long n = MsgIo.sendTo(f, data, len, to, 0);
            if (n >= 0) {
                return (int) n;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            int e = (int) -n;
            if (e != Errno.EAGAIN && e != Errno.ENOBUFS) {
                throw sendFailure(f, m, e, len, to);
            }
            int ev = f.poll(f.write, Net.POLLOUT, timeout);
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (ev == 0) {
                throw Errors.timeout(m, timeoutMs, null);
            }
            if (ev < 0) {
                throw Errors.sendError(m, -ev);
            }
        }
    }

    static SocketException sendFailure(SocketFd f, String m, int errno, long len, SockAddr to) {
        String dest = to != null ? " to " + to : "";
        return switch (errno) {
            case Errno.EMSGSIZE -> Errors.withErrno(SocketError.SEND_ERROR, m, "datagram too large: "
                    + Errors.plural(len, "byte") + dest + "; " + limitText(f, len), errno, null);
            case Errno.ECONNREFUSED -> Errors.withErrno(SocketError.SEND_ERROR, m, "connection refused: the peer "
                    + "answered an earlier datagram with ICMP port unreachable (nothing receives at " + peer(f)
                    + ")", errno, null);
            case Errno.EDESTADDRREQ -> Errors.withErrno(SocketError.SEND_ERROR, m, "the socket is not connected: "
                    + "use sendTo() or connect() first", errno, null);
            case Errno.EACCES -> Errors.withErrno(SocketError.SEND_ERROR, m, "cannot send" + dest
                    + " (a broadcast address needs SO_BROADCAST)", errno, null);
            default -> Errors.withErrno(SocketError.SEND_ERROR, m, "error in sendto()" + dest, errno, null);
        };
    }

    /** The largest datagram this socket can send, in words: per protocol, or the UNIX socket's send buffer. */
    private static String limitText(SocketFd f, long len) {
        switch (f.family()) {
            case Net.AF_INET -> {
                if (len > UDP4_MAX) {
                    return "the limit for UDP over IPv4 is " + UDP4_MAX + " bytes";
                }
                long mtu = f.getIntOption(Net.IPPROTO_IP, Net.IP_MTU);
                return mtu > 28 ? "the path MTU of " + mtu + " bytes allows at most " + (mtu - 28)
                        + " bytes of UDP payload here" : "the limit for UDP over IPv4 is " + UDP4_MAX + " bytes";
            }
            case Net.AF_INET6 -> {
                return "the limit for UDP over IPv6 is " + UDP6_MAX + " bytes";
            }
            default -> {
                long snd = f.getIntOption(Net.SOL_SOCKET, Net.SO_SNDBUF);
                return "a UNIX datagram must fit the socket's send buffer, SO_SNDBUF = " + snd + " bytes";
            }
        }
    }

    private static String peer(SocketFd f) {
        SockAddr p = f.name(true, new int[1]);
        return p == null ? "the connected address" : p.toString();
    }

    // =============================================================================================================
    // receiving
    // =============================================================================================================

    /**
     * Receives one datagram and its sender, waiting up to {@code timeoutMs} (-1: forever).
     *
     * @throws SocketException {@code SOCKET-TIMEOUT} when none came; {@code SOCKET-RECV-ERROR} for a datagram
     *                         larger than {@link #getMaxDatagramSize()} (its first bytes in
     *                         {@link SocketException#partialData()}), for "connection refused" (ICMP port
     *                         unreachable on a connected socket), and for other failures
     */
    public Datagram receiveFrom(long timeoutMs) throws SocketException {
        String m = "DatagramSocket::receiveFrom";
        SocketFd f = acquire(m);
        readLock.lock();
        try {
            byte[] b = receiveLocked(f, m, timeoutMs);
            return new Datagram(b, senderInfo(MsgIo.lastSender(f)));
        } finally {
            readLock.unlock();
            f.release();
        }
    }

    /** The sender as a SocketInfo, the previous one's when it is the same address (no text conversion then). */
    private SocketInfo senderInfo(SockAddr a) {
        SockAddr p = lastFrom;
        if (p != null && p.family() == a.family() && p.port() == a.port() && p.scope() == a.scope()
                && Arrays.equals(p.ip(), a.ip()) && java.util.Objects.equals(p.path(), a.path())) {
            return lastFromInfo;
        }
        SocketInfo info = Addresses.info(a);
        lastFrom = a;
        lastFromInfo = info;
        return info;
    }

    /** {@link #receiveFrom(long)} waiting forever. */
    public Datagram receiveFrom() throws SocketException {
        return receiveFrom(FOREVER);
    }

    /** {@link #receiveFrom(long)} with a {@link Duration}. */
    public Datagram receiveFrom(Duration timeout) throws SocketException {
        return receiveFrom(Socket.millis(timeout));
    }

    /** Receives one datagram's bytes (on a connected socket, from its peer), waiting up to {@code timeoutMs}. */
    public byte[] recv(long timeoutMs) throws SocketException {
        String m = "DatagramSocket::recv";
        SocketFd f = acquire(m);
        readLock.lock();
        try {
            return receiveLocked(f, m, timeoutMs);
        } finally {
            readLock.unlock();
            f.release();
        }
    }

    /** {@link #recv(long)} waiting forever. */
    public byte[] recv() throws SocketException {
        return recv(FOREVER);
    }

    /**
     * Receives one datagram into {@code dst} (native or heap) without allocating; returns its length.
     *
     * @throws SocketException {@code SOCKET-RECV-ERROR} when the datagram is larger than {@code dst} (MSG_TRUNC:
     *                         the first {@code dst.byteSize()} bytes are in {@code dst} and in partialData())
     */
    public int receive(MemorySegment dst, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::receive";
        SocketFd f = acquire(m);
        readLock.lock();
        try {
            long n = receiveInto(f, m, dst, dst.byteSize(), timeoutMs);
            if (n > dst.byteSize()) {
                throw truncated(m, n, dst.byteSize(), dst);
            }
            return (int) n;
        } finally {
            readLock.unlock();
            f.release();
        }
    }

    /** {@link #receive(MemorySegment, long)} into the remaining space of {@code dst}, advancing its position. */
    public int receive(ByteBuffer dst, long timeoutMs) throws SocketException {
        int n = receive(MemorySegment.ofBuffer(dst), timeoutMs);
        dst.position(dst.position() + n);
        return n;
    }

    /**
     * The largest datagram {@link #receiveFrom} and {@link #recv} accept (4 MiB unless set): every length that
     * arrives is bounded before memory is allocated for it.
     */
    public int getMaxDatagramSize() {
        return maxDatagram;
    }

    /** Sets {@link #getMaxDatagramSize()}: 1 to 256 MiB. */
    public void setMaxDatagramSize(int bytes) throws SocketException {
        if (bytes < 1 || bytes > (256 << 20)) {
            throw new SocketException(SocketError.ERROR, "DatagramSocket::setMaxDatagramSize", "size " + bytes
                    + " is out of range: 1 to " + (256 << 20) + " bytes", Errno.EINVAL, Errno.strerror(Errno.EINVAL),
                    null);
        }
        maxDatagram = bytes;
    }

    /** One whole datagram as a new array; caller holds the read lock and an acquire. */
    private byte[] receiveLocked(SocketFd f, String m, long timeoutMs) throws SocketException {
        int cap = maxDatagram;
        if (f.family() != Net.AF_UNIX && cap >= 65536) {
            // no UDP datagram exceeds 65535 bytes: one recvfrom into the scratch, then a copy of exactly its size
            if (udpScratch == null) {
                udpScratch = new byte[65536];
            }
            long n = receiveInto(f, m, MemorySegment.ofArray(udpScratch), udpScratch.length, timeoutMs);
            if (n > udpScratch.length) {
                throw truncated(m, n, udpScratch.length, MemorySegment.ofArray(udpScratch));
            }
            return Arrays.copyOf(udpScratch, (int) n);
        }
        // UNIX datagrams can be as large as the socket buffer: ask the kernel for the size first (MSG_PEEK with
        // MSG_TRUNC returns the real length without taking the datagram), then take it into an array of that size
        long size = waitFor(f, m, timeoutMs);
        int len = (int) Math.min(size, cap);
        byte[] b = new byte[len];
        long n = MsgIo.recvFrom(f, MemorySegment.ofArray(b), len, Net.MSG_TRUNC | Net.MSG_DONTWAIT);
        if (n < 0) {
            throw recvFailure(f, m, (int) -n);
        }
        if (n > len) {
            throw truncated(m, n, len, MemorySegment.ofArray(b));
        }
        return n == len ? b : Arrays.copyOf(b, (int) n);
    }

    /** Waits for a datagram and returns its real length, without taking it. */
    private long waitFor(SocketFd f, String m, long timeoutMs) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long n = MsgIo.recvFrom(f, MemorySegment.NULL, 0, Net.MSG_PEEK | Net.MSG_TRUNC | Net.MSG_DONTWAIT);
            if (n >= 0) {
                return n;
            }
            awaitReadable(f, m, (int) -n, timeout, timeoutMs);
        }
    }

    /**
     * recvfrom(2) into {@code dst} with MSG_TRUNC, waiting for a datagram: the datagram's real length, which exceeds
     * {@code len} when it was cut.
     */
    private long receiveInto(SocketFd f, String m, MemorySegment dst, long len, long timeoutMs)
            throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long n = MsgIo.recvFrom(f, dst, len, Net.MSG_TRUNC);
            if (n >= 0) {
                return n;
            }
            awaitReadable(f, m, (int) -n, timeout, timeoutMs);
        }
    }

    /** After a receive returned {@code -errno}: waits for the next datagram on EAGAIN, else throws. */
    private void awaitReadable(SocketFd f, String m, int errno, int timeout, long timeoutMs) throws SocketException {
        if (f.isClosed()) {
            throw Errors.closedLocally(m, null);
        }
        if (errno != Errno.EAGAIN) {
            throw recvFailure(f, m, errno);
        }
        int ev = f.poll(f.read, Net.POLLIN, timeout);
        if (f.isClosed()) {
            throw Errors.closedLocally(m, null);
        }
        if (ev == 0) {
            throw Errors.timeout(m, timeoutMs, null);
        }
        if (ev < 0) {
            throw Errors.recvError(m, -ev, null);
        }
    }

    static SocketException recvFailure(SocketFd f, String m, int errno) {
        if (errno == Errno.ECONNREFUSED) {
            return Errors.withErrno(SocketError.RECV_ERROR, m, "connection refused: the peer answered an earlier "
                    + "datagram with ICMP port unreachable (nothing receives at " + peer(f) + ")", errno, null);
        }
        return Errors.recvError(m, errno, null);
    }

    static SocketException truncated(String m, long real, long room, MemorySegment got) {
        byte[] part = got.asSlice(0, Math.min(room, got.byteSize())).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return new SocketException(SocketError.RECV_ERROR, m, "datagram truncated: " + Errors.plural(real, "byte")
                + " arrived and there was room for " + room + "; the first " + part.length + " are in partialData(), "
                + "the rest is gone, in " + m + "()", Errno.EMSGSIZE, Errno.strerror(Errno.EMSGSIZE), part);
    }

    // =============================================================================================================
    // batches: sendmmsg / recvmmsg
    // =============================================================================================================

    /**
     * Sends slots {@code [from, from + count)} of {@code batch}, each as one datagram to its destination (or to the
     * connected peer when it has none), with as few sendmmsg(2) calls as the socket buffer allows. Allocates
     * nothing. Returns {@code count}.
     *
     * @throws SocketException as {@link #sendTo} does, naming the slot that failed; the slots before it were sent
     */
    public int sendBatch(DatagramBatch batch, int from, int count, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::sendBatch";
        if (from < 0 || count < 0 || (long) from + count > batch.capacity()) {
            throw new SocketException(SocketError.SEND_ERROR, m, "slots " + from + " to " + ((long) from + count)
                    + " are not within the batch's " + batch.capacity() + ", in " + m + "()", Errno.EINVAL,
                    Errno.strerror(Errno.EINVAL), null);
        }
        int cut = batch.prepareSend(from, count);
        if (cut >= 0) {
            throw new SocketException(SocketError.SEND_ERROR, m, "slot " + cut + " holds a truncated datagram of "
                    + batch.length(cut) + " bytes, more than the slot's " + batch.slotSize() + "; set its length "
                    + "before sending it, in " + m + "()", Errno.EMSGSIZE, Errno.strerror(Errno.EMSGSIZE), null);
        }
        SocketFd f = acquire(m);
        writeLock.lock();
        try {
            int timeout = Socket.timeoutInt(timeoutMs);
            int done = 0;
            while (done < count) {
                int n = MsgIo.sendmmsg(f, batch.vecAt(from + done), count - done, 0);
                if (n > 0) {
                    done += n;
                    continue;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                int e = n == 0 ? Errno.EAGAIN : -n;
                if (e != Errno.EAGAIN && e != Errno.ENOBUFS) {
                    SocketException x = sendFailure(f, m, e, batch.length(from + done), null);
                    throw new SocketException(x.error(), m, "slot " + (from + done) + " (" + done + " of " + count
                            + " sent before it): " + x.getMessage(), x.errno(), x.strerror(), null);
                }
                int ev = f.poll(f.write, Net.POLLOUT, timeout);
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (ev == 0) {
                    throw Errors.timeout(m, timeoutMs, " (" + done + " of " + count + " datagrams sent)");
                }
                if (ev < 0) {
                    throw Errors.sendError(m, -ev);
                }
            }
            return count;
        } finally {
            writeLock.unlock();
            f.release();
        }
    }

    /**
     * Receives up to {@code batch.capacity()} datagrams with one recvmmsg(2), waiting up to {@code timeoutMs} for
     * the first; then takes whatever else is already queued, without waiting. Allocates nothing. Returns how many
     * slots were filled ({@link DatagramBatch#count()}), with each slot's length and sender.
     *
     * @throws SocketException {@code SOCKET-TIMEOUT} when nothing came; {@code SOCKET-RECV-ERROR} when a
     *                         datagram was larger than its slot — every datagram received is still in the batch
     *                         (see {@link DatagramBatch#truncated(int)}), the exception says which was cut
     */
    public int receiveBatch(DatagramBatch batch, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::receiveBatch";
        SocketFd f = acquire(m);
        readLock.lock();
        try {
            int timeout = Socket.timeoutInt(timeoutMs);
            for (;;) {
                batch.prepareReceive();
                int n = MsgIo.recvmmsg(f, batch.vecAt(0), batch.capacity(), Net.MSG_TRUNC);
                if (n > 0) {
                    int cut = batch.received(n);
                    if (cut >= 0) {
                        throw new SocketException(SocketError.RECV_ERROR, m, "datagram truncated: slot " + cut
                                + " got " + Errors.plural(batch.length(cut), "byte") + " with room for "
                                + batch.slotSize() + "; all " + n + " datagrams received are in the batch, in " + m
                                + "()", Errno.EMSGSIZE, Errno.strerror(Errno.EMSGSIZE), null);
                    }
                    return n;
                }
                awaitReadable(f, m, n == 0 ? Errno.EAGAIN : -n, timeout, timeoutMs);
            }
        } finally {
            readLock.unlock();
            f.release();
        }
    }

    // =============================================================================================================
    // multicast
    // =============================================================================================================

    /**
     * Joins multicast {@code group} (an IPv4 224.0.0.0/4 or IPv6 ff00::/8 literal) on interface {@code iface}: an
     * interface name such as {@code "lo"}, for IPv4 also a local address such as {@code "127.0.0.1"}, or
     * {@code null} to let the routing table choose. The socket must be open (bound to the group's port).
     *
     * @throws SocketException {@code SOCKET-ERROR}: EINVAL for a group that is not a multicast address, ENODEV
     *                         for an interface that does not exist, or what the kernel reported
     */
    public void joinGroup(String group, String iface) throws SocketException {
        membership("DatagramSocket::joinGroup", group, iface, null, true);
    }

    /**
     * Joins {@code group} for datagrams from {@code source} only (source-specific multicast, RFC 4607), on
     * {@code iface} as in {@link #joinGroup(String, String)}.
     */
    public void joinGroup(String group, String iface, String source) throws SocketException {
        membership("DatagramSocket::joinGroup", group, iface, source, true);
    }

    /** Leaves a group joined with {@link #joinGroup(String, String)}. */
    public void leaveGroup(String group, String iface) throws SocketException {
        membership("DatagramSocket::leaveGroup", group, iface, null, false);
    }

    /** Leaves a source-specific membership. */
    public void leaveGroup(String group, String iface, String source) throws SocketException {
        membership("DatagramSocket::leaveGroup", group, iface, source, false);
    }

    private void membership(String m, String group, String iface, String source, boolean join)
            throws SocketException {
        byte[] g = group == null ? null : Sys.pton(group);
        if (g == null || !isMulticast(g)) {
            throw new SocketException(SocketError.ERROR, m, "invalid group address '" + group + "': expecting an "
                    + "IPv4 multicast address (224.0.0.0 to 239.255.255.255) or an IPv6 one (ff00::/8), in " + m
                    + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        byte[] src = null;
        if (source != null) {
            src = Sys.pton(source);
            if (src == null || src.length != g.length || isMulticast(src)) {
                throw new SocketException(SocketError.ERROR, m, "invalid source address '" + source + "': expecting"
                        + " a unicast address of the group's family, in " + m + "()", Errno.EINVAL,
                        Errno.strerror(Errno.EINVAL), null);
            }
        }
        boolean v4 = g.length == 4;
        byte[] local = new byte[4];
        int index = 0;
        if (iface != null && !iface.isEmpty()) {
            byte[] ip = Sys.pton(iface);
            if (ip != null && ip.length == 4 && v4) {
                local = ip;
            } else {
                index = FdControl.interfaceIndex(iface);
                if (index < 0) {
                    throw Errors.withErrno(SocketError.ERROR, m, "cannot " + (join ? "join" : "leave") + " group "
                            + group + " on interface '" + iface + "': no network interface of that name", -index,
                            null);
                }
            }
        }
        SocketFd f = acquire(m);
        try {
            if (!v4 && f.family() != Net.AF_INET6) {
                throw new SocketException(SocketError.ERROR, m, "an IPv6 group needs an IPv6 socket; this one is "
                        + Net.familyName(f.family()) + ", in " + m + "()", Errno.EAFNOSUPPORT,
                        Errno.strerror(Errno.EAFNOSUPPORT), null);
            }
            if (f.family() == Net.AF_UNIX) {
                throw new SocketException(SocketError.ERROR, m, "a UNIX socket cannot join a multicast group, in "
                        + m + "()", Errno.EAFNOSUPPORT, Errno.strerror(Errno.EAFNOSUPPORT), null);
            }
            int r;
            try (Arena a = Arena.ofConfined()) {
                if (src == null && v4) {
                    MemorySegment mr = a.allocate(IpMreqn.LAYOUT);
                    IpMreqn.write(mr, g, local, index);
                    r = MsgIo.setOption(f, Net.IPPROTO_IP, join ? Net.IP_ADD_MEMBERSHIP : Net.IP_DROP_MEMBERSHIP, mr,
                            IpMreqn.SIZE);
                } else if (src == null) {
                    MemorySegment mr = a.allocate(Ipv6Mreq.LAYOUT);
                    Ipv6Mreq.write(mr, g, index);
                    r = MsgIo.setOption(f, Net.IPPROTO_IPV6, join ? Net.IPV6_JOIN_GROUP : Net.IPV6_LEAVE_GROUP, mr,
                            Ipv6Mreq.SIZE);
                } else if (v4 && index == 0) {
                    // an interface given by address (or none): the IPv4-only struct, which takes an address
                    MemorySegment mr = a.allocate(IpMreqSource.LAYOUT);
                    IpMreqSource.write(mr, g, local, src);
                    r = MsgIo.setOption(f, Net.IPPROTO_IP, join ? Net.IP_ADD_SOURCE_MEMBERSHIP
                            : Net.IP_DROP_SOURCE_MEMBERSHIP, mr, IpMreqSource.SIZE);
                } else {
                    MemorySegment mr = a.allocate(GroupSourceReq.LAYOUT);
                    GroupSourceReq.write(mr, index, SockAddr.inet(g, 0, 0), SockAddr.inet(src, 0, 0));
                    r = MsgIo.setOption(f, v4 ? Net.IPPROTO_IP : Net.IPPROTO_IPV6, join ? Net.MCAST_JOIN_SOURCE_GROUP
                            : Net.MCAST_LEAVE_SOURCE_GROUP, mr, GroupSourceReq.SIZE);
                }
            }
            if (r != 0) {
                String what = (join ? "cannot join group " : "cannot leave group ") + group
                        + (source != null ? " for source " + source : "")
                        + (iface != null ? " on interface '" + iface + "'" : "");
                String hint = switch (-r) {
                    case Errno.EADDRNOTAVAIL -> join ? " (the address is not this interface's)"
                            : " (not a member of that group on that interface)";
                    case Errno.ENODEV -> " (no such interface, or it cannot do multicast)";
                    case Errno.EADDRINUSE -> " (joined already)";
                    default -> "";
                };
                throw Errors.withErrno(SocketError.ERROR, m, what + hint, -r, null);
            }
        } finally {
            f.release();
        }
    }

    private static boolean isMulticast(byte[] ip) {
        return ip.length == 4 ? (ip[0] & 0xf0) == 0xe0 : (ip[0] & 0xff) == 0xff;
    }

    // =============================================================================================================
    // options and information
    // =============================================================================================================

    /**
     * Sets {@code option} now if the socket is open, and remembers it for every descriptor this object opens later
     * (see {@link SocketOptions}).
     *
     * @throws SocketException {@code SOCKET-ERROR} for a value out of range (checked before any system call) or a
     *                         failure of setsockopt(2), naming the option
     */
    public <T> void setOption(SocketOption<T> option, T value) throws SocketException {
        synchronized (stateLock) {
            remembered.setNowAndLater(conn.fd, "DatagramSocket::setOption", option, value);
        }
    }

    /** Reads {@code option} from the open socket. */
    public <T> T getOption(SocketOption<T> option) throws SocketException {
        String m = "DatagramSocket::getOption";
        SocketFd f = acquire(m);
        try {
            return Options.get(f, m, option);
        } finally {
            f.release();
        }
    }

    /** Sets IP_MULTICAST_TTL (IPv4) or IPV6_MULTICAST_HOPS (IPv6): 0 keeps multicast on this host. */
    public void setMulticastTtl(int ttl) throws SocketException {
        if (family("DatagramSocket::setMulticastTtl") == Net.AF_INET6) {
            setOption(SocketOptions.IPV6_MULTICAST_HOPS, ttl);
        } else {
            setOption(SocketOptions.IP_MULTICAST_TTL, ttl);
        }
    }

    /** Sets IP_MULTICAST_LOOP or IPV6_MULTICAST_LOOP: whether this host's own members get what it sends. */
    public void setMulticastLoop(boolean loop) throws SocketException {
        if (family("DatagramSocket::setMulticastLoop") == Net.AF_INET6) {
            setOption(SocketOptions.IPV6_MULTICAST_LOOP, loop);
        } else {
            setOption(SocketOptions.IP_MULTICAST_LOOP, loop);
        }
    }

    /** Sets the interface multicast leaves by: a name ({@code "lo"}) or, for IPv4, a local address. */
    public void setMulticastInterface(String iface) throws SocketException {
        if (family("DatagramSocket::setMulticastInterface") == Net.AF_INET6) {
            setOption(SocketOptions.IPV6_MULTICAST_IF, iface);
        } else {
            setOption(SocketOptions.IP_MULTICAST_IF, iface);
        }
    }

    /** Sets SO_BROADCAST. */
    public void setBroadcast(boolean on) throws SocketException {
        setOption(SocketOptions.SO_BROADCAST, on);
    }

    private int family(String m) throws SocketException {
        SocketFd f = conn.fd;
        if (f == null || f.isClosed()) {
            throw Errors.notOpen(m);
        }
        return f.family();
    }

    /** This end's address (no host name lookup is made). */
    public SocketInfo getSocketInfo() throws SocketException {
        return info("DatagramSocket::getSocketInfo", false, SocketError.GETSOCKETINFO_ERROR);
    }

    /** The connected peer's address (no host name lookup is made). */
    public SocketInfo getPeerInfo() throws SocketException {
        return info("DatagramSocket::getPeerInfo", true, SocketError.GETPEERINFO_ERROR);
    }

    private SocketInfo info(String m, boolean peer, SocketError error) throws SocketException {
        SocketFd f = acquire(m);
        try {
            int[] errno = new int[1];
            SockAddr a = f.name(peer, errno);
            if (a == null) {
                throw Errors.withErrno(error, m, "error in " + (peer ? "getpeername()" : "getsockname()"), errno[0],
                        null);
            }
            return Addresses.info(a);
        } finally {
            f.release();
        }
    }

    /** The local port, or -1 for UNIX sockets and when not open. */
    public int getPort() {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            return -1;
        }
        try {
            SockAddr a = f.name(false, new int[1]);
            return a == null ? -1 : a.port();
        } finally {
            f.release();
        }
    }

    // =============================================================================================================
    // descriptors over AF_UNIX datagrams
    // =============================================================================================================

    /**
     * Sends {@code data} as one datagram with {@code fds} attached (SCM_RIGHTS, 1 to 253 descriptors), to
     * {@code target} or, when it is {@code null}, to the connected peer. The descriptors stay open here; the
     * receiver gets its own.
     */
    public int sendFds(byte[] data, String target, int... fds) throws SocketException {
        String m = "DatagramSocket::sendFds";
        FdPassing.checkFds(m, fds, SocketError.SEND_ERROR);
        SocketFd f = acquire(m);
        writeLock.lock();
        try {
            if (f.family() != Net.AF_UNIX) {
                throw new SocketException(SocketError.SEND_ERROR, m, "descriptors travel over UNIX sockets only, in "
                        + m + "()", Errno.EOPNOTSUPP, Errno.strerror(Errno.EOPNOTSUPP), null);
            }
            SockAddr to = target == null ? null : Addresses.resolve(m, target, false, Net.AF_UNIX, Net.SOCK_DGRAM,
                    SocketError.SEND_ERROR, false);
            return (int) FdPassing.send(f, m, data, fds, to, FOREVER);
        } finally {
            writeLock.unlock();
            f.release();
        }
    }

    /**
     * Receives one datagram of up to {@code maxBytes} with up to {@code maxFds} descriptors. Descriptors not taken
     * from the result are closed when it is closed.
     */
    public ReceivedFds receiveFds(int maxBytes, int maxFds, long timeoutMs) throws SocketException {
        String m = "DatagramSocket::receiveFds";
        SocketFd f = acquire(m);
        readLock.lock();
        try {
            return FdPassing.receive(f, m, maxBytes, maxFds, timeoutMs, true);
        } finally {
            readLock.unlock();
            f.release();
        }
    }

    @Override
    public String toString() {
        SocketFd f = conn.fd;
        return "DatagramSocket[" + (f == null || f.isClosed() ? "closed" : "fd=" + f.fd()) + "]";
    }
}
