package io.ffsock;

import io.ffsock.http.HttpChunkedBody;
import io.ffsock.http.HttpHeader;
import io.ffsock.http.HttpParser;
import io.ffsock.http.HttpWriter;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.FdControl;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.SockaddrUn;
import io.ffsock.internal.sys.SocketFd;
import io.ffsock.internal.sys.Sys;
import io.ffsock.tls.TlsClientAuth;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A stream socket (TCP over IPv4 or IPv6, or AF_UNIX) with the methods, arguments and semantics of Qore's
 * {@code Socket} class, over libc's socket API called through FFM.
 * <p>
 * <b>Errors.</b> Where Qore returns 0 / -1 ({@link #bind(String, boolean)}, {@link #listen()},
 * {@link #shutdown()}, {@link #setNoDelay(boolean)}) so does this class, and {@link #errno()} tells why. Everything
 * else throws {@link SocketException}, whose {@link SocketException#error()} carries the Qore code
 * ({@code SOCKET-NOT-OPEN}, {@code SOCKET-TIMEOUT}, ...).
 * <p>
 * <b>Timeouts</b> are milliseconds, -1 (any negative value) meaning forever; each limits one wait for the socket
 * to become ready, as in Qore. A read that times out keeps what it had received for the next read, and a read that
 * fails carries what it had received in {@link SocketException#partialData()}: nothing received is lost.
 * <p>
 * <b>Threads.</b> One reader and one writer may use a socket at the same time. {@link #close()} from any thread
 * wakes both; they fail with {@code SOCKET-CLOSED} (or {@code SOCKET-NOT-OPEN} if they had not started) and never
 * touch the descriptor number again, even after the kernel hands it to another socket.
 * <p>
 * <b>Resources.</b> A socket that becomes unreachable without {@link #close()} is closed by a {@link Cleaner}
 * (deleting its UNIX socket file if it bound one), but closing explicitly, with try-with-resources, is the rule.
 */
public class Socket implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<int[]> LAST_ERRNO = ThreadLocal.withInitial(() -> new int[1]);
    private static final int DEFAULT_BACKLOG = 4096;
    private static final long FOREVER = -1;
    private static final AtomicLong NEXT_EVENT_ID = new AtomicLong();

    /** The open descriptor and what close() must undo; also the Cleaner's state, so it must not refer to Socket. */
    private static final class Conn implements Runnable {
        volatile SocketFd fd;
        /** The UNIX path this socket bound, connected to, or (accepted sockets) was accepted on. */
        volatile String unixPath;
        /** Only the socket that bound a UNIX path deletes it. */
        volatile boolean unlinkOnClose;

        @Override
        public void run() {
            SocketFd f = fd;
            fd = null;
            if (f != null && f.close() && unlinkOnClose && unixPath != null) {
                Sys.unlink(unixPath);
            }
        }
    }

    private final Conn conn = new Conn();
    private final Receiver receiver = new Receiver(this::closeIfCurrent);
    private final Sender sender = new Sender(this::closeIfCurrent);
    /** Options set through setOption, applied to each descriptor this socket opens; a local address to bind. */
    private final Options.Remembered remembered = new Options.Remembered();
    @SuppressWarnings("this-escape") // SocketHttp only keeps the reference; it calls back once a method is called
    private final SocketHttp http = new SocketHttp(this, receiver, sender);
    /** Posts events to the queue of setEventQueue; null when none is set (then events cost a null check). */
    private volatile SocketEvents events;
    /** This object's event id, given on the first setEventQueue; guarded by stateLock. */
    private long eventId;
    /** Serialises open/close state changes (connect, bind, close); never held during a blocking read or write. */
    private final Object stateLock = new Object();
    private final AtomicInteger connectionId = new AtomicInteger();
    private volatile String charsetName = "UTF-8";
    private volatile Charset charset = StandardCharsets.UTF_8;
    private volatile int port = -1;
    /** TLS settings: certificate, key, trust, verification, versions, ciphers, engine (the TLS section below). */
    final TlsSettings tls = new TlsSettings();
    /** The host name the last connect was given (what a TLS client verifies the server for); null for UNIX. */
    volatile String peerName;

    /** Creates an unopened socket; connect or bind it to open it. */
    public Socket() {
        CLEANER.register(this, conn);
        CLEANER.register(this, tls::invalidate);
    }

    /** A new, unopened socket, not based on this one (Qore's {@code copy()}). */
    public Socket copy() {
        return new Socket();
    }

    /** The last errno a 0/-1 method of this class set in the calling thread (Qore's {@code errno()}). */
    public static int errno() {
        return LAST_ERRNO.get()[0];
    }

    private static int fail(int errno) {
        LAST_ERRNO.get()[0] = errno;
        return -1;
    }

    // =============================================================================================================
    // open / close
    // =============================================================================================================

    /** Whether the socket is open (connected, bound or listening). */
    public boolean isOpen() {
        SocketFd f = conn.fd;
        return f != null && !f.isClosed();
    }

    /** The file descriptor number, or -1 when not open. */
    public int getSocket() {
        SocketFd f = conn.fd;
        return f != null && !f.isClosed() ? f.fd() : -1;
    }

    /**
     * The connection id: how many times an open socket was closed through this object, counting the implicit
     * close of a later connect or bind.
     */
    public int getConnectionId() {
        return connectionId.get();
    }

    /**
     * Closes the socket (a no-op when it is not open), deleting the UNIX socket file if this socket bound it.
     * Threads blocked in this socket wake with {@code SOCKET-CLOSED}. Never throws.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            closeLocked();
        }
        SocketEvents ev = events;
        if (ev != null) {
            ev.deleted();
        }
    }

    /** Closes the current descriptor; caller holds stateLock. */
    private void closeLocked() {
        SocketFd f = conn.fd;
        if (f == null) {
            return;
        }
        conn.fd = null;
        port = -1;
        if (f.attachment() instanceof TlsConnection t) {
            t.closeQuietly(f); // close_notify, if the socket takes it at once
            receiver.drainQuietly(f); // unread session tickets would turn the close into a reset
        }
        boolean wasOpen = f.close();
        if (conn.unlinkOnClose && conn.unixPath != null) {
            Sys.unlink(conn.unixPath);
        }
        conn.unlinkOnClose = false;
        conn.unixPath = null;
        if (wasOpen) {
            connectionId.incrementAndGet();
            SocketEvents ev = events;
            if (ev != null) {
                ev.closed();
            }
        }
    }

    /** Closes {@code f} if it is still this socket's descriptor (after EOF or a fatal error on it). */
    private void closeIfCurrent(SocketFd f) {
        synchronized (stateLock) {
            if (conn.fd == f) {
                closeLocked();
            } else {
                f.close();
            }
        }
    }

    /** Installs a freshly opened descriptor; caller holds stateLock and has closed the previous one. */
    private SocketFd install(int fd, int family, int type) {
        SocketFd f = new SocketFd(fd, family, type);
        conn.fd = f;
        return f;
    }

    /** The open descriptor with a call registered on it, or SOCKET-NOT-OPEN. */
    SocketFd acquire(String method) throws SocketException {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            throw Errors.notOpen(method);
        }
        return f;
    }

    /**
     * {@code shutdown(SHUT_RDWR)}: the peer sees end of stream, even if the descriptor is shared with another
     * process. The socket stays open until {@link #close()}. Returns 0, or -1 with {@link #errno()} set; 0 when the
     * socket is not open.
     */
    public int shutdown() {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            return 0;
        }
        try {
            int r = f.shutdown(Net.SHUT_RDWR);
            return r == 0 ? 0 : fail(-r);
        } finally {
            f.release();
        }
    }

    // =============================================================================================================
    // connect
    // =============================================================================================================

    /**
     * Connects to {@code "host:port"}, {@code "[ipv6]:port"} (brackets force IPv6) or, when the string has no
     * colon, a UNIX socket path. The string is split at the last colon, so {@code "::1:80"} works too. An open
     * socket is closed first.
     *
     * @throws SocketException {@code SOCKET-CONNECT-ERROR} for every failure, including a malformed target, a host
     *                         that does not resolve, and a timeout
     */
    public void connect(String dest) throws SocketException {
        connect(dest, FOREVER);
    }

    /** {@link #connect(String)} with a timeout for the connection to be established. */
    public void connect(String dest, long timeoutMs) throws SocketException {
        Dest d = parseDest("Socket::connect", dest, false);
        if (d.path() != null) {
            connectUnix("Socket::connect", d.path(), Net.SOCK_STREAM, 0, timeoutMs);
        } else {
            connectInet("Socket::connect", d.host(), d.service(), timeoutMs, d.family(), Net.SOCK_STREAM);
        }
    }

    /** {@link #connect(String, long)} with a {@link Duration}. */
    public void connect(String dest, Duration timeout) throws SocketException {
        connect(dest, millis(timeout));
    }

    /** Connects to {@code host} (a name or an IP literal, without brackets) and {@code service} (port or name). */
    public void connectINET(String host, String service) throws SocketException {
        connectINET(host, service, FOREVER);
    }

    /** {@link #connectINET(String, String)} with a timeout. */
    public void connectINET(String host, String service, long timeoutMs) throws SocketException {
        connectINET(host, service, timeoutMs, Net.AF_UNSPEC, Net.SOCK_STREAM);
    }

    /** {@link #connectINET(String, String)} with a {@link Duration} timeout. */
    public void connectINET(String host, String service, Duration timeout) throws SocketException {
        connectINET(host, service, millis(timeout));
    }

    /** {@link #connectINET(String, String)} with a port number. */
    public void connectINET(String host, int port, long timeoutMs) throws SocketException {
        connectINET(host, Integer.toString(port), timeoutMs);
    }

    /**
     * Connects to {@code host} and {@code service}, trying every address the name resolves to (in the resolver's
     * order) until one accepts.
     *
     * @param family   {@link SocketInfo#AF_INET}, {@link SocketInfo#AF_INET6} or 0 (AF_UNSPEC: any)
     * @param socktype 1 (SOCK_STREAM)
     */
    public void connectINET(String host, String service, long timeoutMs, int family, int socktype)
            throws SocketException {
        String m = "Socket::connectINET";
        if (host == null || host.isEmpty()) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "no host given to " + m + "()");
        }
        if (service == null || service.isEmpty()) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "no port or service given to " + m + "()");
        }
        try {
            Dest.checkHost(host);
            Dest.checkPort(service);
        } catch (IllegalArgumentException e) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, e.getMessage() + " in " + m + "()");
        }
        connectInet(m, host, service, timeoutMs, family, socktype);
    }

    /** Connects to the UNIX socket at {@code path}. */
    public void connectUNIX(String path) throws SocketException {
        connectUNIX(path, Net.SOCK_STREAM, 0);
    }

    /** Connects to the UNIX socket at {@code path} with the given socket type and protocol. */
    public void connectUNIX(String path, int socktype, int protocol) throws SocketException {
        connectUnix("Socket::connectUNIX", path, socktype, protocol, FOREVER);
    }

    private static Dest parseDest(String method, String dest, boolean forBind) throws SocketException {
        try {
            return Dest.parse(dest, forBind);
        } catch (IllegalArgumentException e) {
            throw new SocketException(forBind ? SocketError.BIND_ERROR : SocketError.CONNECT_ERROR, method,
                    e.getMessage() + " in " + method + "()");
        }
    }

    private void connectInet(String m, String host, String service, long timeoutMs, int family, int socktype)
            throws SocketException {
        synchronized (stateLock) {
            closeLocked();
        }
        SocketEvents ev = events;
        if (ev != null) {
            ev.lookup(host, service);
        }
        List<Sys.Resolved> addrs;
        try {
            addrs = Sys.resolve(host, service, family, socktype, 0);
        } catch (Sys.ResolveException e) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "cannot resolve '" + host + "' (service '"
                    + service + "', family " + familyLabel(family) + ") in " + m + "(): " + e.getMessage());
        }
        if (addrs.isEmpty()) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "'" + host + "' resolves to no "
                    + (family == Net.AF_UNSPEC ? "IPv4 or IPv6" : familyLabel(family)) + " address in " + m + "()");
        }
        if (ev != null) {
            addrs.forEach(r -> ev.resolved(r.addr()));
        }
        SocketException last = null;
        for (Sys.Resolved r : addrs) {
            try {
                if (ev != null) {
                    ev.connecting(r.addr(), host, service);
                }
                connectTo(m, r.addr(), r.family(), socktype, r.protocol(), timeoutMs, r.addr().toString());
                port = r.addr().port();
                peerName = host;
                if (ev != null) {
                    ev.connected();
                }
                return;
            } catch (SocketException e) {
                last = e;
            }
        }
        throw last;
    }

    private void connectUnix(String m, String path, int socktype, int protocol, long timeoutMs)
            throws SocketException {
        checkUnixPath(m, path, SocketError.CONNECT_ERROR);
        synchronized (stateLock) {
            closeLocked();
        }
        SocketEvents ev = events;
        if (ev != null) {
            ev.connecting(SockAddr.unix(path), path, null);
        }
        connectTo(m, SockAddr.unix(path), Net.AF_UNIX, socktype, protocol, timeoutMs, path);
        conn.unixPath = path;
        peerName = null;
        if (ev != null) {
            ev.connected();
        }
    }

    private static void checkUnixPath(String m, String path, SocketError error) throws SocketException {
        if (path == null || path.isEmpty()) {
            throw new SocketException(error, m, "empty UNIX socket path in " + m + "()");
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

    /** Opens a socket and connects it to one address; on success it becomes this socket's descriptor. */
    private void connectTo(String m, SockAddr addr, int family, int socktype, int protocol, long timeoutMs,
                           String target) throws SocketException {
        int fd = Sys.socket(family, socktype, protocol);
        if (fd < 0) {
            throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "cannot open a socket for " + target, -fd, null);
        }
        SocketFd f;
        synchronized (stateLock) {
            closeLocked();
            f = install(fd, family, socktype);
        }
        if (!f.acquire()) {
            throw Errors.closedLocally(m, null);
        }
        int err;
        try (Arena a = Arena.ofConfined()) {
            applyRemembered(f, m, family, target);
            MemorySegment sa = addr.toSegment(a);
            int r = f.connect(sa, (int) sa.byteSize());
            if (r == -Errno.EAGAIN) {
                r = retryConnect(f, m, sa, timeoutMs, target);
            }
            if (r == -Errno.EINPROGRESS) {
                int ev = f.poll(f.write, Net.POLLOUT, timeoutInt(timeoutMs));
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (ev == 0) {
                    throw connectTimeout(m, timeoutMs, target);
                }
                long so = ev < 0 ? ev - 1L : f.getIntOption(Net.SOL_SOCKET, Net.SO_ERROR);
                err = so < 0 ? (int) (-so - 1) : (int) so;
            } else {
                err = -r;
            }
        } catch (SocketException e) {
            f.release();
            detach(f);
            throw e;
        }
        f.release();
        if (err != 0) {
            detach(f);
            throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in connect() (target: " + target + ")",
                    err, null);
        }
    }

    /**
     * connect(2) said EAGAIN: nothing was started (an AF_UNIX listener's accept queue is full), and poll(2) cannot
     * say when there is room, since an unconnected socket polls writable at once. A blocking connect would wait for
     * room, so try again with short pauses until {@code timeoutMs} runs out. Returns connect's next other result.
     */
    private static int retryConnect(SocketFd f, String m, MemorySegment sa, long timeoutMs, String target)
            throws SocketException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMs, 0));
        long pauseNs = TimeUnit.MILLISECONDS.toNanos(1);
        for (;;) {
            long left = deadline - System.nanoTime();
            if (timeoutMs >= 0 && left <= 0) {
                throw connectTimeout(m, timeoutMs, target);
            }
            LockSupport.parkNanos(timeoutMs >= 0 ? Math.min(pauseNs, left) : pauseNs);
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            int r = f.connect(sa, (int) sa.byteSize());
            if (r != -Errno.EAGAIN) {
                return r;
            }
            pauseNs = Math.min(pauseNs * 2, TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static SocketException connectTimeout(String m, long timeoutMs, String target) {
        return new SocketException(SocketError.CONNECT_ERROR, m, Errors.named(m, "timeout in connection after "
                + timeoutMs + "ms (target: " + target + ")"), Errno.ETIMEDOUT, null, null);
    }

    /** Drops a descriptor that never became a usable connection (a failed connect or bind attempt). */
    private void detach(SocketFd f) {
        synchronized (stateLock) {
            if (conn.fd == f) {
                conn.fd = null;
            }
        }
        f.close();
    }

    // =============================================================================================================
    // bind / listen / accept
    // =============================================================================================================

    /**
     * Opens the socket and binds it: {@code "host:port"} (a host with colons, or in brackets, binds IPv6; any other
     * host binds IPv4), or a UNIX socket path when the string has no colon. Never throws.
     *
     * @param reuseaddr set SO_REUSEADDR first (ignored for UNIX sockets)
     * @return 0, or -1 with {@link #errno()} set (EINVAL for a malformed string); the socket is closed on failure
     */
    public int bind(String bindTo, boolean reuseaddr) {
        Dest d;
        try {
            d = Dest.parse(bindTo, true);
        } catch (IllegalArgumentException e) {
            close();
            return fail(Errno.EINVAL);
        }
        try {
            if (d.path() != null) {
                bindUNIX(d.path());
            } else {
                bindInet("Socket::bind", d.host(), d.service(), reuseaddr, d.family(), Net.SOCK_STREAM, 0);
            }
            return 0;
        } catch (SocketException e) {
            close();
            return fail(e.errno() != 0 ? e.errno() : Errno.EINVAL);
        }
    }

    /** {@link #bind(String, boolean)} without SO_REUSEADDR. */
    public int bind(String bindTo) {
        return bind(bindTo, false);
    }

    /** Opens the socket and binds it to {@code port} on every interface; 0 or -1 with {@link #errno()}. */
    public int bind(int port, boolean reuseaddr) {
        if (port < 0 || port > 65535) {
            close();
            return fail(Errno.EINVAL);
        }
        try {
            bindInet("Socket::bind", null, Integer.toString(port), reuseaddr, Net.AF_UNSPEC, Net.SOCK_STREAM, 0);
            return 0;
        } catch (SocketException e) {
            close();
            return fail(e.errno() != 0 ? e.errno() : Errno.EINVAL);
        }
    }

    /** {@link #bind(int, boolean)} without SO_REUSEADDR. */
    public int bind(int port) {
        return bind(port, false);
    }

    /** Binds to {@code iface} (null: every interface) and {@code service}; throws on failure. */
    public void bindINET(String iface, String service) throws SocketException {
        bindINET(iface, service, false);
    }

    /** Binds to {@code iface} (null: every interface) and {@code service} (port or name); throws on failure. */
    public void bindINET(String iface, String service, boolean reuseaddr) throws SocketException {
        bindINET(iface, service, reuseaddr, Net.AF_UNSPEC, Net.SOCK_STREAM, 0);
    }

    /** {@link #bindINET(String, String, boolean)} with a port number. */
    public void bindINET(String iface, int port) throws SocketException {
        bindINET(iface, Integer.toString(port), false);
    }

    /**
     * Opens the socket and binds it to the first address {@code iface} and {@code service} resolve to (with
     * AI_PASSIVE) that accepts the bind.
     *
     * @throws SocketException {@code SOCKET-BIND-ERROR} when both are missing or no address can be bound;
     *                         {@code QOREADDRINFO-GETINFO-ERROR} when they do not resolve
     */
    public void bindINET(String iface, String service, boolean reuseaddr, int family, int socktype, int protocol)
            throws SocketException {
        String m = "Socket::bindINET";
        boolean noIface = iface == null || iface.isEmpty();
        boolean noService = service == null || service.isEmpty();
        if (noIface && noService) {
            throw new SocketException(SocketError.BIND_ERROR, m, "both interface (first parameter) and service "
                    + "(second parameter) were either not present or empty strings; at least one of the first 2 "
                    + "parameters must be present for a successful call to Socket::bindINET()");
        }
        try {
            Dest.checkPort(service);
        } catch (IllegalArgumentException e) {
            throw new SocketException(SocketError.BIND_ERROR, m, e.getMessage() + " in " + m + "()", Errno.EINVAL,
                    null, null);
        }
        if (!noIface) {
            try {
                Dest.checkHost(iface);
            } catch (IllegalArgumentException e) {
                // a name no resolver could answer fails as an unresolvable one does (Qore's code for bindINET)
                throw new SocketException(SocketError.ADDRINFO_ERROR, m, e.getMessage() + " in " + m + "()",
                        Errno.EINVAL, null, null);
            }
        }
        bindInet(m, noIface ? null : iface, noService ? "0" : service, reuseaddr, family, socktype, protocol);
    }

    private void bindInet(String m, String iface, String service, boolean reuseaddr, int family, int socktype,
                          int protocol) throws SocketException {
        synchronized (stateLock) {
            closeLocked();
        }
        SocketEvents ev = events;
        if (ev != null) {
            ev.lookup(iface, service);
        }
        List<Sys.Resolved> addrs;
        try {
            addrs = Sys.resolve(iface, service, family, socktype, Net.AI_PASSIVE);
        } catch (Sys.ResolveException e) {
            throw new SocketException(SocketError.ADDRINFO_ERROR, m, "getaddrinfo(node: "
                    + (iface == null ? "NULL" : "'" + iface + "'") + ", service: '" + service + "', address_family: "
                    + familyLabel(family) + ", flags: AI_PASSIVE) error: " + e.getMessage(), Errno.EINVAL, null,
                    null);
        }
        if (ev != null) {
            addrs.forEach(r -> ev.resolved(r.addr()));
        }
        String target = (iface == null ? "*" : iface) + ":" + service;
        int err = Errno.EADDRNOTAVAIL;
        for (Sys.Resolved r : addrs) {
            int fd = Sys.socket(r.family(), socktype, protocol == 0 ? r.protocol() : protocol);
            if (fd < 0) {
                err = -fd;
                continue;
            }
            SocketFd f;
            synchronized (stateLock) {
                closeLocked();
                f = install(fd, r.family(), socktype);
            }
            if (!f.acquire()) {
                throw Errors.closedLocally(m, null);
            }
            int rc;
            try {
                rc = reuseaddr ? f.setIntOption(Net.SOL_SOCKET, Net.SO_REUSEADDR, 1) : 0;
                if (rc == 0) {
                    rc = remembered.apply(f, r.family(), new String[1]);
                }
                if (rc == 0) {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment sa = r.addr().toSegment(a);
                        rc = f.bind(sa, (int) sa.byteSize());
                    }
                }
                if (rc == 0) {
                    SockAddr local = f.name(false, new int[1]);
                    port = local != null ? local.port() : r.addr().port();
                    return;
                }
            } finally {
                f.release();
            }
            err = -rc;
            detach(f);
        }
        throw Errors.withErrno(SocketError.BIND_ERROR, m, "error binding on socket (target: " + target + ")", err,
                null);
    }

    /** Opens the socket and binds it to the UNIX socket file {@code path}; throws on failure. */
    public void bindUNIX(String path) throws SocketException {
        bindUNIX(path, Net.SOCK_STREAM, 0);
    }

    /**
     * Opens the socket and binds it to the UNIX socket file {@code path}. The file is created here and deleted by
     * {@link #close()} of this socket only. An existing file (even a stale socket) is an error, never deleted.
     *
     * @throws SocketException {@code SOCKET-BIND-ERROR}, with EADDRINUSE for an existing file, ENOENT for a missing
     *                         directory, and no errno for a path longer than 107 bytes
     */
    public void bindUNIX(String path, int socktype, int protocol) throws SocketException {
        String m = "Socket::bindUNIX";
        checkUnixPath(m, path, SocketError.BIND_ERROR);
        synchronized (stateLock) {
            closeLocked();
        }
        int fd = Sys.socket(Net.AF_UNIX, socktype, protocol);
        if (fd < 0) {
            throw Errors.withErrno(SocketError.BIND_ERROR, m, "cannot open a UNIX socket", -fd, null);
        }
        SocketFd f;
        synchronized (stateLock) {
            closeLocked();
            f = install(fd, Net.AF_UNIX, socktype);
        }
        if (!f.acquire()) {
            throw Errors.closedLocally(m, null);
        }
        int rc;
        try (Arena a = Arena.ofConfined()) {
            rc = remembered.apply(f, Net.AF_UNIX, new String[1]);
            MemorySegment sa = SockAddr.unix(path).toSegment(a);
            rc = rc != 0 ? rc : f.bind(sa, (int) sa.byteSize());
        } finally {
            f.release();
        }
        if (rc != 0) {
            detach(f);
            throw Errors.withErrno(SocketError.BIND_ERROR, m, "error in bind() (target: " + path + ")", -rc, null);
        }
        synchronized (stateLock) {
            if (conn.fd == f) {
                conn.unixPath = path;
                // an abstract name ("@name") is no file: there is nothing to delete, and "@name" may be a real file
                conn.unlinkOnClose = !SockaddrUn.isAbstract(path);
            }
        }
    }

    /**
     * Puts a bound socket into the listening state with the system's largest backlog.
     *
     * @return 0, or -1 with {@link #errno()} set
     * @throws SocketException {@code SOCKET-NOT-OPEN} when the socket is not open
     */
    public int listen() throws SocketException {
        return listen(DEFAULT_BACKLOG);
    }

    /** {@link #listen()} with the given backlog (the kernel caps it at net.core.somaxconn). */
    public int listen(int backlog) throws SocketException {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            throw new SocketException(SocketError.NOT_OPEN, "Socket::listen",
                    "socket must be open before Socket::listen() call");
        }
        try {
            int r = f.listen(backlog);
            return r == 0 ? 0 : fail(-r);
        } finally {
            f.release();
        }
    }

    /** Accepts a connection, waiting as long as it takes. */
    public Socket accept() throws SocketException {
        return acceptImpl(FOREVER, "Socket::accept");
    }

    /**
     * Accepts a connection, waiting at most {@code timeoutMs}.
     *
     * @return the connected socket (with this socket's charset), or {@code null} when none came in time
     */
    public Socket accept(long timeoutMs) throws SocketException {
        return acceptImpl(timeoutMs, "Socket::accept");
    }

    /** {@link #accept(long)} with a {@link Duration}. */
    public Socket accept(Duration timeout) throws SocketException {
        return accept(millis(timeout));
    }

    private Socket acceptImpl(long timeoutMs, String m) throws SocketException {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            throw new SocketException(SocketError.NOT_OPEN, m, "socket must be opened, bound, and in a listening "
                    + "state before new connections can be accepted");
        }
        receiver.lock.lock();
        try {
            for (;;) {
                int fd = f.accept();
                if (fd >= 0) {
                    Socket s = new Socket();
                    s.charsetName = charsetName;
                    s.charset = charset;
                    s.port = port;
                    s.tls.copyFrom(tls);
                    synchronized (s.stateLock) {
                        s.install(fd, f.family(), f.type());
                        s.conn.unixPath = conn.unixPath;
                    }
                    return s;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                int e = -fd;
                if (e == Errno.EAGAIN || e == Errno.ECONNABORTED) {
                    int ev = f.poll(f.read, Net.POLLIN, timeoutInt(timeoutMs));
                    if (f.isClosed()) {
                        throw Errors.closedLocally(m, null);
                    }
                    if (ev == 0) {
                        return null;
                    }
                    if (ev < 0) {
                        throw Errors.withErrno(SocketError.ACCEPT_ERROR, m, "error in poll()", -ev, null);
                    }
                    continue;
                }
                throw Errors.withErrno(SocketError.ACCEPT_ERROR, m, "error in accept()", e, null);
            }
        } finally {
            receiver.lock.unlock();
            f.release();
        }
    }

    // =============================================================================================================
    // send
    // =============================================================================================================

    /** Sends {@code data} converted to the socket's charset; returns 0 (failures throw). */
    public int send(String data) throws SocketException {
        return send(data, FOREVER);
    }

    /** {@link #send(String)} where each wait for buffer space is limited to {@code timeoutMs}. */
    public int send(String data, long timeoutMs) throws SocketException {
        String m = "Socket::send";
        SocketFd f = acquire(m);
        try {
            byte[] b = encode(m, data);
            sender.send(f, m, MemorySegment.ofArray(b), b.length, timeoutMs);
            SocketEvents ev = events;
            if (ev != null) {
                ev.dataSent(data);
            }
            return 0;
        } finally {
            f.release();
        }
    }

    /** Sends {@code data}; returns 0. */
    public int send(byte[] data) throws SocketException {
        return send(data, FOREVER);
    }

    /** Sends {@code data} with a timeout per wait; returns 0. */
    public int send(byte[] data, long timeoutMs) throws SocketException {
        return sendSegment("Socket::send", MemorySegment.ofArray(data), data.length, timeoutMs);
    }

    /** Sends {@code data} with a {@link Duration} timeout per wait; returns 0. */
    public int send(byte[] data, Duration timeout) throws SocketException {
        return send(data, millis(timeout));
    }

    /** {@link #send(String, long)} with a {@link Duration}. */
    public int send(String data, Duration timeout) throws SocketException {
        return send(data, millis(timeout));
    }

    /** Sends the remaining bytes of {@code data} (heap or direct) and advances its position; returns 0. */
    public int send(ByteBuffer data) throws SocketException {
        return send(data, FOREVER);
    }

    /** {@link #send(ByteBuffer)} with a timeout per wait. */
    public int send(ByteBuffer data, long timeoutMs) throws SocketException {
        int n = data.remaining();
        sendSegment("Socket::send", MemorySegment.ofBuffer(data), n, timeoutMs);
        data.position(data.position() + n);
        return 0;
    }

    /** Sends all of {@code data} (native or heap); returns 0. */
    public int send(MemorySegment data) throws SocketException {
        return send(data, FOREVER);
    }

    /** {@link #send(MemorySegment)} with a timeout per wait. */
    public int send(MemorySegment data, long timeoutMs) throws SocketException {
        return sendSegment("Socket::send", data, data.byteSize(), timeoutMs);
    }

    /** Sends the UTF-8 bytes of {@code data} as they are, without charset conversion; returns 0. */
    public int sendBinary(String data) throws SocketException {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        return sendSegment("Socket::sendBinary", MemorySegment.ofArray(b), b.length, FOREVER);
    }

    /** Sends {@code data}; returns 0. */
    public int sendBinary(byte[] data) throws SocketException {
        return sendBinary(data, FOREVER);
    }

    /** Sends {@code data} with a timeout per wait; returns 0. */
    public int sendBinary(byte[] data, long timeoutMs) throws SocketException {
        return sendSegment("Socket::sendBinary", MemorySegment.ofArray(data), data.length, timeoutMs);
    }

    /** Sends {@code i} as one byte (the low 8 bits); returns 0. */
    public int sendi1(long i) throws SocketException {
        return sendInt("Socket::sendi1", i, 1, ByteOrder.BIG_ENDIAN, FOREVER);
    }

    /** Sends the low 16 bits of {@code i} big-endian; returns 0. */
    public int sendi2(long i) throws SocketException {
        return sendInt("Socket::sendi2", i, 2, ByteOrder.BIG_ENDIAN, FOREVER);
    }

    /** Sends the low 32 bits of {@code i} big-endian; returns 0. */
    public int sendi4(long i) throws SocketException {
        return sendInt("Socket::sendi4", i, 4, ByteOrder.BIG_ENDIAN, FOREVER);
    }

    /** Sends {@code i} as 8 bytes big-endian; returns 0. */
    public int sendi8(long i) throws SocketException {
        return sendInt("Socket::sendi8", i, 8, ByteOrder.BIG_ENDIAN, FOREVER);
    }

    /** Sends the low 16 bits of {@code i} little-endian; returns 0. */
    public int sendi2LSB(long i) throws SocketException {
        return sendInt("Socket::sendi2LSB", i, 2, ByteOrder.LITTLE_ENDIAN, FOREVER);
    }

    /** Sends the low 32 bits of {@code i} little-endian; returns 0. */
    public int sendi4LSB(long i) throws SocketException {
        return sendInt("Socket::sendi4LSB", i, 4, ByteOrder.LITTLE_ENDIAN, FOREVER);
    }

    /** Sends {@code i} as 8 bytes little-endian; returns 0. */
    public int sendi8LSB(long i) throws SocketException {
        return sendInt("Socket::sendi8LSB", i, 8, ByteOrder.LITTLE_ENDIAN, FOREVER);
    }

    /** {@link #sendi1(long)} with a timeout. */
    public int sendi1(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi1", i, 1, ByteOrder.BIG_ENDIAN, timeoutMs);
    }

    /** {@link #sendi2(long)} with a timeout. */
    public int sendi2(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi2", i, 2, ByteOrder.BIG_ENDIAN, timeoutMs);
    }

    /** {@link #sendi4(long)} with a timeout. */
    public int sendi4(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi4", i, 4, ByteOrder.BIG_ENDIAN, timeoutMs);
    }

    /** {@link #sendi8(long)} with a timeout. */
    public int sendi8(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi8", i, 8, ByteOrder.BIG_ENDIAN, timeoutMs);
    }

    /** {@link #sendi2LSB(long)} with a timeout. */
    public int sendi2LSB(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi2LSB", i, 2, ByteOrder.LITTLE_ENDIAN, timeoutMs);
    }

    /** {@link #sendi4LSB(long)} with a timeout. */
    public int sendi4LSB(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi4LSB", i, 4, ByteOrder.LITTLE_ENDIAN, timeoutMs);
    }

    /** {@link #sendi8LSB(long)} with a timeout. */
    public int sendi8LSB(long i, long timeoutMs) throws SocketException {
        return sendInt("Socket::sendi8LSB", i, 8, ByteOrder.LITTLE_ENDIAN, timeoutMs);
    }

    private int sendInt(String m, long v, int size, ByteOrder order, long timeoutMs) throws SocketException {
        SocketFd f = acquire(m);
        try {
            sender.sendInt(f, m, v, size, order, timeoutMs);
            SocketEvents ev = events;
            if (ev != null) {
                ev.dataSentInt(v, size, order);
            }
            return 0;
        } finally {
            f.release();
        }
    }

    private int sendSegment(String m, MemorySegment data, long len, long timeoutMs) throws SocketException {
        SocketFd f = acquire(m);
        try {
            sender.send(f, m, data, len, timeoutMs);
            SocketEvents ev = events;
            if (ev != null) {
                ev.dataSent(data, len);
            }
            return 0;
        } finally {
            f.release();
        }
    }

    byte[] encode(String m, String s) throws SocketException {
        Charset cs = charset;
        if (cs == null) {
            throw new SocketException(SocketError.ENCODING_ERROR, m, "the socket's character encoding '"
                    + charsetName + "' is not supported by this JVM, so " + m + "() cannot convert the string");
        }
        if (cs == StandardCharsets.UTF_8) {
            return s.getBytes(cs);
        }
        try {
            ByteBuffer b = cs.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new SocketException(SocketError.ENCODING_ERROR, m, "the string cannot be represented in "
                    + charsetName + " (" + e + ") in " + m + "()");
        }
    }

    // =============================================================================================================
    // recv
    // =============================================================================================================

    /**
     * Receives bytes and returns them as a string in the socket's charset.
     *
     * @param size &gt; 0: exactly that many bytes ({@code SOCKET-CLOSED} if the peer closes first, with the bytes
     *             that did arrive in {@link SocketException#partialData()}); 0: what is available, waiting for at
     *             least one byte; -1: everything until the peer closes. After end of stream the socket is closed.
     */
    public String recv(int size, long timeoutMs) throws SocketException {
        byte[] b = recvBytes("Socket::recv", size, timeoutMs, true);
        String s = decode("Socket::recv", b);
        SocketEvents ev = events;
        if (ev != null) {
            ev.dataRead(s);
        }
        return s;
    }

    /** {@link #recv(int, long)} waiting forever. */
    public String recv(int size) throws SocketException {
        return recv(size, FOREVER);
    }

    /** {@link #recv(int, long)} with size 0: what is available. */
    public String recv() throws SocketException {
        return recv(0, FOREVER);
    }

    /** {@link #recv(int, long)} with a {@link Duration}. */
    public String recv(int size, Duration timeout) throws SocketException {
        return recv(size, millis(timeout));
    }

    /** {@link #recv(int, long)} returning the bytes. */
    public byte[] recvBinary(int size, long timeoutMs) throws SocketException {
        byte[] b = recvBytes("Socket::recvBinary", size, timeoutMs, false);
        SocketEvents ev = events;
        if (ev != null && ev.withData) {
            ev.dataRead(b.clone());
        }
        return b;
    }

    /** {@link #recvBinary(int, long)} waiting forever. */
    public byte[] recvBinary(int size) throws SocketException {
        return recvBinary(size, FOREVER);
    }

    /** {@link #recvBinary(int, long)} with size 0: what is available. */
    public byte[] recvBinary() throws SocketException {
        return recvBinary(0, FOREVER);
    }

    /** {@link #recvBinary(int, long)} with a {@link Duration}. */
    public byte[] recvBinary(int size, Duration timeout) throws SocketException {
        return recvBinary(size, millis(timeout));
    }

    String decode(String m, byte[] b) throws SocketException {
        Charset cs = charset;
        if (cs == null) {
            throw new SocketException(SocketError.ENCODING_ERROR, m, "the socket's character encoding '"
                    + charsetName + "' is not supported by this JVM; the bytes received are in partialData()",
                    0, null, b);
        }
        return new String(b, cs);
    }

    /** Reads per Qore's size rule; {@code detail} adds "(n bytes requested; k received)" to timeouts. */
    private byte[] recvBytes(String m, int size, long timeoutMs, boolean detail) throws SocketException {
        if (size < -1) {
            throw new SocketException(SocketError.RECV_ERROR, m, "invalid size " + size + " in " + m
                    + "(): expecting a byte count > 0, 0 for what is available, or -1 for everything until the peer"
                    + " closes", Errno.EINVAL, null, null);
        }
        SocketFd f = acquire(m);
        try {
            return receiver.recv(f, m, size, timeoutMs, detail);
        } finally {
            f.release();
        }
    }


    /** Receives one signed byte. */
    public int recvi1() throws SocketException {
        return recvi1(FOREVER);
    }

    /** Receives one signed byte, waiting at most {@code timeoutMs} per wait. */
    public int recvi1(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi1", 1, timeoutMs).get(ValueLayout.JAVA_BYTE, 0);
    }

    /** Receives a signed big-endian 16-bit integer. */
    public int recvi2() throws SocketException {
        return recvi2(FOREVER);
    }

    /** {@link #recvi2()} with a timeout. */
    public int recvi2(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi2", 2, timeoutMs).get(WireInts.SHORT_BE, 0);
    }

    /** Receives a signed big-endian 32-bit integer. */
    public int recvi4() throws SocketException {
        return recvi4(FOREVER);
    }

    /** {@link #recvi4()} with a timeout. */
    public int recvi4(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi4", 4, timeoutMs).get(WireInts.INT_BE, 0);
    }

    /** Receives a signed big-endian 64-bit integer. */
    public long recvi8() throws SocketException {
        return recvi8(FOREVER);
    }

    /** {@link #recvi8()} with a timeout. */
    public long recvi8(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi8", 8, timeoutMs).get(WireInts.LONG_BE, 0);
    }

    /** Receives a signed little-endian 16-bit integer. */
    public int recvi2LSB() throws SocketException {
        return recvi2LSB(FOREVER);
    }

    /** {@link #recvi2LSB()} with a timeout. */
    public int recvi2LSB(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi2LSB", 2, timeoutMs).get(WireInts.SHORT_LE, 0);
    }

    /** Receives a signed little-endian 32-bit integer. */
    public int recvi4LSB() throws SocketException {
        return recvi4LSB(FOREVER);
    }

    /** {@link #recvi4LSB()} with a timeout. */
    public int recvi4LSB(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi4LSB", 4, timeoutMs).get(WireInts.INT_LE, 0);
    }

    /** Receives a signed little-endian 64-bit integer. */
    public long recvi8LSB() throws SocketException {
        return recvi8LSB(FOREVER);
    }

    /** {@link #recvi8LSB()} with a timeout. */
    public long recvi8LSB(long timeoutMs) throws SocketException {
        return recvInt("Socket::recvi8LSB", 8, timeoutMs).get(WireInts.LONG_LE, 0);
    }

    /** Receives one unsigned byte (0 to 255). */
    public int recvu1() throws SocketException {
        return recvu1(FOREVER);
    }

    /** {@link #recvu1()} with a timeout. */
    public int recvu1(long timeoutMs) throws SocketException {
        return Byte.toUnsignedInt(recvInt("Socket::recvu1", 1, timeoutMs)
                .get(ValueLayout.JAVA_BYTE, 0));
    }

    /** Receives an unsigned big-endian 16-bit integer. */
    public int recvu2() throws SocketException {
        return recvu2(FOREVER);
    }

    /** {@link #recvu2()} with a timeout. */
    public int recvu2(long timeoutMs) throws SocketException {
        return Short.toUnsignedInt(recvInt("Socket::recvu2", 2, timeoutMs).get(WireInts.SHORT_BE, 0));
    }

    /** Receives an unsigned big-endian 32-bit integer (a {@code long}, 0 to 4294967295). */
    public long recvu4() throws SocketException {
        return recvu4(FOREVER);
    }

    /** {@link #recvu4()} with a timeout. */
    public long recvu4(long timeoutMs) throws SocketException {
        return Integer.toUnsignedLong(recvInt("Socket::recvu4", 4, timeoutMs).get(WireInts.INT_BE, 0));
    }

    /** Receives an unsigned little-endian 16-bit integer. */
    public int recvu2LSB() throws SocketException {
        return recvu2LSB(FOREVER);
    }

    /** {@link #recvu2LSB()} with a timeout. */
    public int recvu2LSB(long timeoutMs) throws SocketException {
        return Short.toUnsignedInt(recvInt("Socket::recvu2LSB", 2, timeoutMs)
                .get(WireInts.SHORT_LE, 0));
    }

    /** Receives an unsigned little-endian 32-bit integer (a {@code long}). */
    public long recvu4LSB() throws SocketException {
        return recvu4LSB(FOREVER);
    }

    /** {@link #recvu4LSB()} with a timeout. */
    public long recvu4LSB(long timeoutMs) throws SocketException {
        return Integer.toUnsignedLong(recvInt("Socket::recvu4LSB", 4, timeoutMs)
                .get(WireInts.INT_LE, 0));
    }


    /** Receives exactly {@code size} bytes (all of them, however they arrive) as a segment to decode from. */
    private MemorySegment recvInt(String m, int size, long timeoutMs) throws SocketException {
        byte[] b = recvBytes(m, size, timeoutMs, false);
        SocketEvents ev = events;
        if (ev != null && ev.withData) {
            ev.dataRead(b.clone());
        }
        return MemorySegment.ofArray(b);
    }

    // =============================================================================================================
    // HTTP (io.ffsock.http) and the event queue
    // =============================================================================================================

    /**
     * Sends an HTTP request with no body: {@code "<method> <path> HTTP/<httpVersion>"} (an empty path is sent as
     * {@code /}), the headers in the map's order, and {@code Content-Length: 0} (see {@link HttpWriter} for the
     * rules on Content-Length, Transfer-Encoding and how values are written).
     *
     * @param headers the header fields in the order to send them (e.g. a {@link java.util.LinkedHashMap}); values
     *                are strings, numbers, booleans, or lists for a repeated field
     * @return the request line as sent, without CRLF (Qore's {@code info["request-uri"]})
     * @throws SocketException {@code SOCKET-NOT-OPEN}, {@code SOCKET-SEND-ERROR}, {@code SOCKET-TIMEOUT};
     *                         {@code SOCKET-HTTP-ERROR} before anything is sent for a header name or value (or
     *                         method, path, version) that would break the message (a CR or LF, for instance)
     */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers)
            throws SocketException {
        return sendHTTPMessage(method, path, httpVersion, headers, (byte[]) null, FOREVER);
    }

    /** {@link #sendHTTPMessage(String, String, String, Map)} with a body converted to the socket's charset. */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  String body) throws SocketException {
        return sendHTTPMessage(method, path, httpVersion, headers, body, FOREVER);
    }

    /** {@link #sendHTTPMessage(String, String, String, Map, String)} with a timeout for each wait. */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  String body, long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPMessage";
        return http.send(m, HttpWriter.requestLine(m, method, path, httpVersion), headers, body, timeoutMs);
    }

    /** {@link #sendHTTPMessage(String, String, String, Map)} with a body sent as it is. */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  byte[] body) throws SocketException {
        return sendHTTPMessage(method, path, httpVersion, headers, body, FOREVER);
    }

    /** {@link #sendHTTPMessage(String, String, String, Map, byte[])} with a timeout for each wait. */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  byte[] body, long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPMessage";
        return http.send(m, HttpWriter.requestLine(m, method, path, httpVersion), headers, body, timeoutMs);
    }

    /** {@link #sendHTTPMessage(String, String, String, Map)} with the remaining bytes of {@code body} (consumed). */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  ByteBuffer body, long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPMessage";
        return http.send(m, HttpWriter.requestLine(m, method, path, httpVersion), headers, body, timeoutMs);
    }

    /**
     * Sends an HTTP request whose body is read from {@code body} and sent in chunked transfer encoding: blocks of up
     * to {@code maxChunkSize} bytes, each as {@code "<hex size>\r\n<data>\r\n"}, then {@code "0\r\n"}, the
     * trailers and {@code "\r\n"}. {@code Transfer-Encoding: chunked} is added when the headers have no
     * Transfer-Encoding, and no Content-Length is sent. The stream is read to its end, not closed.
     *
     * @param maxChunkSize the largest chunk, at least 1 (Qore's default is 4096)
     * @param trailers     called once the stream ends; its map (if not null or empty) is sent as trailers; may be
     *                     {@code null}
     * @throws SocketException {@code HTTP-CHUNK-ERROR} for {@code maxChunkSize < 1}, before anything is sent;
     *                         {@code SOCKET-SEND-ERROR} when the stream fails (the message is then incomplete)
     */
    public String sendHTTPMessage(String method, String path, String httpVersion, Map<String, ?> headers,
                                  InputStream body, int maxChunkSize, long timeoutMs,
                                  Supplier<? extends Map<String, ?>> trailers) throws SocketException {
        String m = "Socket::sendHTTPMessage";
        return http.sendChunked(m, HttpWriter.requestLine(m, method, path, httpVersion), headers, body, maxChunkSize,
                timeoutMs, trailers);
    }

    /**
     * Sends an HTTP response with no body: {@code "HTTP/<httpVersion> <status> <desc>"}, the headers and
     * {@code Content-Length: 0} (none when the headers have a Transfer-Encoding).
     *
     * @param status 100 to 599
     * @return the status line as sent, without CRLF (Qore's {@code info["response-uri"]})
     * @throws SocketException {@code SOCKET-SENDHTTPRESPONSE-STATUS-ERROR} for any other status, before anything
     *                         else is checked (even whether the socket is open); otherwise as
     *                         {@link #sendHTTPMessage(String, String, String, Map)}
     */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers)
            throws SocketException {
        return sendHTTPResponse(status, desc, httpVersion, headers, (byte[]) null, FOREVER);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map)} with a body converted to the socket's charset. */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers, String body)
            throws SocketException {
        return sendHTTPResponse(status, desc, httpVersion, headers, body, FOREVER);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map, String)} with a timeout for each wait. */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers, String body,
                                   long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPResponse";
        SocketHttp.checkStatus(m, status);
        return http.send(m, HttpWriter.statusLine(m, status, desc, httpVersion), headers, body, timeoutMs);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map)} with a body sent as it is. */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers, byte[] body)
            throws SocketException {
        return sendHTTPResponse(status, desc, httpVersion, headers, body, FOREVER);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map, byte[])} with a timeout for each wait. */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers, byte[] body,
                                   long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPResponse";
        SocketHttp.checkStatus(m, status);
        return http.send(m, HttpWriter.statusLine(m, status, desc, httpVersion), headers, body, timeoutMs);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map)} with the remaining bytes of {@code body} (consumed). */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers,
                                   ByteBuffer body, long timeoutMs) throws SocketException {
        String m = "Socket::sendHTTPResponse";
        SocketHttp.checkStatus(m, status);
        return http.send(m, HttpWriter.statusLine(m, status, desc, httpVersion), headers, body, timeoutMs);
    }

    /** {@link #sendHTTPResponse(int, String, String, Map, InputStream, int, long, Supplier)} with 4096-byte chunks. */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers,
                                   InputStream body) throws SocketException {
        return sendHTTPResponse(status, desc, httpVersion, headers, body, SocketHttp.DEFAULT_CHUNK, FOREVER, null);
    }

    /**
     * Sends an HTTP response whose body is read from {@code body} and sent in chunks, as
     * {@link #sendHTTPMessage(String, String, String, Map, InputStream, int, long, Supplier)} does.
     */
    public String sendHTTPResponse(int status, String desc, String httpVersion, Map<String, ?> headers,
                                   InputStream body, int maxChunkSize, long timeoutMs,
                                   Supplier<? extends Map<String, ?>> trailers) throws SocketException {
        String m = "Socket::sendHTTPResponse";
        SocketHttp.checkStatus(m, status);
        return http.sendChunked(m, HttpWriter.statusLine(m, status, desc, httpVersion), headers, body, maxChunkSize,
                timeoutMs, trailers);
    }

    /**
     * Sends {@code body} as a chunked body (the chunks, the last chunk, the trailers), for a header sent already
     * with {@code Transfer-Encoding: chunked}.
     */
    public void sendHTTPChunkedBodyFromInputStream(InputStream body, int maxChunkSize, long timeoutMs,
                                                   Supplier<? extends Map<String, ?>> trailers)
            throws SocketException {
        http.sendChunkedBody("Socket::sendHTTPChunkedBodyFromInputStream", body, maxChunkSize, timeoutMs, trailers);
    }

    /** {@link #readHTTPHeader(long)} waiting as long as it takes. */
    public HttpHeader readHTTPHeader() throws SocketException {
        return readHTTPHeader(FOREVER, FOREVER);
    }

    /**
     * Reads an HTTP request or response header and parses it as Qore does (see {@link HttpParser}): all bytes up to
     * the blank line, and not one more, are taken off the connection; the body stays for the next read.
     * <p>
     * As a side effect the socket's charset becomes the one Content-Type names, or ISO-8859-1 when it names none or
     * is missing, so that {@link #recv(int)} reads the body right (a name the JVM does not know is kept, as
     * {@link #setCharset(String)} keeps it: string reads then fail with {@code ENCODING-CONVERSION-ERROR}, their bytes
     * in {@code partialData()}, and binary reads and HTTP headers are unaffected). No PACKET_READ events are posted; with a queue
     * set, HTTP_MESSAGE_RECEIVED is.
     *
     * @param timeoutMs the longest wait for each arrival of data (-1: forever)
     * @throws SocketException {@code SOCKET-CLOSED} when the peer closed before sending anything;
     *                         {@code SOCKET-HTTP-ERROR} ({@link io.ffsock.http.HttpException}, with the text read in
     *                         {@code getArg()} and the bytes in {@code partialData()}) for a first line without
     *                         {@code HTTP/}, a peer that closed part-way, or a header of
     *                         {@link #getHttpHeaderSizeLimit()} bytes or more; {@code SOCKET-TIMEOUT}, with what
     *                         arrived left buffered for the next read
     */
    public HttpHeader readHTTPHeader(long timeoutMs) throws SocketException {
        return readHTTPHeader(timeoutMs, FOREVER);
    }

    /** {@link #readHTTPHeader(long)} with a {@link Duration}. */
    public HttpHeader readHTTPHeader(Duration timeout) throws SocketException {
        return readHTTPHeader(millis(timeout), FOREVER);
    }

    /**
     * {@link #readHTTPHeader(long)} with a limit on the whole header as well: a peer that sends a byte now and then,
     * each within {@code timeoutMs}, still gets {@code SOCKET-TIMEOUT} once {@code totalTimeoutMs} have passed, so it
     * cannot hold the reading thread for ever.
     *
     * @param totalTimeoutMs the longest the whole header may take (-1: no limit)
     */
    public HttpHeader readHTTPHeader(long timeoutMs, long totalTimeoutMs) throws SocketException {
        return http.readHeader("Socket::readHTTPHeader", timeoutMs, totalTimeoutMs);
    }

    /**
     * Reads an HTTP header as text, unparsed: everything before the blank line, then one {@code "\n"} (Qore's
     * {@code readHTTPHeaderString}). The socket's charset is not changed.
     */
    public String readHTTPHeaderString(long timeoutMs) throws SocketException {
        return http.readHeaderString("Socket::readHTTPHeaderString", timeoutMs);
    }

    /** {@link #readHTTPChunkedBody(long)} waiting as long as it takes. */
    public HttpChunkedBody<String> readHTTPChunkedBody() throws SocketException {
        return readHTTPChunkedBody(FOREVER);
    }

    /**
     * Reads a body in chunked transfer encoding (after a header whose Transfer-Encoding is chunked) and its
     * trailers, and decodes it in the socket's charset. Chunk extensions are ignored. Stricter than Qore (see
     * {@link io.ffsock.http.ChunkedBodyDecoder}): a size that is not hexadecimal, or a chunk not followed by CRLF, is
     * an error, and the body may take at most {@link #getHttpBodySizeLimit()} bytes on the wire.
     * <p>
     * Nothing is taken off the connection until the body is complete: after a timeout the next call reads it again
     * from its start (and posts its chunk events again).
     *
     * @throws SocketException {@code READ-HTTP-CHUNK-ERROR} for a negative or malformed size or a missing CRLF (the
     *                         bytes read up to there are in {@code partialData()}); {@code SOCKET-CLOSED} when the
     *                         peer closes part-way (everything received in {@code partialData()});
     *                         {@code SOCKET-TIMEOUT}; {@code SOCKET-HTTP-ERROR} over the size limit
     */
    @SuppressWarnings("unchecked")
    public HttpChunkedBody<String> readHTTPChunkedBody(long timeoutMs) throws SocketException {
        return (HttpChunkedBody<String>) http.readChunked("Socket::readHTTPChunkedBody", timeoutMs, true);
    }

    /** {@link #readHTTPChunkedBodyBinary(long)} waiting as long as it takes. */
    public HttpChunkedBody<byte[]> readHTTPChunkedBodyBinary() throws SocketException {
        return readHTTPChunkedBodyBinary(FOREVER);
    }

    /** {@link #readHTTPChunkedBody(long)} returning the body's bytes. */
    @SuppressWarnings("unchecked")
    public HttpChunkedBody<byte[]> readHTTPChunkedBodyBinary(long timeoutMs) throws SocketException {
        return (HttpChunkedBody<byte[]>) http.readChunked("Socket::readHTTPChunkedBodyBinary", timeoutMs, false);
    }

    /**
     * Whether the last header read announced a chunked body that has not been read yet: true after
     * {@link #readHTTPHeader()} of a message with {@code Transfer-Encoding: chunked}; false after
     * {@link #readHTTPChunkedBody()} (unless it timed out), and once the socket is closed.
     */
    public boolean pendingHttpChunkedBody() {
        return http.pendingChunked();
    }

    /**
     * Reads the body that follows {@code header}: chunked when its Transfer-Encoding ends with chunked (trailers are
     * dropped; use {@link #readHTTPChunkedBodyBinary(long)} for them), else Content-Length bytes, else none for a
     * request or a 1xx, 204 or 304 response, else everything until the peer closes (RFC 9112 section 6.3). For the
     * response to a HEAD request there is no body whatever the header says: do not call this.
     *
     * @throws SocketException {@code SOCKET-HTTP-ERROR} for an invalid or conflicting Content-Length, or a body over
     *                         {@link #getHttpBodySizeLimit()}; {@code SOCKET-CLOSED} when the peer closes before the
     *                         Content-Length is complete (what came in {@code partialData()})
     */
    public byte[] readHTTPBodyBinary(HttpHeader header, long timeoutMs) throws SocketException {
        return http.readBody("Socket::readHTTPBodyBinary", header, timeoutMs);
    }

    /** {@link #readHTTPBodyBinary(HttpHeader, long)} decoded in the socket's charset (set by the header). */
    public String readHTTPBody(HttpHeader header, long timeoutMs) throws SocketException {
        String m = "Socket::readHTTPBody";
        return decode(m, http.readBody(m, header, timeoutMs));
    }

    /** The HTTP header size limit: a header of this many bytes or more fails (Qore: 16384, the default). */
    public int getHttpHeaderSizeLimit() {
        return http.headerLimit();
    }

    /** Sets the HTTP header size limit (also the limit for a chunk-size line and for trailers); at least 2. */
    public void setHttpHeaderSizeLimit(int bytes) {
        http.headerLimit(bytes);
    }

    /** The most bytes an HTTP body read may take off the connection (default 1 GiB). */
    public long getHttpBodySizeLimit() {
        return http.bodyLimit();
    }

    /**
     * Sets the most bytes an HTTP body read may take off the connection: the Content-Length, or a chunked body as it
     * is on the wire (sizes and trailers included).
     */
    public void setHttpBodySizeLimit(long bytes) {
        http.bodyLimit(bytes);
    }

    /** Removes the event queue: no more events are posted. */
    public void setEventQueue() {
        events = null;
        receiver.events = null;
        sender.events = null;
    }

    /** {@link #setEventQueue(BlockingQueue, Object, boolean)} with no argument and no data events; null removes. */
    public void setEventQueue(BlockingQueue<SocketEvent> queue) throws SocketException {
        setEventQueue(queue, null, false);
    }

    /**
     * Posts this socket's events to {@code queue} (null removes the queue): connecting, name resolution, packets read
     * and sent, closing, the HTTP messages, as {@link SocketEvent}s whose {@link EventType} and keys are Qore's. A
     * socket with no queue pays a null check on its read and write paths, and allocates nothing for events.
     * <p>
     * {@link #close()} posts CHANNEL_CLOSED (when the socket was open) and then DELETED: in Java, {@code close()} is
     * also the end of the object's life that Qore's destructor reports.
     *
     * @param arg      put in every event's {@link SocketEvent#arg()}; may be null
     * @param withData also post the data events (SOCKET_DATA_READ / SENT and the HTTP data events), with a copy of
     *                 every byte read or sent
     * @throws SocketException {@code QUEUE-ERROR} for a queue with a maximum size (an {@code ArrayBlockingQueue}, a
     *                         {@code LinkedBlockingQueue(n)}): posting must never wait
     */
    public void setEventQueue(BlockingQueue<SocketEvent> queue, Object arg, boolean withData) throws SocketException {
        if (queue == null) {
            setEventQueue();
            return;
        }
        SocketEvents.checkUnbounded("Socket::setEventQueue", queue);
        long id;
        synchronized (stateLock) {
            if (eventId == 0) {
                eventId = NEXT_EVENT_ID.incrementAndGet();
            }
            id = eventId;
        }
        SocketEvents ev = new SocketEvents(queue, id, arg, withData);
        events = ev;
        receiver.events = ev;
        sender.events = ev;
    }

    /** The event poster, or null. */
    SocketEvents events() {
        return events;
    }

    /** The charset, or null when its name is one the JVM does not know. */
    Charset charsetOrNull() {
        return charset;
    }

    /** recv for the HTTP body readers: size &gt; 0 exactly, 0 what is available. */
    byte[] recvForHttp(String m, int size, long timeoutMs) throws SocketException {
        return recvBytes(m, size, timeoutMs, false);
    }

    // =============================================================================================================
    // the allocation-free hot path and the java.io / java.nio views
    // =============================================================================================================

    /**
     * Reads at least one byte into {@code dst} (from its position, up to its limit), waiting as long as it takes,
     * and advances its position. Allocates nothing in the steady state.
     *
     * @return the count, or -1 at end of stream (the socket stays open)
     */
    public int read(ByteBuffer dst) throws SocketException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int pos = dst.position();
        int n = (int) read(bufferView(dst, true), pos, dst.limit() - pos, FOREVER, "Socket::read");
        if (n > 0) {
            dst.position(pos + n);
        }
        return n;
    }

    /** Reads at least one byte into {@code dst}; returns the count, or -1 at end of stream. */
    public long read(MemorySegment dst) throws SocketException {
        return read(dst, FOREVER, "Socket::read");
    }

    /** Reads at least one byte into {@code dst}, waiting at most {@code timeoutMs}; -1 at end of stream. */
    public long read(MemorySegment dst, long timeoutMs) throws SocketException {
        return read(dst, timeoutMs, "Socket::read");
    }

    /**
     * Reads at least one byte into {@code dst[offset, offset+length)}, waiting at most {@code timeoutMs} (-1:
     * forever); -1 at end of stream. No slice is made and nothing is allocated: this is how buffered readers such as
     * {@link io.ffsock.frame.FrameReader} fill their buffers.
     */
    public long read(MemorySegment dst, long offset, long length, long timeoutMs) throws SocketException {
        return read(dst, offset, length, timeoutMs, "Socket::read");
    }

    private long read(MemorySegment dst, long timeoutMs, String m) throws SocketException {
        return read(dst, 0, dst.byteSize(), timeoutMs, m);
    }

    private long read(MemorySegment dst, long offset, long length, long timeoutMs, String m) throws SocketException {
        java.util.Objects.checkFromIndexSize(offset, length, dst.byteSize());
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException(m + "(): cannot read into a read-only segment");
        }
        SocketFd f = acquire(m);
        try {
            long n = receiver.read(f, m, dst, offset, length, timeoutMs);
            SocketEvents ev = events;
            if (ev != null && ev.withData && n > 0) {
                ev.dataRead(dst.asSlice(offset, n).toArray(ValueLayout.JAVA_BYTE));
            }
            return n;
        } finally {
            f.release();
        }
    }

    /** Writes all remaining bytes of {@code src} and advances its position; returns the count written. */
    public int write(ByteBuffer src) throws SocketException {
        int pos = src.position();
        int n = src.limit() - pos;
        write(bufferView(src, false), pos, n, "Socket::write");
        src.position(pos + n);
        return n;
    }

    /** Writes all of {@code src}; returns the count written. Allocates nothing in the steady state. */
    public long write(MemorySegment src) throws SocketException {
        return write(src, 0, src.byteSize(), "Socket::write");
    }

    /**
     * Writes all of {@code src[offset, offset+length)}, waiting as long as it takes; returns {@code length}. No
     * slice is made and nothing is allocated: this is how {@link io.ffsock.frame.FrameWriter} sends its buffer.
     */
    public long write(MemorySegment src, long offset, long length) throws SocketException {
        return write(src, offset, length, "Socket::write");
    }

    private long write(MemorySegment src, long offset, long length, String m) throws SocketException {
        java.util.Objects.checkFromIndexSize(offset, length, src.byteSize());
        SocketFd f = acquire(m);
        try {
            sender.sendRange(f, m, src, offset, length, FOREVER);
            SocketEvents ev = events;
            if (ev != null) {
                ev.dataSent(offset == 0 ? src : src.asSlice(offset, length), length);
            }
        } finally {
            f.release();
        }
        return length;
    }

    /** A segment over all of one ByteBuffer, kept for the next call with the same buffer. */
    private record BufferView(ByteBuffer buffer, MemorySegment segment) {}

    /** The last buffers read into and written from; each side's own, so the reader and the writer never share. */
    private BufferView readView;
    private BufferView writeView;

    /**
     * The segment over all of {@code b} (offsets are buffer indices). A hot loop reuses one buffer, so the segment
     * is made once rather than per call, which is what keeps read/write(ByteBuffer) free of allocation. Racy
     * fields holding immutable records: a stale view is only a miss.
     */
    private MemorySegment bufferView(ByteBuffer b, boolean forRead) {
        BufferView v = forRead ? readView : writeView;
        if (v == null || v.buffer() != b) {
            v = new BufferView(b, MemorySegment.ofBuffer(b.duplicate().clear()));
            if (forRead) {
                readView = v;
            } else {
                writeView = v;
            }
        }
        return v.segment();
    }

    /**
     * An {@link InputStream} over this socket: reads block, -1 at end of stream, failures are
     * {@link SocketException}s. Closing the stream closes the socket.
     */
    public InputStream getInputStream() {
        return new SocketStreams.In(this);
    }

    /** An {@link OutputStream} over this socket; every write sends all its bytes. Closing it closes the socket. */
    public OutputStream getOutputStream() {
        return new SocketStreams.Out(this);
    }

    /** A {@link ByteChannel} view: blocking reads and writes, closing it closes the socket. */
    public ByteChannel channel() {
        return new SocketStreams.Channel(this);
    }

    // =============================================================================================================
    // state and information
    // =============================================================================================================

    /**
     * Whether data can be read now or within {@code timeoutMs}: bytes are buffered or arriving, the peer closed
     * (end of stream is readable: check {@link #isOpen()} after a recv), or, on a listening socket, a connection
     * is waiting to be accepted.
     */
    public boolean isDataAvailable(long timeoutMs) throws SocketException {
        SocketFd f = acquire("Socket::isDataAvailable");
        try {
            return receiver.isDataAvailable(f, timeoutMs);
        } finally {
            f.release();
        }
    }

    /** {@link #isDataAvailable(long)} without waiting. */
    public boolean isDataAvailable() throws SocketException {
        return isDataAvailable(0);
    }

    /** {@link #isDataAvailable(long)} with a {@link Duration}. */
    public boolean isDataAvailable(Duration timeout) throws SocketException {
        return isDataAvailable(millis(timeout));
    }

    /** Whether the socket can take more data now or within {@code timeoutMs} (its send buffer has room). */
    public boolean isWriteFinished(long timeoutMs) throws SocketException {
        SocketFd f = acquire("Socket::isWriteFinished");
        try {
            return Sender.isWriteFinished(f, timeoutMs);
        } finally {
            f.release();
        }
    }

    /** {@link #isWriteFinished(long)} without waiting. */
    public boolean isWriteFinished() throws SocketException {
        return isWriteFinished(0);
    }

    /** {@link #isWriteFinished(long)} with a {@link Duration}. */
    public boolean isWriteFinished(Duration timeout) throws SocketException {
        return isWriteFinished(millis(timeout));
    }

    /** The remote end, with a reverse lookup of its host name. */
    public SocketInfo getPeerInfo() throws SocketException {
        return getPeerInfo(true);
    }

    /**
     * The remote end. For UNIX sockets the path is the one this socket connected to, or for an accepted socket the
     * listener's path (a connecting UNIX socket has no name of its own).
     *
     * @param hostLookup whether to look up the host name ({@code hostname} is {@code null} without it)
     * @throws SocketException {@code SOCKET-NOT-OPEN}, or {@code SOCKET-GETPEERINFO-ERROR} when the socket is not
     *                         connected
     */
    public SocketInfo getPeerInfo(boolean hostLookup) throws SocketException {
        return info("Socket::getPeerInfo", true, hostLookup, SocketError.GETPEERINFO_ERROR);
    }

    /** This end, with a reverse lookup of its host name. */
    public SocketInfo getSocketInfo() throws SocketException {
        return getSocketInfo(true);
    }

    /** This end; {@code hostLookup} as in {@link #getPeerInfo(boolean)}. */
    public SocketInfo getSocketInfo(boolean hostLookup) throws SocketException {
        return info("Socket::getSocketInfo", false, hostLookup, SocketError.GETSOCKETINFO_ERROR);
    }

    private SocketInfo info(String m, boolean peer, boolean hostLookup, SocketError error) throws SocketException {
        SocketFd f = acquire(m);
        try {
            int[] errno = new int[1];
            SockAddr a = f.name(peer, errno);
            if (a == null) {
                throw Errors.withErrno(error, m, "error in " + (peer ? "getpeername()" : "getsockname()"), errno[0],
                        null);
            }
            if (a.family() == Net.AF_UNIX) {
                String path = conn.unixPath != null ? conn.unixPath : a.path();
                return new SocketInfo(null, null, path, "unix:" + path, -1, Net.AF_UNIX, "unix");
            }
            String addr = a.address();
            boolean v6 = a.family() == Net.AF_INET6;
            String host = hostLookup ? Sys.hostName(a) : null;
            return new SocketInfo(host, host == null ? null : describe(v6, host), addr, describe(v6, addr), a.port(),
                    a.family(), Net.familyName(a.family()));
        } finally {
            f.release();
        }
    }

    /** The family as a person reads it in a message: "ipv4", "ipv6", "unix" or "AF_UNSPEC (any)". */
    private static String familyLabel(int family) {
        return family == Net.AF_UNSPEC ? "AF_UNSPEC (any)" : Net.familyName(family);
    }

    private static String describe(boolean v6, String s) {
        return v6 ? "ipv6[" + s + "]" : "ipv4(" + s + ")";
    }

    /**
     * The port: the local one for a bound or listening socket (and the sockets it accepted), the remote one for a
     * socket connected by {@code connect}; -1 for UNIX sockets and when not open.
     */
    public int getPort() {
        return isOpen() ? port : -1;
    }

    /** Sets TCP_NODELAY (Nagle off when true). Returns 0, or -1 with {@link #errno()} (also when not open). */
    public int setNoDelay(boolean nodelay) {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            return fail(Errno.EBADF);
        }
        try {
            int r = f.setIntOption(Net.IPPROTO_TCP, Net.TCP_NODELAY, nodelay ? 1 : 0);
            return r == 0 ? 0 : fail(-r);
        } finally {
            f.release();
        }
    }

    /** {@link #setNoDelay(boolean)} with true. */
    public int setNoDelay() {
        return setNoDelay(true);
    }

    /** The TCP_NODELAY setting; false when the socket is not open or is not TCP. */
    public boolean getNoDelay() {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            return false;
        }
        try {
            return f.getIntOption(Net.IPPROTO_TCP, Net.TCP_NODELAY) > 0;
        } finally {
            f.release();
        }
    }

    /**
     * Sets the character encoding for strings sent and received. Names are looked up without regard to case and
     * with the JVM's aliases ({@code "utf8"} is UTF-8, {@code "latin1"} ISO-8859-1); a name the JVM does not know
     * is kept as given, and sending or receiving strings then fails with {@code ENCODING-CONVERSION-ERROR}.
     */
    public void setCharset(String encoding) {
        Charset cs;
        try {
            cs = Charset.forName(encoding);
        } catch (RuntimeException e) {
            cs = null;
        }
        charset = cs;
        charsetName = cs != null ? cs.name() : encoding;
    }

    /** The character encoding's name, e.g. {@code "UTF-8"}. */
    public String getCharset() {
        return charsetName;
    }

    /** Synonym of {@link #setCharset(String)}. */
    public void setEncoding(String encoding) {
        setCharset(encoding);
    }

    /** Synonym of {@link #getCharset()}. */
    public String getEncoding() {
        return getCharset();
    }

    @Override
    public String toString() {
        SocketFd f = conn.fd;
        return "Socket[" + (f == null || f.isClosed() ? "closed" : "fd=" + f.fd()) + "]";
    }

    // =============================================================================================================
    // descriptor-level control: options, raw descriptors, half-close, urgent data, vectored I/O, UNIX extras
    // =============================================================================================================

    /**
     * Sets {@code option} (see {@link SocketOptions}) now if the socket is open, and remembers it for every
     * descriptor this object opens later — applied between socket(2) and bind(2)/connect(2), which is where
     * SO_REUSEPORT, SO_BINDTODEVICE and TCP_FASTOPEN belong.
     *
     * @throws SocketException {@code SOCKET-ERROR} for a value out of range (checked before any system call, so a
     *                         negative buffer size never reaches the kernel) or when setsockopt(2) fails
     */
    public <T> void setOption(SocketOption<T> option, T value) throws SocketException {
        synchronized (stateLock) {
            remembered.setNowAndLater(conn.fd, "Socket::setOption", option, value);
        }
    }

    /** Reads {@code option} from the open socket. */
    public <T> T getOption(SocketOption<T> option) throws SocketException {
        String m = "Socket::getOption";
        SocketFd f = acquire(m);
        try {
            return Options.get(f, m, option);
        } finally {
            f.release();
        }
    }

    /** The kernel's TCP_INFO for this connection: state, RTT, congestion window, retransmissions, bytes. */
    public TcpInfo getTcpInfo() throws SocketException {
        return getOption(SocketOptions.TCP_INFO);
    }

    /** Who is at the other end of this UNIX socket (SO_PEERCRED): pid, uid and gid, as the kernel recorded them. */
    public PeerCredentials getPeerCredentials() throws SocketException {
        return getOption(SocketOptions.SO_PEERCRED);
    }

    /** Applies the remembered options (and a local address) to a descriptor about to connect. */
    private void applyRemembered(SocketFd f, String m, int family, String target) throws SocketException {
        String[] failed = new String[1];
        int r = remembered.apply(f, family, failed);
        if (r != 0) {
            throw Errors.withErrno(SocketError.CONNECT_ERROR, m, failed[0] + " before connecting to " + target, -r,
                    null);
        }
    }

    /**
     * Connects to {@code dest} (as {@link #connect(String, long)}) from the local address {@code from}
     * ({@code "host:port"}; port 0 lets the kernel pick): LiveCode's {@code open socket to host:port from
     * localhost:localport}, bind(2) before connect(2). Set SO_REUSEADDR first to reuse a local port whose last
     * connection is in TIME_WAIT.
     */
    public void connectFrom(String dest, String from, long timeoutMs) throws SocketException {
        String m = "Socket::connectFrom";
        SockAddr local = Addresses.resolve(m, from, true, Net.AF_UNSPEC, Net.SOCK_STREAM, SocketError.CONNECT_ERROR,
                true);
        if (local.family() == Net.AF_UNIX) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "'" + from + "' is a UNIX path; " + m
                    + "() takes a local \"host:port\"", Errno.EAFNOSUPPORT, Errno.strerror(Errno.EAFNOSUPPORT), null);
        }
        synchronized (stateLock) {
            remembered.local(local);
        }
        try {
            connect(dest, timeoutMs);
        } finally {
            remembered.local(null);
        }
    }

    /**
     * Connects to {@code dest} over TCP with {@code data} in the SYN when the kernel holds a Fast Open cookie for
     * the server (sendto(2) with MSG_FASTOPEN): the request reaches the server one round trip earlier. Without a
     * cookie (the first connection) the data follows the handshake as usual, and the server's answer gives the
     * cookie for the next time. All of {@code data} is sent when this returns.
     */
    public void connectFastOpen(String dest, byte[] data, long timeoutMs) throws SocketException {
        String m = "Socket::connectFastOpen";
        Dest d = parseDest(m, dest, false);
        if (d.path() != null) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "TCP Fast Open needs a \"host:port\", not the "
                    + "UNIX path '" + dest + "', in " + m + "()", Errno.EAFNOSUPPORT,
                    Errno.strerror(Errno.EAFNOSUPPORT), null);
        }
        if (data == null || data.length == 0) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "no data to send with the SYN in " + m + "()",
                    Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        synchronized (stateLock) {
            closeLocked();
        }
        List<Sys.Resolved> addrs;
        try {
            addrs = Sys.resolve(d.host(), d.service(), d.family(), Net.SOCK_STREAM, 0);
        } catch (Sys.ResolveException e) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "cannot resolve '" + d.host() + "' in " + m
                    + "(): " + e.getMessage());
        }
        SocketException last = new SocketException(SocketError.CONNECT_ERROR, m, "'" + d.host()
                + "' resolves to no address in " + m + "()");
        for (Sys.Resolved r : addrs) {
            try {
                fastOpenTo(m, r, data, timeoutMs);
                port = r.addr().port();
                peerName = d.host();
                return;
            } catch (SocketException e) {
                last = e;
            }
        }
        throw last;
    }

    private void fastOpenTo(String m, Sys.Resolved r, byte[] data, long timeoutMs) throws SocketException {
        String target = r.addr().toString();
        int fd = Sys.socket(r.family(), Net.SOCK_STREAM, r.protocol());
        if (fd < 0) {
            throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "cannot open a socket for " + target, -fd, null);
        }
        SocketFd f;
        synchronized (stateLock) {
            closeLocked();
            f = install(fd, r.family(), Net.SOCK_STREAM);
        }
        if (!f.acquire()) {
            throw Errors.closedLocally(m, null);
        }
        long sent;
        try {
            applyRemembered(f, m, r.family(), target);
            long n = io.ffsock.internal.sys.MsgIo.sendTo(f, MemorySegment.ofArray(data), data.length, r.addr(),
                    Net.MSG_FASTOPEN);
            if (n == -Errno.EOPNOTSUPP) {
                // Fast Open is off for clients (net.ipv4.tcp_fastopen bit 0): an ordinary connect, then the data
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment sa = r.addr().toSegment(a);
                    n = f.connect(sa, (int) sa.byteSize());
                }
                if (n < 0 && n != -Errno.EINPROGRESS) {
                    throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in connect() (target: " + target
                            + ")", (int) -n, null);
                }
            } else if (n < 0 && n != -Errno.EINPROGRESS && n != -Errno.EAGAIN) {
                throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in sendto(MSG_FASTOPEN) (target: "
                        + target + ")", (int) -n, null);
            }
            sent = Math.max(n, 0);
            int ev = f.poll(f.write, Net.POLLOUT, timeoutInt(timeoutMs));
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (ev == 0) {
                throw connectTimeout(m, timeoutMs, target);
            }
            long so = ev < 0 ? ev - 1L : f.getIntOption(Net.SOL_SOCKET, Net.SO_ERROR);
            int err = so < 0 ? (int) (-so - 1) : (int) so;
            if (err != 0) {
                throw Errors.withErrno(SocketError.CONNECT_ERROR, m, "error in connect() (target: " + target + ")",
                        err, null);
            }
        } catch (SocketException e) {
            f.release();
            detach(f);
            throw e;
        }
        try {
            if (sent < data.length) {
                sender.send(f, m, MemorySegment.ofArray(data).asSlice(sent), data.length - sent, timeoutMs);
            }
        } finally {
            f.release();
        }
    }

    /**
     * A connected pair of AF_UNIX stream sockets (socketpair(2)): two ends of one connection in this process, for
     * talking to a thread or, after {@link #detach()}, to a child process.
     */
    public static Socket[] socketPair() throws SocketException {
        int[] fds = FdControl.socketpair(Net.SOCK_STREAM);
        if (fds.length == 1) {
            throw Errors.withErrno(SocketError.ERROR, "Socket::socketPair", "error in socketpair()", -fds[0], null);
        }
        Socket a = new Socket();
        Socket b = new Socket();
        synchronized (a.stateLock) {
            a.install(fds[0], Net.AF_UNIX, Net.SOCK_STREAM);
        }
        synchronized (b.stateLock) {
            b.install(fds[1], Net.AF_UNIX, Net.SOCK_STREAM);
        }
        return new Socket[] {a, b};
    }

    /**
     * Takes ownership of an open stream socket descriptor someone else made — socket activation
     * ({@link SocketActivation}), inetd (fd 0), a parent process, a descriptor received with {@link #recvFds}.
     * Family, type and listening state are read from the kernel; the descriptor is made non-blocking and
     * close-on-exec like every descriptor ffsock owns. On failure it is left as it was, and still the caller's.
     *
     * @throws SocketException {@code SOCKET-ERROR}: EBADF when {@code fd} is not open, ENOTSOCK when it is not a
     *                         socket (a file, a pipe), EPROTOTYPE for a datagram socket (use
     *                         {@link DatagramSocket#fromFd})
     */
    public static Socket fromFd(int fd) throws SocketException {
        String m = "Socket::fromFd";
        FdControl.Inspected in = inspectForAdoption(m, fd);
        if (in.type() != Net.SOCK_STREAM && in.type() != Net.SOCK_SEQPACKET) {
            throw new SocketException(SocketError.ERROR, m, "fd " + fd + " is a " + typeName(in.type())
                    + " socket, not a stream socket" + (in.type() == Net.SOCK_DGRAM ? ": use DatagramSocket.fromFd()"
                    : "") + ", in " + m + "()", Errno.EPROTOTYPE, Errno.strerror(Errno.EPROTOTYPE), null);
        }
        int r = FdControl.makeOurs(fd);
        if (r != 0) {
            throw Errors.withErrno(SocketError.ERROR, m, "cannot make fd " + fd + " non-blocking", -r, null);
        }
        Socket s = new Socket();
        synchronized (s.stateLock) {
            SocketFd f = s.install(fd, in.family(), in.type());
            SockAddr local = f.name(false, new int[1]);
            SockAddr peer = in.listening() ? null : f.name(true, new int[1]);
            if (in.family() == Net.AF_UNIX) {
                String lp = local == null ? "" : local.path();
                s.conn.unixPath = lp != null && !lp.isEmpty() ? lp : peer != null ? peer.path() : null;
            } else {
                s.port = peer != null ? peer.port() : local != null ? local.port() : -1;
            }
        }
        return s;
    }

    /** Checks that {@code fd} is an open socket of a family ffsock handles; throws a clear error if not. */
    static FdControl.Inspected inspectForAdoption(String m, int fd) throws SocketException {
        if (fd < 0) {
            throw new SocketException(SocketError.ERROR, m, "fd " + fd + " is not a descriptor, in " + m + "()",
                    Errno.EBADF, Errno.strerror(Errno.EBADF), null);
        }
        FdControl.Inspected in = FdControl.inspect(fd);
        if (in.errno() == Errno.EBADF) {
            throw Errors.withErrno(SocketError.ERROR, m, "fd " + fd + " is not an open descriptor", Errno.EBADF,
                    null);
        }
        if (in.errno() == Errno.ENOTSOCK) {
            throw Errors.withErrno(SocketError.ERROR, m, "fd " + fd + " is not a socket (a file, pipe or device?)",
                    Errno.ENOTSOCK, null);
        }
        if (in.errno() != 0) {
            throw Errors.withErrno(SocketError.ERROR, m, in.step() + " on fd " + fd + " failed", in.errno(), null);
        }
        if (in.family() != Net.AF_INET && in.family() != Net.AF_INET6 && in.family() != Net.AF_UNIX) {
            throw new SocketException(SocketError.ERROR, m, "fd " + fd + " is a socket of address family "
                    + in.family() + "; ffsock handles AF_INET, AF_INET6 and AF_UNIX, in " + m + "()",
                    Errno.EAFNOSUPPORT, Errno.strerror(Errno.EAFNOSUPPORT), null);
        }
        return in;
    }

    static String typeName(int type) {
        return switch (type) {
            case Net.SOCK_STREAM -> "SOCK_STREAM";
            case Net.SOCK_DGRAM -> "SOCK_DGRAM";
            case Net.SOCK_SEQPACKET -> "SOCK_SEQPACKET";
            case Net.SOCK_RAW -> "SOCK_RAW";
            default -> "type-" + type;
        };
    }

    /**
     * Gives the descriptor away without closing it: returns its number, which is the caller's from now on, and
     * leaves this socket not open (bytes it had received and not handed out are dropped; a UNIX socket file it
     * bound is no longer deleted by it). The descriptor keeps O_NONBLOCK and FD_CLOEXEC.
     *
     * @throws SocketException {@code SOCKET-NOT-OPEN}, or {@code SOCKET-ERROR} (EBUSY) while another thread is in a
     *                         call on this socket
     */
    public int detach() throws SocketException {
        String m = "Socket::detach";
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
            conn.unlinkOnClose = false;
            conn.unixPath = null;
            port = -1;
            return r;
        }
    }

    /**
     * {@code shutdown(SHUT_RD)}: no more reading; data that arrives later is discarded (TCP) and reads return end of
     * stream, while this side can still send. Returns 0, or -1 with {@link #errno()}; 0 when not open.
     */
    public int shutdownInput() {
        return shutdownHow(Net.SHUT_RD);
    }

    /**
     * {@code shutdown(SHUT_WR)}: the half-close. The peer reads end of stream once it has everything sent before,
     * while this side still receives what the peer sends. Returns 0, or -1 with {@link #errno()}; 0 when not open.
     */
    public int shutdownOutput() {
        return shutdownHow(Net.SHUT_WR);
    }

    private int shutdownHow(int how) {
        SocketFd f = conn.fd;
        if (f == null || !f.acquire()) {
            return 0;
        }
        try {
            int r = f.shutdown(how);
            return r == 0 ? 0 : fail(-r);
        } finally {
            f.release();
        }
    }

    /**
     * Sends one byte of urgent data (MSG_OOB): the peer reads it with {@link #recvUrgent(long)} apart from the
     * stream, and {@link #atMark()} tells it where in the stream the byte was sent. Returns 0.
     */
    public int sendUrgent(int b) throws SocketException {
        String m = "Socket::sendUrgent";
        SocketFd f = acquire(m);
        refuseOverTls(f, m, "an urgent byte would go out in plain text beside the TLS session");
        ReentrantLock lock = sender.writeLock();
        lock.lock();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(1);
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) b);
            for (;;) {
                long n = f.send(one, 1, Net.MSG_OOB);
                if (n == 1) {
                    return 0;
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n != -Errno.EAGAIN) {
                    throw Errors.sendError(m, n < 0 ? (int) -n : Errno.EAGAIN);
                }
                int ev = f.poll(f.write, Net.POLLOUT, -1);
                if (ev < 0) {
                    throw Errors.sendError(m, -ev);
                }
            }
        } finally {
            lock.unlock();
            f.release();
        }
    }

    /**
     * Receives the urgent byte the peer sent with {@link #sendUrgent} (recv(2) with MSG_OOB), waiting up to
     * {@code timeoutMs} for it to be announced. Returns it as 0 to 255.
     *
     * @throws SocketException {@code SOCKET-TIMEOUT} when no urgent byte is pending (none was sent, or it was read
     *                         already); {@code SOCKET-RECV-ERROR} with SO_OOBINLINE set, where urgent data stays in
     *                         the stream
     */
    public int recvUrgent(long timeoutMs) throws SocketException {
        String m = "Socket::recvUrgent";
        SocketFd f = acquire(m);
        refuseOverTls(f, m, "urgent data does not exist inside a TLS session");
        receiver.lock.lock();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(1);
            int timeout = timeoutInt(timeoutMs);
            boolean waited = false;
            for (;;) {
                long n = f.recv(one, 1, Net.MSG_OOB);
                if (n == 1) {
                    return Byte.toUnsignedInt(one.get(ValueLayout.JAVA_BYTE, 0));
                }
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (n == 0) {
                    throw Errors.peerClosed(m, 0, null);
                }
                if (n != -Errno.EINVAL && n != -Errno.EAGAIN) {
                    throw Errors.recvError(m, (int) -n, null);
                }
                if (waited && n == -Errno.EINVAL) {
                    // POLLPRI came and still no urgent byte: it was read already or is delivered inline
                    throw Errors.timeout(m, timeoutMs, " (no urgent byte is pending)");
                }
                int ev = f.poll(f.read, Net.POLLPRI, timeout);
                if (f.isClosed()) {
                    throw Errors.closedLocally(m, null);
                }
                if (ev == 0) {
                    throw Errors.timeout(m, timeoutMs, " (no urgent byte arrived)");
                }
                if (ev < 0) {
                    throw Errors.recvError(m, -ev, null);
                }
                waited = (ev & Net.POLLPRI) != 0;
            }
        } finally {
            receiver.lock.unlock();
            f.release();
        }
    }

    /**
     * Whether the next byte to read is the one that was sent right after urgent data (SIOCATMARK): reads stop at
     * the mark, so a reader can tell which stream bytes came before the urgent byte.
     */
    public boolean atMark() throws SocketException {
        String m = "Socket::atMark";
        SocketFd f = acquire(m);
        receiver.lock.lock();
        try {
            if (receiver.buffered(f) > 0) {
                return false; // bytes received before the mark are still waiting in this socket
            }
            long r = f.ioctlInt(Net.SIOCATMARK);
            if (r < 0) {
                throw Errors.recvError(m, (int) (-r - 1), null);
            }
            return r != 0;
        } finally {
            receiver.lock.unlock();
            f.release();
        }
    }

    /**
     * Writes all bytes of {@code srcs}, in order, with writev(2): a header and a body leave in one system call
     * and, usually, one segment. Short writes are continued where they stopped, waiting for buffer space as
     * {@link #send(byte[])} does. Native segments are passed as they are; heap ones are copied first. Returns
     * the total written.
     */
    public long writev(MemorySegment... srcs) throws SocketException {
        String m = "Socket::writev";
        SocketFd f = acquire(m);
        ReentrantLock lock = sender.writeLock();
        lock.lock();
        try {
            if (f.attachment() != null) {
                // over TLS the segments go through the session, in order: records, not a writev of plaintext
                long total = 0;
                for (MemorySegment src : srcs) {
                    sender.send(f, m, src, src.byteSize(), FOREVER);
                    total += src.byteSize();
                }
                return total;
            }
            return Vectored.write(f, m, srcs, FOREVER, this::closeIfCurrent);
        } finally {
            lock.unlock();
            f.release();
        }
    }

    /** {@link #writev(MemorySegment...)} of the remaining bytes of each buffer, advancing their positions. */
    public long writev(ByteBuffer... srcs) throws SocketException {
        MemorySegment[] segs = new MemorySegment[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            segs[i] = MemorySegment.ofBuffer(srcs[i]);
        }
        long n = writev(segs);
        for (ByteBuffer b : srcs) {
            b.position(b.limit());
        }
        return n;
    }

    /**
     * Reads with readv(2) into {@code dsts} in order, filling each before the next: at least one byte, waiting as
     * long as it takes. Returns the count, or -1 at end of stream (the socket stays open).
     */
    public long readv(MemorySegment... dsts) throws SocketException {
        String m = "Socket::readv";
        SocketFd f = acquire(m);
        receiver.lock.lock();
        try {
            if (f.attachment() != null) {
                // over TLS: the plaintext into the first segment with room (at least one byte, as readv)
                for (MemorySegment dst : dsts) {
                    if (dst.byteSize() > 0) {
                        return receiver.read(f, m, dst, FOREVER);
                    }
                }
                return 0;
            }
            return Vectored.read(f, m, dsts, FOREVER, receiver, this::closeIfCurrent);
        } finally {
            receiver.lock.unlock();
            f.release();
        }
    }

    /** {@link #readv(MemorySegment...)} into the remaining space of each buffer, advancing their positions. */
    public long readv(ByteBuffer... dsts) throws SocketException {
        MemorySegment[] segs = new MemorySegment[dsts.length];
        for (int i = 0; i < dsts.length; i++) {
            segs[i] = MemorySegment.ofBuffer(dsts[i]);
        }
        long n = readv(segs);
        long left = Math.max(n, 0);
        for (ByteBuffer b : dsts) {
            int k = (int) Math.min(left, b.remaining());
            b.position(b.position() + k);
            left -= k;
        }
        return n;
    }

    /**
     * Sends {@code data} (at least one byte) with {@code fds} attached over this UNIX socket (SCM_RIGHTS, 1 to 253
     * descriptors): the peer receives duplicates of them, open in its process, with {@link #recvFds}. They stay
     * open here. Returns 0.
     */
    public int sendFds(byte[] data, int... fds) throws SocketException {
        String m = "Socket::sendFds";
        FdPassing.checkFds(m, fds, SocketError.SEND_ERROR);
        if (data == null || data.length == 0) {
            throw new SocketException(SocketError.SEND_ERROR, m, "descriptors travel with data: send at least one "
                    + "byte with them, in " + m + "()", Errno.EINVAL, Errno.strerror(Errno.EINVAL), null);
        }
        SocketFd f = acquire(m);
        refuseOverTls(f, m, "descriptors and their bytes would travel in plain text beside the TLS session");
        ReentrantLock lock = sender.writeLock();
        lock.lock();
        try {
            if (f.family() != Net.AF_UNIX) {
                throw new SocketException(SocketError.SEND_ERROR, m, "descriptors travel over UNIX sockets only, in "
                        + m + "()", Errno.EOPNOTSUPP, Errno.strerror(Errno.EOPNOTSUPP), null);
            }
            long n = FdPassing.send(f, m, data, fds, null, FOREVER);
            if (n < data.length) {
                sender.send(f, m, MemorySegment.ofArray(data).asSlice(n), data.length - n, FOREVER);
            }
            return 0;
        } finally {
            lock.unlock();
            f.release();
        }
    }

    /**
     * Receives up to {@code size} bytes and up to {@code maxFds} descriptors that came with them, waiting up to
     * {@code timeoutMs} for something to arrive. Bytes that a previous read had buffered come first, without
     * descriptors (the kernel drops descriptors attached to bytes read by a plain recv). Descriptors not taken from
     * the result are closed when it is closed.
     */
    public ReceivedFds recvFds(int size, int maxFds, long timeoutMs) throws SocketException {
        String m = "Socket::recvFds";
        SocketFd f = acquire(m);
        refuseOverTls(f, m, "descriptors cannot travel inside a TLS session");
        receiver.lock.lock();
        try {
            if (f.family() != Net.AF_UNIX) {
                throw new SocketException(SocketError.RECV_ERROR, m, "descriptors travel over UNIX sockets only, in "
                        + m + "()", Errno.EOPNOTSUPP, Errno.strerror(Errno.EOPNOTSUPP), null);
            }
            if (size > 0 && receiver.buffered(f) > 0) {
                byte[] b = receiver.takeBuffered(f, size);
                return new ReceivedFds(b, new int[0], false, null);
            }
            return FdPassing.receive(f, m, size, maxFds, timeoutMs, false);
        } finally {
            receiver.lock.unlock();
            f.release();
        }
    }

    // =============================================================================================================
    // TLS
    // =============================================================================================================

    /**
     * {@link #connect(String, long)}, then a TLS handshake as a client. The server's certificate is verified (chain
     * and host name) unless {@link #setVerifyPeer(boolean) setVerifyPeer(false)} was called; the host name checked
     * and sent as SNI is the one in {@code dest}, or {@link #setVerificationHostname(String)}'s. A UNIX socket path
     * has no host name: only the chain is verified there, unless a verification host name is set.
     *
     * @throws SocketException {@code SOCKET-CONNECT-ERROR} when the connection fails, {@code SOCKET-SSL-ERROR}
     *                         when the handshake fails (with the reason: the verification code, the peer's alert, a
     *                         peer that does not speak TLS), {@code SOCKET-TIMEOUT} when a handshake step waits
     *                         longer than the timeout; the socket is closed after any failure
     */
    public void connectSSL(String dest, long timeoutMs) throws SocketException {
        String m = "Socket::connectSSL";
        Dest d = parseDest(m, dest, false);
        TlsSettings.Ctx ctx = tls.context(m, false);
        if (d.path() != null) {
            connectUnix(m, d.path(), Net.SOCK_STREAM, 0, timeoutMs);
        } else {
            connectInet(m, d.host(), d.service(), timeoutMs, d.family(), Net.SOCK_STREAM);
        }
        startTls(m, ctx, timeoutMs, true, events);
    }

    /** {@link #connectSSL(String, long)} waiting as long as it takes. */
    public void connectSSL(String dest) throws SocketException {
        connectSSL(dest, FOREVER);
    }

    /** {@link #connectSSL(String, long)} with a {@link Duration}. */
    public void connectSSL(String dest, Duration timeout) throws SocketException {
        connectSSL(dest, millis(timeout));
    }

    /** {@link #connectINET(String, String, long, int, int)}, then a TLS handshake as in {@link #connectSSL}. */
    public void connectINETSSL(String host, String service, long timeoutMs, int family, int socktype)
            throws SocketException {
        String m = "Socket::connectINETSSL";
        TlsSettings.Ctx ctx = tls.context(m, false);
        checkInetTarget(m, host, service);
        connectInet(m, host, service, timeoutMs, family, socktype);
        startTls(m, ctx, timeoutMs, true, events);
    }

    /** {@link #connectINETSSL(String, String, long, int, int)} for any address family. */
    public void connectINETSSL(String host, String service, long timeoutMs) throws SocketException {
        connectINETSSL(host, service, timeoutMs, Net.AF_UNSPEC, Net.SOCK_STREAM);
    }

    /** {@link #connectINETSSL(String, String, long)} waiting as long as it takes. */
    public void connectINETSSL(String host, String service) throws SocketException {
        connectINETSSL(host, service, FOREVER);
    }

    /** {@link #connectINETSSL(String, String, long)} with a port number. */
    public void connectINETSSL(String host, int port, long timeoutMs) throws SocketException {
        connectINETSSL(host, Integer.toString(port), timeoutMs);
    }

    /** {@link #connectUNIX(String)}, then a TLS handshake as in {@link #connectSSL}. */
    public void connectUNIXSSL(String path) throws SocketException {
        connectUNIXSSL(path, Net.SOCK_STREAM, 0);
    }

    /** {@link #connectUNIX(String, int, int)}, then a TLS handshake as in {@link #connectSSL}. */
    public void connectUNIXSSL(String path, int socktype, int protocol) throws SocketException {
        String m = "Socket::connectUNIXSSL";
        TlsSettings.Ctx ctx = tls.context(m, false);
        connectUnix(m, path, socktype, protocol, FOREVER);
        startTls(m, ctx, FOREVER, true, events);
    }

    private static void checkInetTarget(String m, String host, String service) throws SocketException {
        if (host == null || host.isEmpty()) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "no host given to " + m + "()");
        }
        if (service == null || service.isEmpty()) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, "no port or service given to " + m + "()");
        }
        try {
            Dest.checkHost(host);
            Dest.checkPort(service);
        } catch (IllegalArgumentException e) {
            throw new SocketException(SocketError.CONNECT_ERROR, m, e.getMessage() + " in " + m + "()");
        }
    }

    /**
     * Accepts a connection and runs the TLS handshake as a server with this socket's certificate and key. The new
     * socket inherits the certificate, key and verification settings.
     *
     * @throws SocketException {@code SOCKET-NOT-OPEN} when not listening, {@code SOCKET-SSL-ERROR} when there is no
     *                         certificate and key, they do not match, or the handshake fails (the accepted
     *                         connection is then closed and this socket keeps listening)
     */
    public Socket acceptSSL() throws SocketException {
        return acceptSSL(FOREVER);
    }

    /**
     * {@link #acceptSSL()} waiting at most {@code timeoutMs} for a connection (and per handshake step).
     *
     * @return the secure socket, or {@code null} when no connection came in time
     */
    public Socket acceptSSL(long timeoutMs) throws SocketException {
        String m = "Socket::acceptSSL";
        if (!isOpen()) {
            throw new SocketException(SocketError.NOT_OPEN, m, "socket must be opened, bound, and in a listening "
                    + "state before new connections can be accepted");
        }
        TlsSettings.Ctx ctx = tls.context(m, true);
        Socket s = acceptImpl(timeoutMs, m);
        if (s != null) {
            try {
                // events go to the new socket's queue, or while it has none, to the listener's
                s.startTls(m, ctx, timeoutMs, true, s.events != null ? s.events : events);
            } catch (SocketException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        return s;
    }

    /** {@link #acceptSSL(long)} with a {@link Duration}. */
    public Socket acceptSSL(Duration timeout) throws SocketException {
        return acceptSSL(millis(timeout));
    }

    /**
     * Starts TLS as a client on this connected socket (STARTTLS). A no-op when the socket is secure already. The
     * server name verified is the verification host name, else the host the socket connected to.
     *
     * @throws SocketException {@code SOCKET-NOT-OPEN}, {@code SOCKET-SSL-ERROR} when the handshake fails (the socket
     *                         stays open, in plain mode), {@code SOCKET-TIMEOUT} when a handshake step waits longer
     *                         than {@code timeoutMs}
     */
    public void upgradeClientToSSL(long timeoutMs) throws SocketException {
        String m = "Socket::upgradeClientToSSL";
        acquire(m).release();
        if (isSecure()) {
            return;
        }
        startTls(m, tls.context(m, false), timeoutMs, false, events);
    }

    /** {@link #upgradeClientToSSL(long)} waiting as long as it takes. */
    public void upgradeClientToSSL() throws SocketException {
        upgradeClientToSSL(FOREVER);
    }

    /** Starts TLS as a server on this connected socket (STARTTLS); as {@link #upgradeClientToSSL(long)}. */
    public void upgradeServerToSSL(long timeoutMs) throws SocketException {
        String m = "Socket::upgradeServerToSSL";
        acquire(m).release();
        if (isSecure()) {
            return;
        }
        startTls(m, tls.context(m, true), timeoutMs, false, events);
    }

    /** {@link #upgradeServerToSSL(long)} waiting as long as it takes. */
    public void upgradeServerToSSL() throws SocketException {
        upgradeServerToSSL(FOREVER);
    }

    /**
     * Runs the handshake on the current connection; both sides' locks are held, so no I/O runs meanwhile. Posts
     * START_SSL before it and SSL_ESTABLISHED (cipher and version) after it to {@code ev}, if not null.
     */
    private void startTls(String m, TlsSettings.Ctx ctx, long timeoutMs, boolean closeOnFailure, SocketEvents ev)
            throws SocketException {
        SocketFd f = acquire(m);
        try {
            receiver.lock.lock();
            sender.lock.lock();
            try {
                if (f.attachment() != null) {
                    return;
                }
                if (f.type() != Net.SOCK_STREAM) {
                    // LiveCode: "UDP/datagram sockets are not supported by SSL"; DTLS is another protocol
                    SocketException e = new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "TLS needs a "
                            + "stream socket; this one is a datagram socket"));
                    if (closeOnFailure) {
                        closeIfCurrent(f);
                    }
                    throw e;
                }
                String host = null;
                if (!ctx.server()) {
                    host = tls.verificationHost();
                    if (host == null) {
                        host = peerName;
                    }
                }
                TlsConnection t = TlsConnection.open(m, ctx, host, port, sender.lock);
                f.attach(t);
                if (ev != null) {
                    ev.startSsl();
                }
                try {
                    receiver.startTls(f, m, t, timeoutMs);
                    if (ev != null) {
                        ev.sslEstablished(t.cipherName(), t.cipherVersion());
                    }
                } catch (SocketException | RuntimeException e) {
                    f.attach(null);
                    t.close();
                    if (closeOnFailure) {
                        closeIfCurrent(f);
                    }
                    throw e;
                }
            } finally {
                sender.lock.unlock();
                receiver.lock.unlock();
            }
        } finally {
            f.release();
        }
    }

    /**
     * Ends the TLS session with close_notify; the connection stays open, in plain mode. A no-op on a plain socket.
     *
     * @throws SocketException {@code SOCKET-NOT-OPEN}, or {@code SOCKET-SSL-ERROR} when close_notify cannot be sent
     */
    public void shutdownSSL() throws SocketException {
        String m = "Socket::shutdownSSL";
        SocketFd f = acquire(m);
        try {
            receiver.lock.lock();
            sender.lock.lock();
            try {
                if (f.attachment() instanceof TlsConnection t) {
                    try {
                        t.shutdown(f, m, FOREVER);
                    } finally {
                        f.attach(null);
                        t.close();
                    }
                }
            } finally {
                sender.lock.unlock();
                receiver.lock.unlock();
            }
        } finally {
            f.release();
        }
    }

    /**
     * Throws SOCKET-SSL-ERROR (releasing {@code f}) when the connection is secure: for the descriptor-level calls
     * that would put bytes on the wire beside the TLS session, or read them from under it.
     */
    private static void refuseOverTls(SocketFd f, String m, String why) throws SocketException {
        if (f.attachment() != null) {
            f.release();
            throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, why + "; call shutdownSSL() first "
                    + "to use it on this connection"));
        }
    }

    /** The live TLS session, or null (not open, or plain). */
    private TlsConnection session() {
        SocketFd f = conn.fd;
        if (f == null || f.isClosed()) {
            return null;
        }
        return f.attachment() instanceof TlsConnection t && !t.isClosed() ? t : null;
    }

    /** Whether the connection is encrypted (TLS established). */
    public boolean isSecure() {
        return session() != null;
    }

    /**
     * The negotiated cipher suite in OpenSSL's naming (e.g. {@code ECDHE-RSA-AES256-GCM-SHA384},
     * {@code TLS_AES_256_GCM_SHA384}) whichever engine runs it, or {@code null} when not secure.
     */
    public String getSSLCipherName() {
        TlsConnection t = session();
        return t == null ? null : t.cipherName();
    }

    /** The negotiated protocol ({@code TLSv1.2}, {@code TLSv1.3}), or {@code null} when not secure. */
    public String getSSLCipherVersion() {
        TlsConnection t = session();
        return t == null ? null : t.cipherVersion();
    }

    /**
     * The result of verifying the peer's certificate, as an OpenSSL X509 code name ({@code X509_V_OK},
     * {@code X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT}, ...; described by
     * {@link io.ffsock.tls.X509VerificationReasons}), whether verification was enforced or not. A client's
     * result includes the host name check. {@code null} when not secure or when the peer sent no certificate.
     */
    public String verifyPeerCertificate() {
        TlsConnection t = session();
        if (t == null) {
            return null;
        }
        TlsTrust.Result r = t.verification();
        return r == null ? null : r.code();
    }

    /** The certificate chain the peer sent (leaf first), or {@code null} when not secure or none was sent. */
    public X509Certificate[] getPeerCertificates() {
        TlsConnection t = session();
        return t == null ? null : t.peerCertificates();
    }

    /**
     * Sets the certificate (with its chain, if the PEM holds several) used as a server, or as a client asked for
     * one. The PEM may also hold the private key: it is skipped here (pass the same string to
     * {@link #setPrivateKey(String)}).
     *
     * @throws SocketException {@code SSLCERTIFICATE-CONSTRUCTOR-ERROR} when it holds no valid certificate
     */
    public void setCertificate(String pem) throws SocketException {
        tls.setChain(TlsKeys.certificatesFromPem("Socket::setCertificate", pem));
    }

    /** Sets the certificate from its DER encoding; as {@link #setCertificate(String)}. */
    public void setCertificate(byte[] der) throws SocketException {
        tls.setChain(List.of(TlsKeys.certificateFromDer("Socket::setCertificate", der)));
    }

    /** Sets the certificate and its chain (leaf first); as {@link #setCertificate(String)}. */
    public void setCertificate(X509Certificate... chain) throws SocketException {
        if (chain == null || chain.length == 0 || java.util.Arrays.asList(chain).contains(null)) {
            throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, "Socket::setCertificate",
                    "Socket::setCertificate(): no certificate given");
        }
        tls.setChain(List.of(chain));
    }

    /**
     * Sets the private key from PEM ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}); a PEM
     * holding a certificate too is fine.
     *
     * @throws SocketException {@code SSLPRIVATEKEY-CONSTRUCTOR-ERROR} when it holds no usable key, or the key is
     *                         encrypted
     */
    public void setPrivateKey(String pem) throws SocketException {
        tls.setKey(TlsKeys.privateKeyFromPem("Socket::setPrivateKey", pem, null));
    }

    /**
     * Sets the private key from PEM encrypted with {@code password}: PKCS#8 ({@code ENCRYPTED PRIVATE KEY}) or
     * OpenSSL's traditional encryption ({@code Proc-Type: 4,ENCRYPTED}).
     *
     * @throws SocketException {@code SSLPRIVATEKEY-CONSTRUCTOR-ERROR} for a wrong password or an unusable key
     */
    public void setPrivateKey(String pem, String password) throws SocketException {
        tls.setKey(TlsKeys.privateKeyFromPem("Socket::setPrivateKey", pem, password));
    }

    /** Sets the private key from DER (PKCS#8, or traditional RSA/EC); as {@link #setPrivateKey(String)}. */
    public void setPrivateKey(byte[] der) throws SocketException {
        tls.setKey(TlsKeys.privateKeyFromDer("Socket::setPrivateKey", der));
    }

    /** Sets the private key. */
    public void setPrivateKey(PrivateKey key) throws SocketException {
        if (key == null) {
            throw new SocketException(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey",
                    "Socket::setPrivateKey(): no private key given");
        }
        tls.setKey(key);
    }

    /**
     * LiveCode's {@code sslCertificates}: CA certificate files (PEM, one or many certificates, or DER) and folders
     * of them, trusted in addition to the system's CA store, for verifying peers. Replaces the previous list; no
     * arguments clears it.
     *
     * @throws SocketException {@code SSLCERTIFICATE-CONSTRUCTOR-ERROR} naming a path that does not exist or holds
     *                         no certificate
     */
    public void setSslCertificates(String... filesOrFolders) throws SocketException {
        List<String> paths = filesOrFolders == null ? List.of() : List.of(filesOrFolders);
        tls.setCa(paths, TlsTrust.loadCaPaths("Socket::setSslCertificates", paths));
    }

    /** The CA files and folders {@link #setSslCertificates} was given. */
    public List<String> getSslCertificates() {
        return tls.caPaths();
    }

    /**
     * Whether the peer's certificate must verify for the handshake to succeed: true by default (LiveCode's "with
     * verification"); false accepts any certificate ("without verification"), and {@link #verifyPeerCertificate()}
     * still tells what verification would have said. On a server it applies to client certificates, when
     * {@link #setClientAuth} asks for them.
     */
    public void setVerifyPeer(boolean verify) {
        tls.setVerifyPeer(verify);
    }

    /** Whether peer certificates are verified (true unless {@link #setVerifyPeer(boolean)} turned it off). */
    public boolean getVerifyPeer() {
        return tls.verifyPeer();
    }

    /**
     * LiveCode's "with verification for host": the server's certificate is verified for {@code hostname}, and
     * {@code hostname} is sent as SNI, whatever address the socket connects to (a proxy or a tunnel). {@code null}
     * goes back to the host of the connect call.
     */
    public void setVerificationHostname(String hostname) {
        tls.setVerificationHost(hostname == null || hostname.isEmpty() ? null : hostname);
    }

    /** The verification host name, or {@code null}. */
    public String getVerificationHostname() {
        return tls.verificationHost();
    }

    /**
     * The TLS version floor and ceiling, e.g. {@code ("TLSv1.2", "TLSv1.2")} to turn TLS 1.3 off; {@code null}
     * leaves that end to the engine. Names: {@code TLSv1}, {@code TLSv1.1}, {@code TLSv1.2}, {@code TLSv1.3} (also
     * {@code "1.2"}).
     *
     * @throws IllegalArgumentException for an unknown version or a floor above the ceiling
     */
    public void setTlsVersions(String min, String max) {
        tls.setVersions(min, max);
    }

    /** The version floor and ceiling set, as {@code [min, max]} (each {@code null} when not set). */
    public String[] getTlsVersions() {
        return tls.versions();
    }

    /**
     * The cipher suites to allow, in OpenSSL's names ({@code ECDHE-RSA-AES128-GCM-SHA256}) or IANA's
     * ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}); none restores the engine's defaults. Suites the engine does
     * not know are left out; none at all makes the next handshake fail with {@code SOCKET-SSL-ERROR}.
     */
    public void setCipherList(String... ciphers) {
        tls.setCiphers(ciphers == null ? null : List.of(ciphers));
    }

    /** The cipher suites set (IANA names), or {@code null} for the engine's defaults. */
    public List<String> getCipherList() {
        return tls.ciphers();
    }

    /** For a server: whether clients are asked for a certificate ({@code NONE} by default). */
    public void setClientAuth(TlsClientAuth mode) {
        tls.setClientAuth(mode);
    }

    /** The client certificate policy of a server. */
    public TlsClientAuth getClientAuth() {
        return tls.clientAuth();
    }

    /**
     * Selects the TLS engine of this socket by name ({@code "openssl"} from ffsock-tls, {@code "jdk"}); {@code null}
     * goes back to the process default ({@link io.ffsock.tls.TlsEngines#defaultEngine()}).
     *
     * @throws IllegalArgumentException when there is no such engine or it cannot run here
     */
    public void setTlsEngine(String name) {
        tls.setEngine(name);
    }

    /** The TLS engine of the live session, else the one the next handshake would use. */
    public String getTlsEngine() {
        TlsConnection t = session();
        return t != null ? t.engineName() : tls.engineName();
    }

    // =============================================================================================================
    // Duration overloads of the remaining timed methods, and sendBinary for buffers
    // =============================================================================================================

    /** Sends the remaining bytes of {@code data} as they are; returns 0. */
    public int sendBinary(ByteBuffer data) throws SocketException {
        int n = data.remaining();
        sendSegment("Socket::sendBinary", MemorySegment.ofBuffer(data), n, FOREVER);
        data.position(data.position() + n);
        return 0;
    }

    /** Sends all of {@code data} as it is; returns 0. */
    public int sendBinary(MemorySegment data) throws SocketException {
        return sendSegment("Socket::sendBinary", data, data.byteSize(), FOREVER);
    }

    /** {@link #sendBinary(byte[], long)} with a {@link Duration}. */
    public int sendBinary(byte[] data, Duration timeout) throws SocketException {
        return sendBinary(data, millis(timeout));
    }

    /** {@link #send(ByteBuffer, long)} with a {@link Duration}. */
    public int send(ByteBuffer data, Duration timeout) throws SocketException {
        return send(data, millis(timeout));
    }

    /** {@link #send(MemorySegment, long)} with a {@link Duration}. */
    public int send(MemorySegment data, Duration timeout) throws SocketException {
        return send(data, millis(timeout));
    }

    /** {@link #connectINET(String, String, long)} with a {@link Duration}. */
    public void connectINET(String host, String service, Duration timeout, int family, int socktype)
            throws SocketException {
        connectINET(host, service, millis(timeout), family, socktype);
    }

    /** {@link #read(MemorySegment, long)} with a {@link Duration}. */
    public long read(MemorySegment dst, Duration timeout) throws SocketException {
        return read(dst, millis(timeout));
    }

    /** {@link #sendi1(long, long)} with a {@link Duration}. */
    public int sendi1(long i, Duration timeout) throws SocketException {
        return sendi1(i, millis(timeout));
    }

    /** {@link #sendi2(long, long)} with a {@link Duration}. */
    public int sendi2(long i, Duration timeout) throws SocketException {
        return sendi2(i, millis(timeout));
    }

    /** {@link #sendi4(long, long)} with a {@link Duration}. */
    public int sendi4(long i, Duration timeout) throws SocketException {
        return sendi4(i, millis(timeout));
    }

    /** {@link #sendi8(long, long)} with a {@link Duration}. */
    public int sendi8(long i, Duration timeout) throws SocketException {
        return sendi8(i, millis(timeout));
    }

    /** {@link #sendi2LSB(long, long)} with a {@link Duration}. */
    public int sendi2LSB(long i, Duration timeout) throws SocketException {
        return sendi2LSB(i, millis(timeout));
    }

    /** {@link #sendi4LSB(long, long)} with a {@link Duration}. */
    public int sendi4LSB(long i, Duration timeout) throws SocketException {
        return sendi4LSB(i, millis(timeout));
    }

    /** {@link #sendi8LSB(long, long)} with a {@link Duration}. */
    public int sendi8LSB(long i, Duration timeout) throws SocketException {
        return sendi8LSB(i, millis(timeout));
    }

    /** {@link #recvi1(long)} with a {@link Duration}. */
    public int recvi1(Duration timeout) throws SocketException {
        return recvi1(millis(timeout));
    }

    /** {@link #recvi2(long)} with a {@link Duration}. */
    public int recvi2(Duration timeout) throws SocketException {
        return recvi2(millis(timeout));
    }

    /** {@link #recvi4(long)} with a {@link Duration}. */
    public int recvi4(Duration timeout) throws SocketException {
        return recvi4(millis(timeout));
    }

    /** {@link #recvi8(long)} with a {@link Duration}. */
    public long recvi8(Duration timeout) throws SocketException {
        return recvi8(millis(timeout));
    }

    /** {@link #recvi2LSB(long)} with a {@link Duration}. */
    public int recvi2LSB(Duration timeout) throws SocketException {
        return recvi2LSB(millis(timeout));
    }

    /** {@link #recvi4LSB(long)} with a {@link Duration}. */
    public int recvi4LSB(Duration timeout) throws SocketException {
        return recvi4LSB(millis(timeout));
    }

    /** {@link #recvi8LSB(long)} with a {@link Duration}. */
    public long recvi8LSB(Duration timeout) throws SocketException {
        return recvi8LSB(millis(timeout));
    }

    /** {@link #recvu1(long)} with a {@link Duration}. */
    public int recvu1(Duration timeout) throws SocketException {
        return recvu1(millis(timeout));
    }

    /** {@link #recvu2(long)} with a {@link Duration}. */
    public int recvu2(Duration timeout) throws SocketException {
        return recvu2(millis(timeout));
    }

    /** {@link #recvu4(long)} with a {@link Duration}. */
    public long recvu4(Duration timeout) throws SocketException {
        return recvu4(millis(timeout));
    }

    /** {@link #recvu2LSB(long)} with a {@link Duration}. */
    public int recvu2LSB(Duration timeout) throws SocketException {
        return recvu2LSB(millis(timeout));
    }

    /** {@link #recvu4LSB(long)} with a {@link Duration}. */
    public long recvu4LSB(Duration timeout) throws SocketException {
        return recvu4LSB(millis(timeout));
    }

    // =============================================================================================================
    // helpers
    // =============================================================================================================

    /** Qore timeouts: negative is forever; poll(2) takes an int. */
    static int timeoutInt(long timeoutMs) {
        return timeoutMs < 0 ? -1 : (int) Math.min(timeoutMs, Integer.MAX_VALUE);
    }

    static long millis(Duration d) {
        return d == null || d.isNegative() ? -1 : Math.min(d.toMillis(), Integer.MAX_VALUE);
    }
}
