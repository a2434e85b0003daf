package io.ffsock.loop;

import io.ffsock.internal.sys.SockAddr;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * LiveCode's socket commands in Java: sockets known by name, opened, read, written and closed with callbacks, all
 * running on one {@link EventLoop}.
 *
 * <table>
 *   <caption>LiveCode to ffsock</caption>
 *   <tr><th>LiveCode</th><th>here</th></tr>
 *   <tr><td>{@code open socket to "host:port|ID" with message "m"}</td>
 *       <td>{@code openSocket("host:port|ID", name -> ...)}</td></tr>
 *   <tr><td>{@code open socket from "addr:port" to "host:port"}</td>
 *       <td>{@code open(Open.socket("host:port").from("addr:port"))}</td></tr>
 *   <tr><td>{@code open secure socket to ... [with|without verification] [for host h]}</td>
 *       <td>{@code openSecureSocket(target, TlsOptions.withVerification()/withoutVerification()/
 *       withVerificationForHost(h), callback)}</td></tr>
 *   <tr><td>{@code open datagram socket to "host:port"}</td><td>{@code openDatagramSocket(target, callback)}</td></tr>
 *   <tr><td>{@code accept connections on port N with message "m"}</td>
 *       <td>{@code acceptConnections(N, name -> ...)}</td></tr>
 *   <tr><td>{@code accept datagram connections on port N with message "m"}</td>
 *       <td>{@code acceptDatagramConnections(N, (name, datagram) -> ...)}</td></tr>
 *   <tr><td>{@code read from socket s until d | for n [with message "m"]}</td>
 *       <td>{@code readUntil(s, d, (name, data) -> ...)}, {@code readFor(s, n, ...)}; without a callback the
 *       call waits and returns the data</td></tr>
 *   <tr><td>{@code write d to socket s [with message "m"]}</td><td>{@code write(s, d, name -> ...)}</td></tr>
 *   <tr><td>{@code close socket s}</td><td>{@code closeSocket(s)}</td></tr>
 *   <tr><td>{@code the openSockets}</td><td>{@code openSockets()}</td></tr>
 *   <tr><td>{@code socketError}, {@code socketTimeout}, {@code socketClosed} messages</td>
 *       <td>{@code onSocketError((name, text) -> ...)}, {@code onSocketTimeout(name -> ...)},
 *       {@code onSocketClosed(name -> ...)}</td></tr>
 *   <tr><td>{@code the socketTimeoutInterval}</td><td>{@code setSocketTimeoutInterval(Duration)} (10 s)</td></tr>
 *   <tr><td>{@code hostNameToAddress(host[, callback])}</td><td>{@code hostNameToAddress(host[, callback])}</td></tr>
 * </table>
 *
 * <h2>Names</h2>
 * A socket is named {@code host:port} or {@code host:port|ID} as it was opened (port 80 when none is given; an IPv6
 * host in brackets). A socket made by {@code acceptConnections} is named after its peer, {@code address:port|N},
 * where N is a number the accepting side counts up; the listener itself is named by its port. A name may be given
 * without its {@code |ID} (or even without its port) when only one open socket matches it.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Opening returns at once; names are looked up in the background. Bytes written while the socket is still
 *   opening are kept and sent once it is connected.</li>
 *   <li>A failure to open (host not found, refused, TLS verification failed, timed out) sends socketError, and the
 *   socket is gone from {@link #openSockets()}. So does a failure of an open socket.</li>
 *   <li>When the peer closes a socket, reads still waiting are completed with what had arrived (possibly nothing),
 *   then socketClosed is sent and the socket is gone.</li>
 *   <li>While an open, a read or a write waits and nothing moves on the socket for the socketTimeoutInterval,
 *   socketTimeout is sent, and sent again each interval after that; the operation keeps waiting.</li>
 *   <li>Binary mode, always: bytes are never converted, and an end of line is whatever the bytes say. A
 *   {@code String} is written as UTF-8.</li>
 *   <li>Callbacks and messages run on the loop thread, one at a time, in the order their events happened.</li>
 * </ul>
 */
public final class Sockets implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoop loop;
    private final boolean ownLoop;
    /** Open sockets and listeners by name; changed on the loop thread only. */
    private final Map<String, Entry> byName = new ConcurrentHashMap<>();
    private final AtomicLong acceptCount = new AtomicLong();
    private volatile BiConsumer<String, String> onSocketError;
    private volatile Consumer<String> onSocketTimeout;
    private volatile Consumer<String> onSocketClosed;
    private volatile long timeoutMs = DEFAULT_TIMEOUT.toMillis();
    private volatile Resolver resolver = Resolver.system();

    /** Named sockets on a loop of their own, which {@link #close()} stops. */
    public Sockets() {
        this.loop = new EventLoop("ffsock-sockets");
        this.ownLoop = true;
    }

    /** Named sockets on {@code loop} (which {@link #close()} leaves running). */
    public Sockets(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.ownLoop = false;
    }

    /** The loop the sockets and callbacks run on. */
    public EventLoop loop() {
        return loop;
    }

    // =============================================================================================================
    // messages and properties
    // =============================================================================================================

    /** The socketError message: the socket's name and a description of the error. */
    public Sockets onSocketError(BiConsumer<String, String> h) {
        this.onSocketError = h;
        return this;
    }

    /** The socketTimeout message: the socket's name. */
    public Sockets onSocketTimeout(Consumer<String> h) {
        this.onSocketTimeout = h;
        return this;
    }

    /** The socketClosed message (the peer closed the socket): the socket's name. */
    public Sockets onSocketClosed(Consumer<String> h) {
        this.onSocketClosed = h;
        return this;
    }

    /** LiveCode's socketTimeoutInterval (default 10 seconds); applies to operations started after the change. */
    public void setSocketTimeoutInterval(Duration interval) {
        long ms = interval.toMillis();
        if (ms < 1) {
            throw new IllegalArgumentException("socketTimeoutInterval must be at least 1 ms: " + interval);
        }
        this.timeoutMs = ms;
    }

    /** The socketTimeoutInterval. */
    public Duration socketTimeoutInterval() {
        return Duration.ofMillis(timeoutMs);
    }

    /** The resolver for host names ({@link Resolver#system()} by default). */
    public void setResolver(Resolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** The names of the open sockets (those still opening included) and listeners. */
    public List<String> openSockets() {
        return List.copyOf(new ArrayList<>(byName.keySet()));
    }

    // =============================================================================================================
    // open
    // =============================================================================================================

    /**
     * What to open: {@code open [datagram|secure] socket [from local] to target [with message]}, built up with the
     * {@code with...}/{@code from} methods.
     */
    public static final class Open {
        final String target;
        final boolean datagram;
        final TlsOptions tls;
        final String from;
        final Consumer<String> callback;

        private Open(String target, boolean datagram, TlsOptions tls, String from, Consumer<String> callback) {
            this.target = Objects.requireNonNull(target, "target");
            this.datagram = datagram;
            this.tls = tls;
            this.from = from;
            this.callback = callback;
        }

        /** {@code open socket to target}. */
        public static Open socket(String target) {
            return new Open(target, false, null, null, null);
        }

        /** {@code open datagram socket to target}. */
        public static Open datagram(String target) {
            return new Open(target, true, null, null, null);
        }

        /** {@code open secure socket to target} with the verification {@code tls} describes. */
        public static Open secure(String target, TlsOptions tls) {
            return new Open(target, false, Objects.requireNonNull(tls, "tls"), null, null);
        }

        /** {@code from "address:port"}: the local end (LiveCode 9.0); port 0 lets the kernel choose. */
        public Open from(String localAddressAndPort) {
            return new Open(target, datagram, tls, Objects.requireNonNull(localAddressAndPort, "from"), callback);
        }

        /** {@code with message}: called with the socket's name once it is connected. */
        public Open withMessage(Consumer<String> callback) {
            return new Open(target, datagram, tls, from, callback);
        }
    }

    /** {@code open socket to target}; see {@link #open(Open)}. */
    public String openSocket(String target) {
        return open(Open.socket(target));
    }

    /** {@code open socket to target with message callback}; see {@link #open(Open)}. */
    public String openSocket(String target, Consumer<String> callback) {
        return open(Open.socket(target).withMessage(callback));
    }

    /** {@code open secure socket to target with message callback} and the verification {@code tls} says. */
    public String openSecureSocket(String target, TlsOptions tls, Consumer<String> callback) {
        return open(Open.secure(target, tls).withMessage(callback));
    }

    /** {@code open datagram socket to target with message callback}. */
    public String openDatagramSocket(String target, Consumer<String> callback) {
        return open(Open.datagram(target).withMessage(callback));
    }

    /**
     * Opens a socket and returns its name at once; the callback gets the name once the socket is connected
     * (a datagram socket: once its address is known).
     *
     * @throws IllegalArgumentException when the target or local address is malformed
     * @throws IllegalStateException    when a socket of that name is open already (give it a distinct {@code |ID})
     */
    public String open(Open spec) {
        SocketName sn = SocketName.parse(spec.target);
        SockAddr local = spec.from == null ? null : localAddress(spec.from);
        String name = sn.name();
        return loop.call(() -> {
            if (byName.containsKey(name)) {
                throw new IllegalStateException("socket " + name + " is open already; add a connection name (|ID)"
                        + " to open another to the same host and port");
            }
            Entry e = spec.datagram ? new DatagramEntry(name, sn, local, spec.callback)
                    : new StreamEntry(name, sn, local, spec.tls, spec.callback);
            byName.put(name, e);
            e.start();
            return name;
        });
    }

    private static SockAddr localAddress(String from) {
        SocketName l = SocketName.parse(from.indexOf(':') < 0 || from.startsWith("[") && !from.contains("]:")
                ? from + ":0" : from);
        byte[] ip = "localhost".equals(l.host()) ? new byte[] {127, 0, 0, 1} : Lookups.literal(l.host());
        if (ip == null) {
            throw new IllegalArgumentException("the local end must be a numeric address (or localhost): '" + from + "'");
        }
        return SockAddr.inet(ip, l.port(), 0);
    }

    // =============================================================================================================
    // accept
    // =============================================================================================================

    /**
     * {@code accept connections on port N with message callback}: listens on every address at {@code port} (0
     * picks one) and calls {@code callback} with the name of each new socket. Returns the port listened on; the
     * listener is named by it in {@link #openSockets()}.
     *
     * @throws IllegalStateException when the port cannot be listened on (the message says why)
     */
    public int acceptConnections(int port, Consumer<String> callback) {
        Objects.requireNonNull(callback, "callback");
        TcpServer server = new TcpServer(loop);
        server.onNewConnection(s -> accepted(s, callback));
        if (!server.listen(port)) {
            throw new IllegalStateException("cannot accept connections on port " + port + ": " + server.errorString());
        }
        String name = Integer.toString(server.port());
        loop.call(() -> byName.put(name, new ListenerEntry(name, server)));
        return server.port();
    }

    /**
     * {@code accept datagram connections on port N with message callback}: takes UDP datagrams from anyone at
     * {@code port} (0 picks one). The first datagram from a sender makes a socket for it, named
     * {@code address:port|N} like an accepted connection; the callback gets that name and the datagram, for this
     * datagram and every later one from the same sender. Writing to the socket sends a datagram back from
     * {@code port}. Returns the port; the listener is named by it in {@link #openSockets()}.
     *
     * @throws IllegalStateException when the port cannot be bound (the message says why)
     */
    public int acceptDatagramConnections(int port, BiConsumer<String, byte[]> callback) {
        Objects.requireNonNull(callback, "callback");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: ports are 0 to 65535");
        }
        return loop.call(() -> {
            DatagramPortEntry e = new DatagramPortEntry(callback);
            int r = e.listener.open(port);
            if (r != 0) {
                throw new IllegalStateException("cannot accept datagrams on port " + port + ": "
                        + io.ffsock.internal.sys.Errno.strerror(-r));
            }
            e.setName(Integer.toString(e.listener.port()));
            byName.put(e.name, e);
            return e.listener.port();
        });
    }

    private void accepted(TcpSocket s, Consumer<String> callback) {
        SockAddr peer = peerOf(s);
        String host = peer == null ? "unknown" : peer.address();
        String base = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + (peer == null ? 0 : peer.port());
        String name = base + "|" + acceptCount.incrementAndGet();
        StreamEntry e = new StreamEntry(name, s);
        byName.put(name, e);
        try {
            callback.accept(name);
        } catch (Throwable t) {
            loop.report(t);
        }
    }

    private static SockAddr peerOf(TcpSocket s) {
        String a = s.remoteAddress();
        byte[] ip = a.isEmpty() ? null : Lookups.literal(a);
        return ip == null ? null : SockAddr.inet(ip, s.remotePort(), 0);
    }

    // =============================================================================================================
    // read
    // =============================================================================================================

    /** {@code read from socket s until delimiter with message callback}: the data includes the delimiter. */
    public void readUntil(String socket, byte[] delimiter, BiConsumer<String, byte[]> callback) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("empty delimiter");
        }
        queueRead(socket, new Read(Read.UNTIL, delimiter.clone(), 0, Objects.requireNonNull(callback), null));
    }

    /** {@link #readUntil(String, byte[], BiConsumer)} with a UTF-8 delimiter. */
    public void readUntil(String socket, String delimiter, BiConsumer<String, byte[]> callback) {
        readUntil(socket, delimiter.getBytes(StandardCharsets.UTF_8), callback);
    }

    /** {@code read from socket s for n with message callback}: exactly {@code n} bytes. */
    public void readFor(String socket, int n, BiConsumer<String, byte[]> callback) {
        if (n < 1) {
            throw new IllegalArgumentException("read for " + n + " bytes: the amount must be positive");
        }
        queueRead(socket, new Read(Read.FOR, null, n, Objects.requireNonNull(callback), null));
    }

    /** {@code read from socket s with message callback}: whatever has arrived (at least one byte, or one datagram). */
    public void read(String socket, BiConsumer<String, byte[]> callback) {
        queueRead(socket, new Read(Read.ANY, null, 0, Objects.requireNonNull(callback), null));
    }

    /**
     * {@code read from socket s until delimiter} without a message: waits until the data is there and returns it
     * (socketTimeout messages are sent meanwhile). When the socket closes first, returns what had arrived.
     * Not on the loop thread.
     */
    public byte[] readUntil(String socket, byte[] delimiter) throws InterruptedException {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("empty delimiter");
        }
        return await(socket, new Read(Read.UNTIL, delimiter.clone(), 0, null, new CompletableFuture<>()));
    }

    /** {@code read from socket s for n} without a message; see {@link #readUntil(String, byte[])}. */
    public byte[] readFor(String socket, int n) throws InterruptedException {
        if (n < 1) {
            throw new IllegalArgumentException("read for " + n + " bytes: the amount must be positive");
        }
        return await(socket, new Read(Read.FOR, null, n, null, new CompletableFuture<>()));
    }

    private byte[] await(String socket, Read r) throws InterruptedException {
        if (loop.inLoop()) {
            throw new IllegalStateException("a read without a message waits, which the loop thread cannot do: give"
                    + " it a callback");
        }
        queueRead(socket, r);
        try {
            return r.future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void queueRead(String socket, Read r) {
        Objects.requireNonNull(socket, "socket");
        loop.call(() -> {
            Entry e = find(socket);
            e.queueRead(r);
            return null;
        });
    }

    /** A pending read. */
    static final class Read {
        static final int UNTIL = 0;
        static final int FOR = 1;
        static final int ANY = 2;

        final int kind;
        final byte[] delimiter;
        final int count;
        final BiConsumer<String, byte[]> callback;
        final CompletableFuture<byte[]> future;

        Read(int kind, byte[] delimiter, int count, BiConsumer<String, byte[]> callback,
             CompletableFuture<byte[]> future) {
            this.kind = kind;
            this.delimiter = delimiter;
            this.count = count;
            this.callback = callback;
            this.future = future;
        }
    }

    // =============================================================================================================
    // write, close
    // =============================================================================================================

    /** {@code write data to socket s}. */
    public void write(String socket, byte[] data) {
        write(socket, data, null);
    }

    /** {@code write data to socket s}, the string as UTF-8. */
    public void write(String socket, String data) {
        write(socket, data.getBytes(StandardCharsets.UTF_8), null);
    }

    /** {@code write data to socket s with message callback}: the callback gets the name once the data has been sent. */
    public void write(String socket, String data, Consumer<String> callback) {
        write(socket, data.getBytes(StandardCharsets.UTF_8), callback);
    }

    /**
     * {@code write data to socket s [with message callback]}. On a datagram socket each write is one datagram. The
     * bytes are copied; the call returns at once.
     *
     * @throws IllegalArgumentException when no open socket has that name
     */
    public void write(String socket, byte[] data, Consumer<String> callback) {
        Objects.requireNonNull(socket, "socket");
        byte[] copy = data.clone();
        loop.call(() -> {
            find(socket).write(copy, callback);
            return null;
        });
    }

    /**
     * {@code close socket s}: the socket is gone from {@link #openSockets()} at once; bytes already written are still
     * sent before the connection closes. Closing a listener stops accepting. No message is sent.
     *
     * @throws IllegalArgumentException when no open socket has that name
     */
    public void closeSocket(String socket) {
        Objects.requireNonNull(socket, "socket");
        loop.call(() -> {
            Entry e = find(socket);
            byName.remove(e.name, e);
            e.close();
            return null;
        });
    }

    /** Closes every socket and listener (and the loop, when this object made it). */
    @Override
    public void close() {
        if (!loop.isClosed()) {
            try {
                loop.call(() -> {
                    for (Entry e : new ArrayList<>(byName.values())) {
                        byName.remove(e.name, e);
                        e.close();
                    }
                    return null;
                });
            } catch (RejectedExecutionException closed) {
                // the loop went away already, and the sockets with it
            }
        }
        if (ownLoop) {
            loop.close();
        }
    }

    // =============================================================================================================
    // hostNameToAddress
    // =============================================================================================================

    /**
     * {@code hostNameToAddress(host)}: the host's addresses, numeric; empty when it has none. Waits for the lookup
     * (a numeric address is returned as it is, without one).
     */
    public List<String> hostNameToAddress(String host) {
        Objects.requireNonNull(host, "host");
        byte[] ip = Lookups.literal(host);
        if (ip != null) {
            return List.of(SockAddr.inet(ip, 0, 0).address());
        }
        return lookup(host);
    }

    /**
     * {@code hostNameToAddress(host, callback)}: returns at once; the callback gets the addresses (empty when the
     * host has none) on the loop thread once the lookup is done.
     */
    public void hostNameToAddress(String host, Consumer<List<String>> callback) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(callback, "callback");
        Lookups.POOL.execute(() -> {
            List<String> found = hostNameToAddress(host);
            loop.execute(() -> callback.accept(found));
        });
    }

    private List<String> lookup(String host) {
        try {
            List<String> out = new ArrayList<>();
            for (InetAddress a : resolver.resolve(host)) {
                out.add(SockAddr.inet(a.getAddress(), 0, 0).address()); // canonical text: "::1", not "0:0:..."
            }
            return List.copyOf(out);
        } catch (Exception e) {
            return List.of();
        }
    }

    // =============================================================================================================
    // entries (loop thread)
    // =============================================================================================================

    /** The open socket called {@code name}, by its full name or a unique shorter form. */
    private Entry find(String name) {
        Entry e = byName.get(name);
        if (e != null) {
            return e;
        }
        Entry match = null;
        for (Entry x : byName.values()) {
            if (x.matches(name)) {
                if (match != null) {
                    throw new IllegalArgumentException("socket name '" + name + "' is ambiguous: it matches "
                            + match.name + " and " + x.name + "; give the whole name");
                }
                match = x;
            }
        }
        if (match == null) {
            throw new IllegalArgumentException("no open socket is called '" + name + "'");
        }
        return match;
    }

    private void error(Entry e, String text) {
        BiConsumer<String, String> h = onSocketError;
        if (h != null) {
            try {
                h.accept(e.name, text);
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    /** A name in the table: a socket or a listener. */
    private abstract class Entry {
        String name;
        final ArrayDeque<Read> reads = new ArrayDeque<>();
        int writesPending;
        boolean opening;
        EventLoop.Timer timer;
        long interval;

        Entry(String name) {
            this.name = name;
        }

        boolean matches(String shorter) {
            int bar = name.indexOf('|');
            String base = bar < 0 ? name : name.substring(0, bar);
            if (base.equals(shorter)) {
                return true;
            }
            int colon = base.lastIndexOf(':');
            return colon > 0 && base.substring(0, colon).equals(shorter);
        }

        abstract void queueRead(Read r);

        abstract void write(byte[] data, Consumer<String> callback);

        abstract void close();

        /** Begins opening (sockets the user opens). */
        void start() {}

        /** Something is waiting: keep the socketTimeout clock running from now. */
        void busy() {
            if (timer == null) {
                timer = loop.timer(this::timedOut);
            }
            interval = timeoutMs;
            timer.schedule(interval);
        }

        /** Progress: the clock starts again if something is still waiting, else stops. */
        void progress() {
            if (opening || !reads.isEmpty() || writesPending > 0) {
                busy();
            } else if (timer != null) {
                timer.cancel();
            }
        }

        private void timedOut() {
            if (byName.get(name) != this || !(opening || !reads.isEmpty() || writesPending > 0)) {
                return;
            }
            timer.schedule(interval);
            Consumer<String> h = onSocketTimeout;
            if (h != null) {
                try {
                    h.accept(name);
                } catch (Throwable t) {
                    loop.report(t);
                }
            }
        }

        void stopTimer() {
            if (timer != null) {
                timer.cancel();
            }
        }

        /** Completes the reads still waiting with {@code rest} for the first, nothing for the others. */
        void finishReads(byte[] rest) {
            Read r;
            boolean first = true;
            while ((r = reads.poll()) != null) {
                complete(r, first ? rest : ByteQueue.EMPTY);
                first = false;
            }
        }

        void complete(Read r, byte[] data) {
            if (r.future != null) {
                r.future.complete(data);
                return;
            }
            try {
                r.callback.accept(name, data);
            } catch (Throwable t) {
                loop.report(t);
            }
        }
    }

    /** A TCP (or TLS) socket: one the user opened, or one a listener accepted. */
    private final class StreamEntry extends Entry {
        final TcpSocket s;
        final Consumer<String> openCallback;
        boolean peerClosed;
        boolean closing;

        /** open [secure] socket [from local] to sn. */
        StreamEntry(String name, SocketName sn, SockAddr local, TlsOptions tls, Consumer<String> callback) {
            super(name);
            this.openCallback = callback;
            this.s = new TcpSocket(loop);
            s.setResolver(resolver);
            s.setTls(tls);
            hook();
            this.pendingConnect = sn;
            this.pendingLocal = local;
        }

        /** accepted. */
        StreamEntry(String name, TcpSocket accepted) {
            super(name);
            this.openCallback = null;
            this.s = accepted;
            hook();
        }

        private SocketName pendingConnect;
        private SockAddr pendingLocal;

        private void hook() {
            s.onConnected(x -> {
                opening = false;
                progress();
                if (openCallback != null && byName.get(name) == this) {
                    try {
                        openCallback.accept(name);
                    } catch (Throwable t) {
                        loop.report(t);
                    }
                }
            });
            s.onReadyRead(x -> {
                progress();
                serve();
            });
            s.onError((x, err) -> {
                if (closing) {
                    return;
                }
                if (err == TcpSocket.Error.REMOTE_HOST_CLOSED) {
                    peerClosed = true; // socketClosed follows once the socket is closed
                    return;
                }
                if (byName.remove(name, this)) {
                    stopTimer();
                    finishReads(x.readAll());
                    error(this, x.errorString());
                }
            });
            s.onDisconnected(x -> {
                if (peerClosed && byName.remove(name, this)) {
                    stopTimer();
                    serve();
                    finishReads(x.readAll());
                    Consumer<String> h = onSocketClosed;
                    if (h != null) {
                        try {
                            h.accept(name);
                        } catch (Throwable t) {
                            loop.report(t);
                        }
                    }
                }
            });
        }

        @Override
        void start() {
            opening = true;
            busy();
            if (pendingLocal != null && !s.bind(pendingLocal.address(), pendingLocal.port())) {
                byName.remove(name, this);
                stopTimer();
                error(this, "cannot use local end " + pendingLocal + ": " + s.errorString());
                return;
            }
            s.connect(pendingConnect.host(), pendingConnect.port());
        }

        @Override
        void queueRead(Read r) {
            reads.add(r);
            busy();
            serve();
        }

        /** Satisfies waiting reads, in order, from what has arrived. */
        void serve() {
            Read r;
            while ((r = reads.peek()) != null) {
                byte[] data = switch (r.kind) {
                    case Read.UNTIL -> s.readUntil(r.delimiter);
                    case Read.FOR -> s.readExactly(r.count);
                    default -> s.bytesAvailable() > 0 ? s.readAll() : null;
                };
                if (data == null) {
                    break;
                }
                reads.poll();
                complete(r, data);
            }
            progress();
        }

        @Override
        void write(byte[] data, Consumer<String> callback) {
            writesPending++;
            busy();
            long r = s.write(data, () -> {
                writesPending--;
                progress();
                if (callback != null) {
                    try {
                        callback.accept(name);
                    } catch (Throwable t) {
                        loop.report(t);
                    }
                }
            });
            if (r < 0) {
                writesPending--;
                progress();
                error(this, s.errorString());
            }
        }

        @Override
        void close() {
            closing = true;
            stopTimer();
            s.disconnect();
        }
    }

    /** {@code open datagram socket}: a connected UDP socket. */
    private final class DatagramEntry extends Entry implements DatagramLink.Events {
        final SocketName target;
        final SockAddr local;
        final Consumer<String> openCallback;
        final DatagramLink link = new DatagramLink(loop, this);
        final ArrayDeque<byte[]> early = new ArrayDeque<>();
        final ArrayDeque<Consumer<String>> earlyCallbacks = new ArrayDeque<>();
        final ByteQueue in = new ByteQueue();
        /** Lengths of the datagrams in {@link #in}, so that a plain read returns one datagram. */
        final ArrayDeque<int[]> lengths = new ArrayDeque<>();
        int gen;

        DatagramEntry(String name, SocketName target, SockAddr local, Consumer<String> callback) {
            super(name);
            this.target = target;
            this.local = local;
            this.openCallback = callback;
        }

        @Override
        void start() {
            opening = true;
            busy();
            byte[] ip = Lookups.literal(target.host());
            if (ip != null) {
                connectTo(SockAddr.inet(ip, target.port(), 0));
                return;
            }
            Resolver r = resolver;
            int g = gen;
            Lookups.POOL.execute(() -> {
                SockAddr a = null;
                String why = null;
                try {
                    List<InetAddress> found = r.resolve(target.host());
                    if (found.isEmpty()) {
                        why = "host " + target.host() + " not found: no address";
                    } else {
                        InetAddress first = found.get(0);
                        a = SockAddr.inet(first.getAddress(), target.port(), Lookups.scope(first));
                    }
                } catch (Exception e) {
                    why = "host " + target.host() + " not found: " + e.getMessage();
                }
                SockAddr fa = a;
                String fw = why;
                try {
                    loop.execute(() -> {
                        if (g != gen || byName.get(name) != this) {
                            return;
                        }
                        if (fw != null) {
                            byName.remove(name, this);
                            stopTimer();
                            error(this, fw);
                        } else {
                            connectTo(fa);
                        }
                    });
                } catch (RejectedExecutionException closed) {
                    // the loop is gone
                }
            });
        }

        private void connectTo(SockAddr a) {
            int r = link.open(local, a);
            if (r != 0) {
                byName.remove(name, this);
                stopTimer();
                error(this, "cannot open datagram socket to " + a + ": "
                        + io.ffsock.internal.sys.Errno.strerror(-r));
                return;
            }
            opening = false;
            progress();
            if (openCallback != null) {
                try {
                    openCallback.accept(name);
                } catch (Throwable t) {
                    loop.report(t);
                }
            }
            while (!early.isEmpty() && link.isOpen()) {
                link.send(early.poll(), earlyCallbacks.poll());
            }
        }

        @Override
        void queueRead(Read r) {
            reads.add(r);
            busy();
            serve();
        }

        private void serve() {
            Read r;
            while ((r = reads.peek()) != null) {
                byte[] data = null;
                switch (r.kind) {
                    case Read.UNTIL -> {
                        int i = in.indexOf(r.delimiter, 0);
                        if (i >= 0) {
                            data = take(i + r.delimiter.length);
                        }
                    }
                    case Read.FOR -> {
                        if (in.size() >= r.count) {
                            data = take(r.count);
                        }
                    }
                    default -> {
                        if (!lengths.isEmpty()) {
                            data = take(lengths.peek()[0]);
                        }
                    }
                }
                if (data == null) {
                    break;
                }
                reads.poll();
                complete(r, data);
            }
            progress();
        }

        /** Takes {@code n} bytes across datagram boundaries. */
        private byte[] take(int n) {
            byte[] b = in.take(n);
            int left = n;
            while (left > 0 && !lengths.isEmpty()) {
                int[] head = lengths.peek();
                if (head[0] <= left) {
                    left -= head[0];
                    lengths.poll();
                } else {
                    head[0] -= left;
                    left = 0;
                }
            }
            return b;
        }

        @Override
        public void datagram(byte[] data) {
            in.append(data, 0, data.length);
            lengths.add(new int[] {data.length});
            serve();
        }

        @Override
        public void failed(TcpSocket.Error error, String text) {
            Sockets.this.error(this, text);
        }

        @Override
        void write(byte[] data, Consumer<String> callback) {
            writesPending++;
            busy();
            if (!link.isOpen()) {
                early.add(data);
                earlyCallbacks.add(callback == null ? NO_CALLBACK : callback);
                return;
            }
            link.send(data, callback == null ? NO_CALLBACK : callback);
        }

        @Override
        public void sent(Object token, boolean ok) {
            writesPending--;
            progress();
            @SuppressWarnings("unchecked")
            Consumer<String> cb = (Consumer<String>) token;
            if (ok && cb != NO_CALLBACK) {
                try {
                    cb.accept(name);
                } catch (Throwable t) {
                    loop.report(t);
                }
            }
        }

        @Override
        void close() {
            gen++;
            stopTimer();
            link.close();
        }
    }

    private static final Consumer<String> NO_CALLBACK = n -> { };

    /** {@code accept datagram connections}: the bound port, named by its number, and its senders. */
    private final class DatagramPortEntry extends Entry implements DatagramListener.Events {
        final DatagramListener listener = new DatagramListener(loop, this);
        final BiConsumer<String, byte[]> callback;
        final Map<String, DatagramPeerEntry> peers = new java.util.HashMap<>();

        DatagramPortEntry(BiConsumer<String, byte[]> callback) {
            super("");
            this.callback = callback;
        }

        void setName(String name) {
            this.name = name;
        }

        @Override
        boolean matches(String shorter) {
            return false;
        }

        @Override
        public void datagram(SockAddr from, byte[] data) {
            String key = from.toString();
            DatagramPeerEntry p = peers.get(key);
            if (p == null || byName.get(p.name) != p) {
                String host = from.address();
                p = new DatagramPeerEntry((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + from.port()
                        + "|" + acceptCount.incrementAndGet(), this, from);
                peers.put(key, p);
                byName.put(p.name, p);
            }
            try {
                callback.accept(p.name, data);
            } catch (Throwable t) {
                loop.report(t);
            }
        }

        @Override
        public void failed(String text) {
            error(this, text);
        }

        @Override
        void queueRead(Read r) {
            throw new IllegalArgumentException("'" + name + "' is a datagram port; its datagrams arrive through the"
                    + " callback of acceptDatagramConnections");
        }

        @Override
        void write(byte[] data, Consumer<String> callback) {
            throw new IllegalArgumentException("'" + name + "' is a datagram port; write to the sockets of its"
                    + " senders");
        }

        @Override
        void close() {
            for (DatagramPeerEntry p : peers.values()) {
                byName.remove(p.name, p);
            }
            peers.clear();
            listener.close();
        }
    }

    /** One sender of an accepting datagram port: writes go back to it from that port. */
    private final class DatagramPeerEntry extends Entry {
        final DatagramPortEntry port;
        final SockAddr peer;

        DatagramPeerEntry(String name, DatagramPortEntry port, SockAddr peer) {
            super(name);
            this.port = port;
            this.peer = peer;
        }

        @Override
        void queueRead(Read r) {
            throw new IllegalArgumentException("'" + name + "' sent to an accepting datagram port; its datagrams"
                    + " arrive through the callback of acceptDatagramConnections");
        }

        @Override
        void write(byte[] data, Consumer<String> callback) {
            String failure = port.listener.sendTo(peer, data);
            if (failure != null) {
                error(this, failure); // a UDP error concerns one datagram: the socket stays
            } else if (callback != null) {
                try {
                    callback.accept(name);
                } catch (Throwable t) {
                    loop.report(t);
                }
            }
        }

        @Override
        void close() {
            port.peers.remove(peer.toString(), this);
        }
    }

    /** {@code accept connections}: the listener, named by its port. */
    private final class ListenerEntry extends Entry {
        final TcpServer server;

        ListenerEntry(String name, TcpServer server) {
            super(name);
            this.server = server;
        }

        @Override
        boolean matches(String shorter) {
            return false;
        }

        @Override
        void queueRead(Read r) {
            throw new IllegalArgumentException("'" + name + "' is a listener; read from the sockets it accepts");
        }

        @Override
        void write(byte[] data, Consumer<String> callback) {
            throw new IllegalArgumentException("'" + name + "' is a listener; write to the sockets it accepts");
        }

        @Override
        void close() {
            // TcpServer.close waits for the loop: from the loop thread it runs at once
            server.close();
        }
    }
}
