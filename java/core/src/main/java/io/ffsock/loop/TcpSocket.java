package io.ffsock.loop;

import io.ffsock.TlsClientContexts;
import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

/**
 * A TCP connection with a state machine and event handlers, as {@code net.TcpSocket} documents it, running on an
 * {@link EventLoop}.
 *
 * <h2>States</h2>
 * <pre>
 *               connect()               host found               connected
 *  UNCONNECTED -----------> HOST_LOOKUP ----------> CONNECTING -----------> CONNECTED
 *   ^   |                       | error                 | error                 |
 *   |   | bind()                v                       v                       | disconnect(),
 *   |   v        connect()   UNCONNECTED            UNCONNECTED                 | or the peer closed
 *   |  BOUND ---------------> HOST_LOOKUP ...                                   v
 *   |                                                                        CLOSING
 *   |                    queue sent, socket closed                              |
 *   +---------------------------------------------------------------------------+
 *
 *   abort() goes to UNCONNECTED from any state at once.
 * </pre>
 * The numeric values of {@link State} and {@link Error} are the documented ones ({@link State#code()},
 * {@link Error#code()}).
 *
 * <h2>Handlers and their order</h2>
 * Every handler runs on the loop thread. Each state change calls {@code onStateChanged} with the new state, then the
 * handler of the event that caused it:
 * <ul>
 *   <li>{@code connect()}: stateChanged(HOST_LOOKUP); after the lookup hostFound, then stateChanged(CONNECTING)
 *       (the order of the reference's description of {@code connect()}); once connected stateChanged(CONNECTED),
 *       then connected.</li>
 *   <li>A failure: error(socket, error) is called <em>first</em>, while the state is still the one the failure
 *       happened in, then the state changes (to UNCONNECTED). For the peer closing the connection this is the
 *       reference's rule: REMOTE_HOST_CLOSED while still CONNECTED, then CLOSING (queued bytes are still sent),
 *       UNCONNECTED and disconnected.</li>
 *   <li>{@code disconnect()}: stateChanged(CLOSING); when the write queue is empty the socket is closed,
 *       stateChanged(UNCONNECTED), then disconnected.</li>
 *   <li>{@code abort()}: the queues are discarded, the connection is reset (RST), stateChanged(UNCONNECTED), then
 *       disconnected if it had been connected.</li>
 * </ul>
 * readyRead is called each time new bytes have arrived; bytesWritten each time bytes have left the write queue for
 * the kernel, with their count.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread. Those that change the connection ({@code connect}, {@code disconnect},
 * {@code abort}, {@code bindAsync}) are handed to the loop and return at once; {@link #bind(int)} waits for the
 * loop's answer (the reference's {@code bind_async} is {@link #bindAsync}). Reads and writes take the buffer's lock,
 * so a thread other than the loop's may read and write too; writes from other threads are sent by the loop.
 *
 * <h2>Back-pressure</h2>
 * {@link #write} never blocks and always queues. The queue has a visible high-water mark
 * ({@link #writeHighWaterMark()}, default 1 MiB): from there {@link #isWritable()} is false until the queue has
 * drained to half of it; then {@code onWritable} is called and {@link #awaitWritable(Duration)} returns. On the reading
 * side, at most {@link #readBufferLimit()} unread bytes are taken from the kernel; beyond that the loop stops reading
 * this socket, the kernel's buffers fill and TCP flow control slows the peer down. A program that only writes while
 * writable and reads when it can therefore holds a bounded amount of memory per connection, whatever the peer does.
 */
public final class TcpSocket implements AutoCloseable {

    /** The states of a socket, with the reference's values. */
    public enum State {
        /** The socket is not connected. */
        UNCONNECTED(0),
        /** The socket is performing a host name lookup. */
        HOST_LOOKUP(1),
        /** The socket has started establishing a connection. */
        CONNECTING(2),
        /** A connection is established. */
        CONNECTED(3),
        /** The socket is bound to a port. */
        BOUND(4),
        /** The socket is about to close (data may still be waiting to be written). */
        CLOSING(6);

        private final int code;

        State(int code) {
            this.code = code;
        }

        /** The documented numeric value. */
        public int code() {
            return code;
        }
    }

    /** The errors a socket reports, with the reference's values. */
    public enum Error {
        /** The connection was refused by the peer (or timed out). */
        CONNECTION_REFUSED(0),
        /** The remote host closed the connection. */
        REMOTE_HOST_CLOSED(1),
        /** The host address was not found. */
        HOST_NOT_FOUND(2),
        /** Out of resources (e.g. too many sockets open). */
        SOCKET_RESOURCE(4),
        /** The socket operation timed out. */
        SOCKET_TIMEOUT(5),
        /** The datagram was larger than the limit. */
        DATAGRAM_TOO_LARGE(6),
        /** An error occurred with the network (e.g. unreachable). */
        NETWORK(7),
        /** The requested socket operation is not supported. */
        UNSUPPORTED_SOCKET_OPERATION(10),
        /** The last socket operation has not finished yet. */
        UNFINISHED_SOCKET_OPERATION(11),
        /** The TLS handshake failed, so the connection was closed. */
        SSL_HANDSHAKE_FAILED(13),
        /** An operation was attempted while the socket was in a state that did not permit it. */
        OPERATION(19),
        /** The TLS library reported an internal error. */
        SSL_INTERNAL(20),
        /** Invalid data (certificate, key, cipher) was given to the TLS library. */
        SSL_INVALID_USER_DATA(21),
        /** A temporary error occurred (e.g. the operation would block). */
        TEMPORARY(22),
        /** An unidentified error occurred. */
        UNKNOWN(-1);

        private final int code;

        Error(int code) {
            this.code = code;
        }

        /** The documented numeric value. */
        public int code() {
            return code;
        }

        /** The error a failed system call maps to. */
        static Error of(int errno) {
            return switch (errno) {
                case Errno.ECONNREFUSED, Errno.ETIMEDOUT -> CONNECTION_REFUSED;
                case Errno.ECONNRESET, Errno.EPIPE, Errno.ECONNABORTED -> REMOTE_HOST_CLOSED;
                case Errno.EMFILE, Errno.ENFILE, Errno.ENOBUFS, Errno.ENOMEM, Errno.EADDRNOTAVAIL -> SOCKET_RESOURCE;
                case Errno.EMSGSIZE -> DATAGRAM_TOO_LARGE;
                case Errno.ENETUNREACH, Errno.EHOSTUNREACH, Errno.ENETDOWN, Errno.EHOSTDOWN, Errno.ENETRESET -> NETWORK;
                case Errno.EAFNOSUPPORT, Errno.EOPNOTSUPP, Errno.EPROTOTYPE -> UNSUPPORTED_SOCKET_OPERATION;
                case Errno.EALREADY, Errno.EINPROGRESS -> UNFINISHED_SOCKET_OPERATION;
                case Errno.EAGAIN -> TEMPORARY;
                default -> UNKNOWN;
            };
        }
    }

    /** Called with the number of bytes that left the write queue. */
    @FunctionalInterface
    public interface BytesWrittenHandler {
        void bytesWritten(TcpSocket socket, long bytes);
    }

    /** The answer of {@link #bindAsync}: {@code result} is true on success; {@code error} is non-null on failure. */
    @FunctionalInterface
    public interface BindCallback {
        void bound(TcpSocket socket, boolean result, Error error);
    }

    private static final int CONNECTED_INTEREST = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;
    private static final int CONNECTING_INTEREST = Epoll.EPOLLOUT | Epoll.EPOLLET;
    private static final long DEFAULT_HIGH_WATER = 1 << 20;
    private static final long DEFAULT_READ_LIMIT = 1 << 20;
    /** RFC 8305's recommended Connection Attempt Delay. */
    static final long ATTEMPT_DELAY_MS = 250;

    final EventLoop loop;
    private final Link link = new Link();

    // --- visible from any thread -------------------------------------------------------------------------------
    private volatile State state = State.UNCONNECTED;
    private volatile Error error;
    private volatile String errorString = "";
    private volatile SockAddr peer;
    private volatile SockAddr local;
    private volatile String peerName = "";
    private volatile long highWater = DEFAULT_HIGH_WATER;
    private volatile long readLimit = DEFAULT_READ_LIMIT;
    private volatile boolean noDelay = true;
    private volatile long attemptDelayMs = ATTEMPT_DELAY_MS;
    private volatile long connectTimeoutMs;
    private volatile Resolver resolver = Resolver.system();
    private volatile TlsOptions tlsOptions;

    /** connect() was called and the loop has not started it yet: writes are accepted meanwhile. */
    private volatile boolean connectPending;

    private volatile Consumer<TcpSocket> onConnected;
    private volatile Consumer<TcpSocket> onDisconnected;
    private volatile BiConsumer<TcpSocket, Error> onError;
    private volatile BiConsumer<TcpSocket, State> onStateChanged;
    private volatile Consumer<TcpSocket> onHostFound;
    private volatile BytesWrittenHandler onBytesWritten;
    private volatile Consumer<TcpSocket> onReadyRead;
    private volatile Consumer<TcpSocket> onWritable;

    /** Unread bytes; guarded by itself. */
    private final ByteQueue in = new ByteQueue();
    /** Bytes not yet given to the kernel (plain text under TLS); guarded by itself. */
    private final ByteQueue out = new ByteQueue();
    private volatile int inSize;
    private volatile long outSize;
    /** Write callbacks (LiveCode's "with message"): positions in the written-bytes count; guarded by {@link #out}. */
    private ArrayDeque<Object> marks;
    /** Bytes ever queued for writing and ever sent (plain text); guarded by {@link #out}. */
    private long queuedTotal;
    private long sentTotal;
    private volatile int writeWaiters;

    // --- loop thread only --------------------------------------------------------------------------------------
    /** Reading stopped because {@link #in} reached the limit; events seen meanwhile. */
    private volatile boolean readPaused;
    private int pausedEvents;
    private volatile boolean resumeQueued;
    private volatile boolean flushQueuedOffLoop;
    /** The queue reached the high-water mark and has not yet drained to half of it. */
    private volatile boolean aboveHighWater;
    private boolean dispatching;
    private int gen;
    private List<SockAddr> addrs;
    private int nextAddr;
    private final List<Attempt> attempts = new ArrayList<>(2);
    private int lastErrno;
    private EventLoop.Timer attemptTimer;
    private EventLoop.Timer connectTimer;
    /** The descriptor bind() reserved the local port with, or -1. */
    private int boundFd = -1;
    private SockAddr boundAt;
    private TlsSession tls;
    private boolean tlsShutdownSent;

    private final Runnable flushTask = () -> {
        flushQueuedOffLoop = false;
        if (link.fd >= 0) {
            flush();
        }
    };
    private final Runnable resumeTask = () -> {
        resumeQueued = false;
        resumeReading();
    };

    /** A socket on the {@linkplain EventLoop#shared() shared loop}. */
    public TcpSocket() {
        this(EventLoop.shared());
    }

    /** A socket whose handlers run on {@code loop}. */
    public TcpSocket(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /** An accepted connection (TcpServer): CONNECTED from the start; registered by {@link #adopt()}. */
    TcpSocket(EventLoop loop, int fd, SockAddr peer) {
        this.loop = loop;
        this.link.pendingFd = fd;
        this.peer = peer;
        this.state = State.CONNECTED;
    }

    /** The descriptor of an accepted socket joins the loop; loop thread. Returns 0 or -errno (fd closed then). */
    int adopt() {
        int fd = link.pendingFd;
        link.pendingFd = -1;
        if (fd < 0) {
            return 0; // aborted by the new-connection handler
        }
        if (noDelay) {
            loop.io().setInt(fd, Net.IPPROTO_TCP, Net.TCP_NODELAY, 1);
        }
        int r = loop.register(link, fd, CONNECTED_INTEREST);
        if (r != 0) {
            loop.io().close(fd);
            state = State.UNCONNECTED;
        }
        return r;
    }

    /** The loop this socket runs on. */
    public EventLoop loop() {
        return loop;
    }

    // =============================================================================================================
    // properties
    // =============================================================================================================

    /** The current state. */
    public State state() {
        return state;
    }

    /** True when the socket is connected and ready for reading and writing. */
    public boolean isValid() {
        return state == State.CONNECTED;
    }

    /** The last error, or {@code null} when none has occurred. */
    public Error error() {
        return error;
    }

    /** A human-readable description of the last error ({@code ""} when none has occurred). */
    public String errorString() {
        return errorString;
    }

    /** The numeric address of the local end ({@code ""} when the socket has no descriptor). */
    public String localAddress() {
        SockAddr a = localAddr();
        return a == null ? "" : a.address();
    }

    /** The port of the local end (0 when the socket has no descriptor). */
    public int localPort() {
        SockAddr a = localAddr();
        return a == null ? 0 : a.port();
    }

    /** The numeric address of the peer while CONNECTED or CLOSING, else {@code ""}. */
    public String remoteAddress() {
        SockAddr p = peer;
        return p == null || !connectedOrClosing() ? "" : p.address();
    }

    /** The port of the peer while CONNECTED or CLOSING, else 0. */
    public int remotePort() {
        SockAddr p = peer;
        return p == null || !connectedOrClosing() ? 0 : p.port();
    }

    /** The host name given to {@link #connect}, as given ({@code ""} before). */
    public String peerName() {
        return peerName;
    }

    private boolean connectedOrClosing() {
        State s = state;
        return s == State.CONNECTED || s == State.CLOSING;
    }

    private SockAddr localAddr() {
        State s = state;
        if (s != State.CONNECTED && s != State.CLOSING && s != State.BOUND) {
            return null;
        }
        SockAddr a = local;
        if (a != null) {
            return a;
        }
        return loop.call(() -> {
            int fd = link.fd >= 0 ? link.fd : boundFd;
            if (fd < 0 || local != null) {
                return local;
            }
            SockAddr l = loop.io().name(fd, false);
            l = l == null ? null : TcpServer.unmapped(l);
            local = l;
            return l;
        });
    }

    /** Whether TCP_NODELAY is set on connections (the default: true, as event-driven protocols want). */
    public void setNoDelay(boolean on) {
        this.noDelay = on;
    }

    /** The resolver used for host names; {@link Resolver#system()} by default. */
    public void setResolver(Resolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * RFC 8305's Connection Attempt Delay: how long one connection attempt runs before the next address is tried
     * in parallel (default 250 ms).
     */
    public void setConnectionAttemptDelay(Duration delay) {
        this.attemptDelayMs = Math.max(10, delay.toMillis());
    }

    /** A limit on lookup plus connect; 0 (the default) for none. Exceeding it reports SOCKET_TIMEOUT. */
    public void setConnectTimeout(Duration timeout) {
        this.connectTimeoutMs = Math.max(0, timeout.toMillis());
    }

    /**
     * Encrypts the next connection with TLS; {@code null} for plain TCP (the default). Takes effect at the next
     * {@link #connect}. The handshake is part of CONNECTING: CONNECTED and the connected handler come after it,
     * and a failed handshake reports SSL_HANDSHAKE_FAILED.
     */
    public void setTls(TlsOptions options) {
        this.tlsOptions = options;
    }

    /** Whether the current connection is encrypted. */
    public boolean isEncrypted() {
        TlsSession t = tls;
        return t != null;
    }

    /** Queue size at which {@link #isWritable()} becomes false (default 1 MiB). */
    public long writeHighWaterMark() {
        return highWater;
    }

    /** Sets the write queue's high-water mark (at least 1). */
    public void setWriteHighWaterMark(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("high-water mark must be at least 1 byte: " + bytes);
        }
        this.highWater = bytes;
    }

    /** The most unread bytes taken from the kernel before the loop stops reading (default 1 MiB). */
    public long readBufferLimit() {
        return readLimit;
    }

    /** Sets {@link #readBufferLimit()} (at least 1). */
    public void setReadBufferLimit(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("read buffer limit must be at least 1 byte: " + bytes);
        }
        this.readLimit = bytes;
        if (readPaused && inSize < bytes) {
            scheduleResume();
        }
    }

    // --- handlers --------------------------------------------------------------------------------------------

    /** Called when a connection has been established after {@link #connect}. */
    public TcpSocket onConnected(Consumer<TcpSocket> h) {
        this.onConnected = h;
        return this;
    }

    /** Called when the socket has been disconnected. */
    public TcpSocket onDisconnected(Consumer<TcpSocket> h) {
        this.onDisconnected = h;
        return this;
    }

    /** Called when an error occurs, with the error (also in {@link #error()} and {@link #errorString()}). */
    public TcpSocket onError(BiConsumer<TcpSocket, Error> h) {
        this.onError = h;
        return this;
    }

    /** Called when the state changes, with the new state. */
    public TcpSocket onStateChanged(BiConsumer<TcpSocket, State> h) {
        this.onStateChanged = h;
        return this;
    }

    /** Called after {@link #connect} when the host lookup has succeeded. */
    public TcpSocket onHostFound(Consumer<TcpSocket> h) {
        this.onHostFound = h;
        return this;
    }

    /** Called when bytes have been written to the kernel, with their count. */
    public TcpSocket onBytesWritten(BytesWrittenHandler h) {
        this.onBytesWritten = h;
        return this;
    }

    /** Called each time new data has arrived; {@link #bytesAvailable()} then says how much is buffered. */
    public TcpSocket onReadyRead(Consumer<TcpSocket> h) {
        this.onReadyRead = h;
        return this;
    }

    /** Called when the write queue, having gone above the high-water mark, has drained to half of it. */
    public TcpSocket onWritable(Consumer<TcpSocket> h) {
        this.onWritable = h;
        return this;
    }

    // =============================================================================================================
    // reading
    // =============================================================================================================

    /** Bytes received and not yet read. */
    public long bytesAvailable() {
        return inSize;
    }

    /** Reads up to {@code maxSize} bytes (fewer when fewer are buffered; an empty array when none). */
    public byte[] read(int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("negative size " + maxSize);
        }
        byte[] b;
        synchronized (in) {
            b = in.take(Math.min(maxSize, in.size()));
            inSize = in.size();
        }
        consumed();
        return b;
    }

    /** Reads up to {@code len} bytes into {@code dst}; returns the count (0 when nothing is buffered). */
    public int read(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n;
        synchronized (in) {
            n = in.take(dst, off, len);
            inSize = in.size();
        }
        consumed();
        return n;
    }

    /** Reads into {@code dst}'s remaining space; returns the count. Allocates nothing. */
    public int read(ByteBuffer dst) {
        int n;
        synchronized (in) {
            n = in.take(dst);
            inSize = in.size();
        }
        consumed();
        return n;
    }

    /** Reads everything buffered. */
    public byte[] readAll() {
        return read(Integer.MAX_VALUE);
    }

    /** Whether a whole line (ending in LF) is buffered. */
    public boolean canReadLine() {
        synchronized (in) {
            return in.indexOf((byte) '\n', 0) >= 0;
        }
    }

    /**
     * Reads one line, up to and including its LF, or {@code null} when no whole line is buffered. No end-of-line
     * conversion: a CR before the LF stays.
     */
    public byte[] readLine() {
        byte[] b;
        synchronized (in) {
            int i = in.indexOf((byte) '\n', 0);
            if (i < 0) {
                return null;
            }
            b = in.take(i + 1);
            inSize = in.size();
        }
        consumed();
        return b;
    }

    /** {@link #readLine()} decoded with {@code charset}, or {@code null}. */
    public String readLine(Charset charset) {
        byte[] b = readLine();
        return b == null ? null : new String(b, charset);
    }

    /** Reads through the first occurrence of {@code delimiter} (included), or {@code null} when it is not buffered. */
    byte[] readUntil(byte[] delimiter) {
        byte[] b;
        synchronized (in) {
            int i = in.indexOf(delimiter, 0);
            if (i < 0) {
                return null;
            }
            b = in.take(i + delimiter.length);
            inSize = in.size();
        }
        consumed();
        return b;
    }

    /** Reads exactly {@code n} bytes, or {@code null} when fewer are buffered. */
    byte[] readExactly(int n) {
        byte[] b;
        synchronized (in) {
            if (in.size() < n) {
                return null;
            }
            b = in.take(n);
            inSize = in.size();
        }
        consumed();
        return b;
    }

    private void consumed() {
        if (readPaused && inSize < readLimit) {
            scheduleResume();
        }
    }

    private void scheduleResume() {
        if (loop.inLoop()) {
            if (link.fd >= 0) {
                loop.again(link);
            }
        } else if (!resumeQueued) {
            resumeQueued = true;
            loop.execute(resumeTask);
        }
    }

    // =============================================================================================================
    // writing
    // =============================================================================================================

    /** Queues {@code data}; see {@link #write(byte[], int, int)}. */
    public long write(byte[] data) {
        return write(data, 0, data.length);
    }

    /** Queues {@code data} encoded as UTF-8. */
    public long write(String data) {
        return write(data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Queues {@code len} bytes of {@code data} for sending and returns {@code len}; never blocks. Allowed while
     * connecting (the bytes go out once connected, as LiveCode's buffered writes do) and connected; in any other
     * state nothing is queued, the error becomes OPERATION and -1 is returned.
     */
    public long write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (!canQueue()) {
            return refuseWrite();
        }
        synchronized (out) {
            out.append(data, off, len);
            queued(len);
        }
        afterWrite();
        return len;
    }

    /** Queues {@code data}'s remaining bytes (its position moves to its limit). */
    public long write(ByteBuffer data) {
        if (!canQueue()) {
            return refuseWrite();
        }
        int len = data.remaining();
        synchronized (out) {
            out.append(data);
            queued(len);
        }
        afterWrite();
        return len;
    }

    /** As {@link #write(byte[])}, then {@code done} runs on the loop thread once these bytes have all been sent. */
    long write(byte[] data, Runnable done) {
        if (!canQueue()) {
            return refuseWrite();
        }
        synchronized (out) {
            out.append(data, 0, data.length);
            queued(data.length);
            if (marks == null) {
                marks = new ArrayDeque<>();
            }
            marks.add(queuedTotal);
            marks.add(done);
        }
        afterWrite();
        return data.length;
    }

    private boolean canQueue() {
        return writable(state) || connectPending;
    }

    private static boolean writable(State s) {
        return s == State.CONNECTED || s == State.CONNECTING || s == State.HOST_LOOKUP;
    }

    private long refuseWrite() {
        error = Error.OPERATION;
        errorString = "cannot write to a socket that is " + state;
        return -1;
    }

    private void queued(int len) {
        queuedTotal += len;
        long size = out.size() + (tls == null ? 0 : tls.netPending());
        outSize = size;
        if (size >= highWater) {
            aboveHighWater = true; // onWritable is owed once it drains, whoever drains it
        }
    }

    private void afterWrite() {
        if (loop.inLoop()) {
            if (link.fd >= 0 && state != State.CONNECTING && !dispatching) {
                loop.flushLater(link);
            }
        } else if (!flushQueuedOffLoop) {
            flushQueuedOffLoop = true;
            loop.execute(flushTask);
        }
    }

    /** Bytes queued and not yet given to the kernel. */
    public long bytesToWrite() {
        return outSize;
    }

    /**
     * False from the moment the write queue reaches the high-water mark until it has drained to half of it (the
     * hysteresis keeps a writer from waking for every few bytes sent); {@code onWritable} marks the return to true.
     */
    public boolean isWritable() {
        return !aboveHighWater;
    }

    /**
     * Waits until the write queue is below the high-water mark, or the socket is no longer connected or connecting.
     * Returns whether it is writable. Must not be called on the loop thread (it would wait for itself).
     */
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        if (loop.inLoop()) {
            throw new IllegalStateException("awaitWritable on the loop thread would wait for itself");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (out) {
            writeWaiters++;
            try {
                while (aboveHighWater && writable(state)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    out.wait(Math.max(1, left / 1_000_000));
                }
            } finally {
                writeWaiters--;
            }
            return !aboveHighWater;
        }
    }

    // =============================================================================================================
    // connect, bind, disconnect, abort
    // =============================================================================================================

    /**
     * Connects to {@code host} (a name or a numeric address) on {@code port}; returns at once. Progress and failure
     * arrive through the handlers. Names are looked up in the background; dual-stack results are raced as RFC 8305
     * (Happy Eyeballs) says: IPv6 first, the next address after the attempt delay (250 ms) or as soon as an attempt
     * fails, the first to connect wins and the others are closed.
     */
    public void connect(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: ports are 0 to 65535");
        }
        connectPending = true;
        onLoop(() -> startConnect(host, port));
    }

    /** {@link #connect(String, int)} with Qt's open-mode argument, which a TCP socket ignores (always read/write). */
    public void connect(String host, int port, String openMode) {
        connect(host, port);
    }

    /**
     * Chooses the local port (and the wildcard address of both families) for the next outgoing connection and
     * enters BOUND; port 0 picks one. Returns whether it worked ({@link #error()} says why not). Called off the loop
     * thread it waits for the loop.
     */
    public boolean bind(int port) {
        return bind(null, port);
    }

    /** As {@link #bind(int)}, on a given local address ({@code null} for the wildcard). */
    public boolean bind(String address, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: ports are 0 to 65535");
        }
        return loop.call(() -> doBind(address, port));
    }

    /** The asynchronous {@link #bind(int)}: returns at once, {@code callback} runs on the loop thread. */
    public void bindAsync(int port, BindCallback callback) {
        bindAsync(null, port, callback);
    }

    /** The asynchronous {@link #bind(String, int)}. */
    public void bindAsync(String address, int port, BindCallback callback) {
        Objects.requireNonNull(callback, "callback");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: ports are 0 to 65535");
        }
        loop.execute(() -> {
            boolean ok = doBind(address, port);
            try {
                callback.bound(this, ok, ok ? null : error);
            } catch (Throwable t) {
                loop.report(t);
            }
        });
    }

    /**
     * Closes gracefully: CLOSING while the write queue is sent, then UNCONNECTED and disconnected. While looking up or
     * connecting it stops the attempt (UNCONNECTED, no disconnected handler). Returns at once.
     */
    public void disconnect() {
        onLoop(this::doDisconnect);
    }

    /** Closes at once: discards both queues and resets the connection (RST). Returns at once. */
    public void abort() {
        onLoop(this::doAbort);
    }

    /** {@link #disconnect()}. */
    @Override
    public void close() {
        disconnect();
    }

    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    // =============================================================================================================
    // the state machine (loop thread)
    // =============================================================================================================

    private void setState(State s) {
        if (state == s) {
            return;
        }
        state = s;
        if (s == State.UNCONNECTED || s == State.CLOSING) {
            wakeWriters();
        }
        BiConsumer<TcpSocket, State> h = onStateChanged;
        if (h != null) {
            try {
                h.accept(this, s);
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    private void fireError(Error e, String text) {
        error = e;
        errorString = text;
        BiConsumer<TcpSocket, Error> h = onError;
        if (h != null) {
            try {
                h.accept(this, e);
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    private void fire(Consumer<TcpSocket> h) {
        if (h != null) {
            try {
                h.accept(this);
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    private void startConnect(String host, int port) {
        connectPending = false;
        State s = state;
        if (s == State.HOST_LOOKUP || s == State.CONNECTING) {
            fireError(Error.UNFINISHED_SOCKET_OPERATION, "a connection attempt is already under way");
            return;
        }
        if (s == State.CONNECTED || s == State.CLOSING) {
            fireError(Error.OPERATION, "the socket is " + s + "; disconnect or abort it first");
            return;
        }
        synchronized (in) {
            in.clear();
            inSize = 0;
        }
        peer = null;
        local = null;
        peerName = host;
        lastErrno = 0;
        int g = ++gen;
        setState(State.HOST_LOOKUP);
        if (state != State.HOST_LOOKUP || gen != g) {
            return;
        }
        long timeout = connectTimeoutMs;
        if (timeout > 0) {
            if (connectTimer == null) {
                connectTimer = loop.timer(this::connectTimedOut);
            }
            connectTimer.schedule(timeout);
        }
        byte[] literal = Lookups.literal(host);
        if (literal != null) {
            resolved(g, port, List.of(SockAddr.inet(literal, port, 0)), null);
            return;
        }
        Resolver r = resolver;
        Lookups.POOL.execute(() -> {
            List<SockAddr> found = null;
            String failure = null;
            try {
                List<InetAddress> list = r.resolve(host);
                found = new ArrayList<>();
                for (InetAddress a : list) {
                    found.add(SockAddr.inet(a.getAddress(), port, Lookups.scope(a)));
                }
                if (found.isEmpty()) {
                    failure = "Host " + host + " not found: no address";
                }
            } catch (Exception e) {
                failure = "Host " + host + " not found: " + e.getMessage();
            }
            List<SockAddr> f = found;
            String why = failure;
            try {
                loop.execute(() -> resolved(g, port, f, why));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the loop is gone, and the socket with it
            }
        });
    }

    private void resolved(int g, int port, List<SockAddr> found, String failure) {
        if (g != gen || state != State.HOST_LOOKUP) {
            return;
        }
        if (failure != null) {
            fail(Error.HOST_NOT_FOUND, failure);
            return;
        }
        fire(onHostFound);
        if (state != State.HOST_LOOKUP || g != gen) {
            return;
        }
        setState(State.CONNECTING);
        if (state != State.CONNECTING || g != gen) {
            return;
        }
        addrs = happyEyeballsOrder(found);
        nextAddr = 0;
        startNextAttempt();
    }

    /** RFC 8305 section 4: the families interleaved, IPv6 first. */
    static List<SockAddr> happyEyeballsOrder(List<SockAddr> found) {
        List<SockAddr> six = new ArrayList<>();
        List<SockAddr> four = new ArrayList<>();
        for (SockAddr a : found) {
            (a.family() == Net.AF_INET6 ? six : four).add(a);
        }
        List<SockAddr> out = new ArrayList<>(found.size());
        for (int i = 0; i < Math.max(six.size(), four.size()); i++) {
            if (i < six.size()) {
                out.add(six.get(i));
            }
            if (i < four.size()) {
                out.add(four.get(i));
            }
        }
        return out;
    }

    private void startNextAttempt() {
        LoopIo io = loop.io();
        while (nextAddr < addrs.size()) {
            SockAddr a = addrs.get(nextAddr++);
            int fd = io.socket(a.family(), Net.SOCK_STREAM);
            if (fd < 0) {
                lastErrno = -fd;
                continue;
            }
            int r = 0;
            if (boundAt != null) {
                r = bindLike(io, fd, a.family());
            }
            if (r == 0) {
                r = io.connect(fd, a);
            }
            if (r != 0 && r != -Errno.EINPROGRESS) {
                io.close(fd);
                lastErrno = -r;
                continue;
            }
            Attempt at = new Attempt(a);
            int reg = loop.register(at, fd, CONNECTING_INTEREST);
            if (reg != 0) {
                io.close(fd);
                lastErrno = -reg;
                continue;
            }
            attempts.add(at);
            if (r == 0) {
                won(at);
                return;
            }
            if (nextAddr < addrs.size()) {
                if (attemptTimer == null) {
                    attemptTimer = loop.timer(this::attemptDelayPassed);
                }
                attemptTimer.schedule(attemptDelayMs);
            }
            return;
        }
        if (attempts.isEmpty()) {
            int e = lastErrno;
            fail(e == 0 ? Error.UNKNOWN : Error.of(e), e == 0 ? "no address to connect to" : Errno.strerror(e));
        }
    }

    /** Binds a connect attempt to the port {@link #bind} reserved, on the same address where the family allows. */
    private int bindLike(LoopIo io, int fd, int family) {
        io.setInt(fd, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
        SockAddr at = boundAt;
        SockAddr here;
        if (at.family() == family) {
            here = at;
        } else if (family == Net.AF_INET6) {
            here = SockAddr.inet(new byte[16], at.port(), 0);
        } else {
            here = SockAddr.inet(new byte[4], at.port(), 0);
        }
        return io.bind(fd, here);
    }

    private void attemptDelayPassed() {
        if (state == State.CONNECTING && nextAddr < addrs.size()) {
            startNextAttempt();
        }
    }

    private void connectTimedOut() {
        State s = state;
        if (s == State.HOST_LOOKUP || s == State.CONNECTING) {
            fail(Error.SOCKET_TIMEOUT, "connection timed out after " + connectTimeoutMs + " ms");
        }
    }

    /** One connection attempt of Happy Eyeballs: its own descriptor until it wins or loses. */
    private final class Attempt extends Channel {
        final SockAddr target;

        Attempt(SockAddr target) {
            this.target = target;
        }

        @Override
        void onEvents(int events) {
            int e = loop.io().pendingError(fd);
            if (e == 0 && (events & Epoll.EPOLLOUT) != 0) {
                won(this);
                return;
            }
            if (e == 0) {
                return; // not finished yet
            }
            lastErrno = -e;
            drop(this);
            if (attempts.isEmpty()) {
                if (attemptTimer != null) {
                    attemptTimer.cancel();
                }
                startNextAttempt();
            }
        }

        @Override
        void onLoopClose() {
            int f = fd;
            fd = -1;
            loop.io().close(f);
        }
    }

    private void drop(Attempt a) {
        attempts.remove(a);
        int fd = a.fd;
        loop.deregister(a);
        if (fd >= 0) {
            loop.io().close(fd);
        }
    }

    private void dropAttempts() {
        while (!attempts.isEmpty()) {
            drop(attempts.get(attempts.size() - 1));
        }
        if (attemptTimer != null) {
            attemptTimer.cancel();
        }
    }

    private void won(Attempt a) {
        attempts.remove(a);
        dropAttempts();
        int r = loop.transfer(a, link, CONNECTED_INTEREST);
        if (r != 0) {
            int fd = a.fd;
            loop.deregister(a);
            loop.io().close(fd);
            fail(Error.of(-r), Errno.strerror(-r));
            return;
        }
        releaseBound();
        peer = a.target;
        if (noDelay) {
            loop.io().setInt(link.fd, Net.IPPROTO_TCP, Net.TCP_NODELAY, 1);
        }
        TlsOptions t = tlsOptions;
        if (t != null) {
            try {
                tls = t.session(peerName, a.target.port());
                tls.begin();
            } catch (Exception e) {
                if (tls != null) {
                    tls.release();
                    tls = null;
                }
                fail(t.invalid(e) ? Error.SSL_INVALID_USER_DATA : Error.SSL_INTERNAL,
                        "TLS could not start: " + e.getMessage());
                return;
            }
            flush(); // the ClientHello
            return;
        }
        established();
    }

    private void established() {
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        setState(State.CONNECTED);
        if (state != State.CONNECTED) {
            return;
        }
        int g = gen;
        fire(onConnected);
        if (g != gen || link.fd < 0) {
            return;
        }
        if (inSize > 0 && state == State.CONNECTED) {
            // bytes that arrived with the end of the TLS handshake: no new edge will announce them
            fire(onReadyRead);
            if (g != gen || link.fd < 0) {
                return;
            }
        }
        if (state == State.CONNECTED || state == State.CLOSING) {
            flush();
        }
    }

    /** A failure before or while connected: error first, then UNCONNECTED (and disconnected if it had been). */
    private void fail(Error e, String text) {
        State before = state;
        int g = gen;
        fireError(e, text);
        if (gen != g || state != before) {
            return; // the handler started something else
        }
        teardown(true);
        setState(State.UNCONNECTED);
        if (before == State.CONNECTED || before == State.CLOSING) {
            fire(onDisconnected);
        }
    }

    /** Releases everything the connection holds; {@code reset} discards what is queued (RST if connected). */
    private void teardown(boolean reset) {
        gen++;
        dropAttempts();
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        releaseBound();
        boundAt = null;
        if (link.pendingFd >= 0) {
            loop.io().close(link.pendingFd); // an accepted socket closed before it was registered
            link.pendingFd = -1;
        }
        int fd = link.fd;
        if (fd >= 0) {
            loop.deregister(link);
            if (reset) {
                loop.io().lingerZero(fd);
            }
            loop.io().close(fd);
        }
        if (tls != null) {
            tls.release(); // the engine's native memory, whatever ended the connection
            tls = null;
        }
        tlsShutdownSent = false;
        readPaused = false;
        pausedEvents = 0;
        aboveHighWater = false;
        synchronized (out) {
            if (reset || !out.isEmpty()) {
                out.clear();
            }
            if (marks != null) {
                marks.clear();
            }
            sentTotal = queuedTotal;
            outSize = 0;
        }
        if (reset) {
            synchronized (in) {
                in.clear();
                inSize = 0;
            }
        }
        wakeWriters();
    }

    private void releaseBound() {
        if (boundFd >= 0) {
            int fd = boundFd;
            boundFd = -1;
            loop.deregister(boundChannel);
            loop.io().close(fd);
        }
    }

    private final Channel boundChannel = new Channel() {
        @Override
        void onEvents(int events) {
            // an unconnected socket polls as hung up; nothing to do until connect()
        }

        @Override
        void onLoopClose() {
            int fd = boundFd;
            boundFd = -1;
            if (fd >= 0) {
                loop.io().close(fd);
            }
        }
    };

    private boolean doBind(String address, int port) {
        if (state != State.UNCONNECTED) {
            error = state == State.BOUND ? Error.OPERATION : Error.OPERATION;
            errorString = "bind() needs an unconnected socket; this one is " + state;
            return false;
        }
        LoopIo io = loop.io();
        SockAddr at;
        if (address == null) {
            at = SockAddr.inet(new byte[16], port, 0);
        } else {
            byte[] ip = Lookups.literal(address);
            if (ip == null) {
                error = Error.HOST_NOT_FOUND;
                errorString = "bind() needs a numeric local address, not '" + address + "'";
                return false;
            }
            at = SockAddr.inet(ip, port, 0);
        }
        int fd = io.socket(at.family(), Net.SOCK_STREAM);
        if (fd < 0 && address == null && -fd == Errno.EAFNOSUPPORT) {
            at = SockAddr.inet(new byte[4], port, 0); // no IPv6 on this machine
            fd = io.socket(at.family(), Net.SOCK_STREAM);
        }
        if (fd < 0) {
            error = Error.of(-fd);
            errorString = "socket(): " + Errno.strerror(-fd);
            return false;
        }
        io.setInt(fd, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
        if (at.family() == Net.AF_INET6 && address == null) {
            io.setInt(fd, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 0);
        }
        int r = io.bind(fd, at);
        if (r != 0) {
            io.close(fd);
            error = Error.of(-r);
            errorString = "bind(): " + Errno.strerror(-r);
            return false;
        }
        int reg = loop.register(boundChannel, fd, 0);
        if (reg != 0) {
            io.close(fd);
            error = Error.of(-reg);
            errorString = "epoll_ctl(): " + Errno.strerror(-reg);
            return false;
        }
        boundFd = fd;
        SockAddr l = io.name(fd, false);
        boundAt = l != null ? l : at;
        local = boundAt;
        setState(State.BOUND);
        return true;
    }

    private void doDisconnect() {
        switch (state) {
            case HOST_LOOKUP, CONNECTING, BOUND -> {
                teardown(false);
                setState(State.UNCONNECTED);
            }
            case CONNECTED -> {
                setState(State.CLOSING);
                if (state != State.CLOSING) {
                    return;
                }
                if (link.fd < 0 && link.pendingFd >= 0 && outSize == 0) {
                    finishClose(); // accepted and closed before it was registered: no need to register it first
                } else {
                    flush();
                }
            }
            default -> {
                // CLOSING already, or UNCONNECTED: nothing to do
            }
        }
    }

    private void doAbort() {
        State before = state;
        if (before == State.UNCONNECTED) {
            return;
        }
        teardown(true);
        setState(State.UNCONNECTED);
        if (before == State.CONNECTED || before == State.CLOSING) {
            fire(onDisconnected);
        }
    }

    /** CLOSING and the queue is empty: close and report. */
    private void finishClose() {
        if (tls != null && !tlsShutdownSent) {
            tlsShutdownSent = true;
            try {
                tls.closeOutbound();
            } catch (SSLException e) {
                // the close_notify is a courtesy; the connection closes either way
            }
            if (tls.netPending() > 0) {
                flush();
                return;
            }
        }
        teardown(false);
        setState(State.UNCONNECTED);
        fire(onDisconnected);
    }

    // =============================================================================================================
    // I/O (loop thread)
    // =============================================================================================================

    /** The registration of the connected descriptor. */
    private final class Link extends Channel {
        int pendingFd = -1;

        @Override
        void onEvents(int events) {
            dispatching = true;
            try {
                if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
                    readable(events);
                }
            } finally {
                dispatching = false;
            }
            if (fd >= 0) {
                flush();
            }
        }

        @Override
        void onAgain() {
            dispatching = true;
            try {
                readable(Epoll.EPOLLIN);
            } finally {
                dispatching = false;
            }
            if (fd >= 0) {
                flush();
            }
        }

        @Override
        void onFlush() {
            flush();
        }

        @Override
        void onLoopClose() {
            int f = fd;
            fd = -1;
            if (f >= 0) {
                loop.io().close(f);
            }
            if (tls != null) {
                tls.release(); // the loop ends with the connection still up: its engine goes back all the same
                tls = null;
            }
            state = State.UNCONNECTED;
            wakeWriters();
        }
    }

    private void resumeReading() {
        if (readPaused && link.fd >= 0 && inSize < readLimit) {
            loop.again(link);
        }
    }

    private void readable(int events) {
        if (readPaused) {
            if (inSize >= readLimit) {
                pausedEvents |= events;
                return;
            }
            readPaused = false;
            events |= pausedEvents;
            pausedEvents = 0;
        }
        LoopIo io = loop.io();
        boolean drainAll = (events & (Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0;
        long total = 0;
        int reads = 0;
        boolean eof = false;
        int errno = 0;
        long limit = readLimit;
        for (;;) {
            long room = limit - inSize;
            if (room <= 0) {
                readPaused = true;
                pausedEvents |= events;
                break;
            }
            int want = (int) Math.min(LoopIo.IO_BUFFER, room);
            long n = io.recv(link.fd, want);
            if (n > 0) {
                total += n;
                if (tls == null) {
                    synchronized (in) {
                        in.append(io.buf, 0, (int) n);
                        inSize = in.size();
                    }
                } else {
                    int d = decrypt((int) n);
                    if (d < 0) {
                        return; // failed and torn down
                    }
                    if (d > 0) {
                        eof = true; // close_notify
                        break;
                    }
                }
                if (n < want && !drainAll) {
                    break; // the kernel had no more: a short read of a stream socket means its queue is empty
                }
                if (++reads >= EventLoop.READ_BUDGET) {
                    loop.again(link);
                    break;
                }
                continue;
            }
            if (n == 0) {
                eof = true;
            } else if (n != -Errno.EAGAIN) {
                errno = (int) -n;
            }
            break;
        }
        if (total > 0 && inSize > 0 && (state == State.CONNECTED || state == State.CLOSING)) {
            int g = gen;
            fire(onReadyRead);
            if (g != gen || link.fd < 0) {
                return;
            }
        }
        if (eof) {
            remoteClosed();
        } else if (errno != 0) {
            ioFailed(errno);
        }
    }

    private void remoteClosed() {
        if (tls != null && tls.handshaking()) {
            fail(Error.SSL_HANDSHAKE_FAILED, "the peer closed the connection during the TLS handshake");
            return;
        }
        if (state == State.CLOSING) {
            // we were closing anyway; send what we can and finish
            flush();
            if (state == State.CLOSING) {
                teardown(false);
                setState(State.UNCONNECTED);
                fire(onDisconnected);
            }
            return;
        }
        int g = gen;
        fireError(Error.REMOTE_HOST_CLOSED, "The remote host closed the connection");
        if (g != gen || state != State.CONNECTED) {
            return;
        }
        setState(State.CLOSING);
        if (state == State.CLOSING && g == gen) {
            flush();
        }
    }

    private void ioFailed(int errno) {
        if (tls != null && tls.handshaking()) {
            fail(Error.SSL_HANDSHAKE_FAILED, "TLS handshake: " + Errno.strerror(errno));
            return;
        }
        Error e = Error.of(errno);
        fail(e == Error.UNKNOWN ? Error.NETWORK : e, Errno.strerror(errno));
    }

    /**
     * Why the engine failed: ffsock's certificate verification result when that was the cause (not every engine
     * hands the verifier's exception back), else the engine's message.
     */
    private static String reason(SSLException e) {
        String v = TlsClientContexts.takeVerificationFailure();
        return v != null ? "certificate verification failed: " + v : e.getMessage();
    }

    /**
     * Runs {@code n} received cipher bytes through TLS: 0, 1 when the peer sent close_notify, -1 when that failed and
     * the socket was torn down.
     */
    private int decrypt(int n) {
        boolean wasHandshaking = tls.handshaking();
        try {
            tls.feed(loop.io().buf, n);
            synchronized (in) {
                tls.unwrap(in);
                inSize = in.size();
            }
        } catch (SSLException e) {
            fail(wasHandshaking ? Error.SSL_HANDSHAKE_FAILED : Error.SSL_INTERNAL,
                    (wasHandshaking ? "TLS handshake failed: " : "TLS: ") + reason(e));
            return -1;
        } catch (RuntimeException e) {
            fail(Error.SSL_INTERNAL, "TLS engine: " + e);
            return -1;
        }
        if (wasHandshaking && !tls.handshaking()) {
            flush(); // the handshake's last flight, and then CONNECTED
            if (link.fd < 0 || tls == null) {
                return -1;
            }
        }
        // close_notify: the end of the stream, once what came before it has been read
        return tls.peerClosed() ? 1 : 0;
    }

    /** Sends what is queued until the queue is empty or the kernel's buffer is full. */
    private void flush() {
        int fd = link.fd;
        if (fd < 0) {
            return;
        }
        if (tls != null) {
            flushTls(fd);
            if (tls != null && state == State.CONNECTING && !tls.handshaking() && link.fd >= 0) {
                established();
            }
            return;
        }
        State s = state;
        if (s != State.CONNECTED && s != State.CLOSING || (outSize == 0 && s == State.CONNECTED)) {
            return;
        }
        LoopIo io = loop.io();
        long sent = 0;
        int errno = 0;
        for (;;) {
            int n;
            synchronized (out) {
                n = out.peekInto(io.buf, LoopIo.IO_BUFFER);
            }
            if (n == 0) {
                break;
            }
            long r = io.send(fd, n);
            if (r > 0) {
                synchronized (out) {
                    out.skip((int) r);
                    sentTotal += r;
                    outSize = out.size();
                }
                sent += r;
                if (r < n) {
                    break; // the kernel's buffer is full: EPOLLOUT will say when it has room
                }
                continue;
            }
            if (r != -Errno.EAGAIN) {
                errno = (int) -r;
            }
            break;
        }
        afterSend(sent, errno);
    }

    private void flushTls(int fd) {
        LoopIo io = loop.io();
        int inBefore = inSize;
        long plainBefore;
        synchronized (out) {
            plainBefore = sentTotal;
        }
        int errno = 0;
        outer:
        for (;;) {
            // 1. what TLS has produced goes first
            while (tls.netPending() > 0) {
                int n = tls.netPeekInto(io.buf, LoopIo.IO_BUFFER);
                long r = io.send(fd, n);
                if (r > 0) {
                    tls.netSkip((int) r);
                    if (r < n) {
                        break outer;
                    }
                    continue;
                }
                if (r != -Errno.EAGAIN) {
                    errno = (int) -r;
                }
                break outer;
            }
            // 2. then what the engine has to say itself, input it left waiting, and application data
            try {
                if (tls.wrapPending()) {
                    continue;
                }
                boolean unwrapped;
                synchronized (in) {
                    unwrapped = tls.unwrapBuffered(in);
                    inSize = in.size();
                }
                if (unwrapped) {
                    continue;
                }
                if (tls.handshaking() || tlsShutdownSent || (state != State.CONNECTED && state != State.CLOSING)) {
                    break;
                }
                int took;
                synchronized (out) {
                    took = tls.wrap(out);
                    sentTotal += took;
                    outSize = out.size() + tls.netPending();
                }
                if (took == 0) {
                    break;
                }
            } catch (SSLException e) {
                boolean hs = tls.handshaking();
                fail(hs ? Error.SSL_HANDSHAKE_FAILED : Error.SSL_INTERNAL,
                        (hs ? "TLS handshake failed: " : "TLS: ") + reason(e));
                return;
            }
        }
        long sent;
        synchronized (out) {
            sent = sentTotal - plainBefore;
            outSize = out.size() + tls.netPending();
        }
        afterSend(sent, errno);
        if (inSize > inBefore && !dispatching && tls != null && !tls.handshaking()
                && (state == State.CONNECTED || state == State.CLOSING)) {
            fire(onReadyRead); // records the engine had left waiting while it answered the peer
        }
    }

    private void afterSend(long sent, int errno) {
        if (sent > 0) {
            BytesWrittenHandler h = onBytesWritten;
            if (h != null) {
                try {
                    h.bytesWritten(this, sent);
                } catch (Throwable t) {
                    loop.report(t);
                }
            }
            runMarks();
        }
        if (errno != 0) {
            ioFailed(errno);
            return;
        }
        if (aboveHighWater) {
            boolean drained = false;
            synchronized (out) { // writers set the flag under this lock: clear it only with the size it saw
                if (outSize <= highWater / 2) {
                    aboveHighWater = false;
                    drained = true;
                }
            }
            if (drained) {
                wakeWriters();
                fire(onWritable);
            }
        }
        if (state == State.CLOSING && link.fd >= 0 && outSize == 0) {
            finishClose();
        }
    }

    private void runMarks() {
        for (;;) {
            Runnable done;
            synchronized (out) {
                if (marks == null || marks.isEmpty() || (long) marks.peekFirst() > sentTotal) {
                    return;
                }
                marks.pollFirst();
                done = (Runnable) marks.pollFirst();
            }
            try {
                done.run();
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    private void wakeWriters() {
        if (writeWaiters > 0) {
            synchronized (out) {
                out.notifyAll();
            }
        }
    }

    @Override
    public String toString() {
        return "TcpSocket[" + state + (peer != null ? " " + peer : "") + "]";
    }

    // for tests and metrics -------------------------------------------------------------------------------------

    /** Bytes of memory the two buffers hold (their arrays), for bounded-memory checks. */
    long bufferedMemory() {
        synchronized (in) {
            synchronized (out) {
                return (long) in.capacity() + out.capacity() + (tls == null ? 0 : tls.memory());
            }
        }
    }
}
