package io.ffsock.bench.loop;

import io.ffsock.loop.EventLoop;
import io.ffsock.loop.TcpServer;
import io.ffsock.loop.TcpSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The event loop's side-by-side benchmark. Three servers, each on one thread, take turns against one and the same
 * client:
 * <ul>
 *   <li>{@code ffsock}: {@link TcpServer} on an {@link EventLoop}, echoing through a buffer it owns;</li>
 *   <li>{@code netty-epoll}: Netty's epoll transport, {@code EpollEventLoopGroup(1)}, the usual echo handler (write
 *   on read, flush on read-complete), pooled direct buffers;</li>
 *   <li>{@code nio}: a {@link Selector} loop over non-blocking {@link SocketChannel}s and a direct buffer.</li>
 * </ul>
 * Scenarios:
 * <ul>
 *   <li>{@code echo}: 1,000 connections, each keeping {@code window} 64-byte messages in flight; the figure is
 *   messages echoed per second;</li>
 *   <li>{@code connect}: connections accepted and closed per second (the server closes each one as soon as it has
 *   accepted it; the client keeps 64 connects in flight).</li>
 * </ul>
 * The client is an ffsock {@link EventLoop} on a thread of its own, the same for every server, so the servers are
 * what differs. Rounds interleave the servers (a different one first in each round) so that a busy shared machine
 * slows all of them alike; a figure is the median of its rounds.
 * <pre>
 *   ./ffsock bench loop [--quick] [--rounds N] [--seconds S] [--connections N] [--window N] [--json FILE]
 * </pre>
 */
public final class LoopBench {
    static final int MESSAGE = 64;

    /** One server under test: an echo port and an accept-and-close port, both served by one thread. */
    interface Server extends AutoCloseable {
        String name();

        int echoPort();

        int closePort();

        /** The one thread that serves both ports. */
        Thread thread();

        @Override
        void close();
    }

    static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time the server's thread has used so far, in nanoseconds. */
    static long cpu(Server s) {
        return MX.getThreadCpuTime(s.thread().threadId());
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        double seconds = 2.0;
        int connections = 1000;
        int window = 4;
        String json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    rounds = 1;
                    seconds = 0.5;
                }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--json" -> json = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Epoll.ensureAvailability();
        io.ffsock.internal.sys.Epoll.raiseFdLimit(8L * connections + 4096);
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "loop bench: %d rounds of %.1f s, %d connections x %d messages of %d B in flight, "
                + "%d cores%n", rounds, seconds, connections, window, MESSAGE,
                Runtime.getRuntime().availableProcessors());
        List<Server> servers = List.of(new FfsockServer(), new NettyServer(), new NioServer());
        String[] names = servers.stream().map(Server::name).toArray(String[]::new);
        double[][] echo = new double[servers.size()][rounds];
        double[][] conn = new double[servers.size()][rounds];
        double[][] echoCpu = new double[servers.size()][rounds];
        double[][] connCpu = new double[servers.size()][rounds];
        try (EventLoop clientLoop = new EventLoop("bench-client")) {
            List<EchoClients> pools = new ArrayList<>();
            for (Server s : servers) {
                pools.add(new EchoClients(clientLoop, s.echoPort(), connections, window));
            }
            // warm-up: every server, both scenarios, once, unmeasured
            for (int k = 0; k < servers.size(); k++) {
                pools.get(k).run(Math.min(1.0, seconds), servers.get(k));
                connectRate(clientLoop, servers.get(k), Math.min(1.0, seconds));
            }
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < servers.size(); j++) {
                    int k = (r + j) % servers.size();
                    double[] m = pools.get(k).run(seconds, servers.get(k));
                    echo[k][r] = m[0];
                    echoCpu[k][r] = m[1];
                }
                for (int j = 0; j < servers.size(); j++) {
                    int k = (r + j) % servers.size();
                    double[] m = connectRate(clientLoop, servers.get(k), seconds);
                    conn[k][r] = m[0];
                    connCpu[k][r] = m[1];
                }
                out.printf(Locale.ROOT, "  round %d: echo %s; connect %s%n", r + 1, row(names, echo, r),
                        row(names, conn, r));
            }
            for (EchoClients p : pools) {
                p.close();
            }
        } finally {
            for (Server s : servers) {
                s.close();
            }
        }
        out.println();
        out.printf(Locale.ROOT, "%-14s %14s %9s %16s %9s %14s %9s %16s %9s%n", "server", "echo msg/s", "vs ffsock",
                "server ns/msg", "vs ffsock", "accept+close/s", "vs ffsock", "server us/conn", "vs ffsock");
        double e0 = median(echo[0]);
        double c0 = median(conn[0]);
        double ec0 = median(echoCpu[0]);
        double cc0 = median(connCpu[0]);
        StringBuilder js = new StringBuilder("{\"connections\":" + connections + ",\"window\":" + window
                + ",\"messageBytes\":" + MESSAGE + ",\"rounds\":" + rounds + ",\"seconds\":" + seconds
                + ",\"results\":[");
        for (int k = 0; k < servers.size(); k++) {
            double e = median(echo[k]);
            double c = median(conn[k]);
            double ec = median(echoCpu[k]);
            double cc = median(connCpu[k]);
            out.printf(Locale.ROOT, "%-14s %14.0f %9.2f %16.0f %9.2f %14.0f %9.2f %16.1f %9.2f%n", names[k], e, e / e0,
                    ec, ec / ec0, c, c / c0, cc, cc / cc0);
            js.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"server\":\"%s\",\"echoMsgPerSec\":%.0f,\"serverNsPerMsg\":%.0f,\"connectionsPerSec\":%.0f,"
                            + "\"serverUsPerConnection\":%.1f,\"echoRounds\":%s,\"connectRounds\":%s}", names[k], e,
                    ec, c, cc, Arrays.toString(echo[k]), Arrays.toString(conn[k])));
        }
        js.append("]}\n");
        if (json != null) {
            Files.writeString(Path.of(json), js.toString(), StandardCharsets.UTF_8);
            out.println("wrote " + json);
        }
        System.exit(0);
    }

    private static String row(String[] names, double[][] v, int r) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < names.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(names[k]).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f", v[k][r]));
        }
        return sb.toString();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    // =============================================================================================================
    // the client: the same for every server
    // =============================================================================================================

    /** {@code n} connections to an echo port, each keeping {@code window} messages in flight while running. */
    static final class EchoClients {
        private final EventLoop loop;
        private final List<TcpSocket> sockets = new ArrayList<>();
        private final AtomicLong echoed = new AtomicLong();
        private final int window;
        private volatile boolean running;
        private final AtomicLong inFlight = new AtomicLong();
        private final byte[] burst;

        EchoClients(EventLoop loop, int port, int n, int window) throws InterruptedException {
            this.loop = loop;
            this.window = window;
            this.burst = new byte[MESSAGE * 64];
            CountDownLatch connected = new CountDownLatch(n);
            byte[] scratch = new byte[MESSAGE * 64];
            for (int i = 0; i < n; i++) {
                TcpSocket s = new TcpSocket(loop);
                s.onConnected(x -> connected.countDown());
                s.onError((x, e) -> {
                    if (x.state() != TcpSocket.State.CONNECTED) {
                        System.err.println("bench client: " + e + " " + x.errorString());
                        connected.countDown();
                    }
                });
                s.onReadyRead(x -> {
                    long whole = x.bytesAvailable() / MESSAGE;
                    while (whole > 0) {
                        int m = (int) Math.min(whole, scratch.length / MESSAGE);
                        x.read(scratch, 0, m * MESSAGE);
                        whole -= m;
                        echoed.addAndGet(m);
                        if (running) {
                            x.write(burst, 0, m * MESSAGE); // one message out for each one back
                        } else {
                            inFlight.addAndGet(-m);
                        }
                    }
                });
                s.connect("127.0.0.1", port);
                sockets.add(s);
                if (i % 200 == 199) {
                    Thread.sleep(5); // do not overflow the listener's backlog
                }
            }
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bench clients did not connect to port " + port);
            }
        }

        /**
         * Runs for {@code seconds} after a short ramp; returns messages echoed per second and the server thread's
         * CPU nanoseconds per message.
         */
        double[] run(double seconds, Server server) throws InterruptedException {
            running = true;
            loop.execute(() -> {
                for (TcpSocket s : sockets) {
                    s.write(burst, 0, window * MESSAGE);
                }
            });
            inFlight.set((long) window * sockets.size());
            Thread.sleep(200);
            long c0 = echoed.get();
            long t0 = System.nanoTime();
            long u0 = cpu(server);
            Thread.sleep((long) (seconds * 1000));
            long c1 = echoed.get();
            long t1 = System.nanoTime();
            long u1 = cpu(server);
            running = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5); // let the messages in flight come home before the next server's turn
            }
            return new double[] {(c1 - c0) / ((t1 - t0) / 1e9), (u1 - u0) / (double) Math.max(1, c1 - c0)};
        }

        void close() {
            for (TcpSocket s : sockets) {
                s.abort();
            }
        }
    }

    /**
     * Connects to an accept-and-close port for {@code seconds}, 64 at a time; returns connections per second and the
     * server thread's CPU microseconds per connection.
     */
    static double[] connectRate(EventLoop loop, Server server, double seconds) throws InterruptedException {
        int port = server.closePort();
        long u0 = cpu(server);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long stopAt = System.nanoTime() + (long) (seconds * 1e9);
        CountDownLatch finished = new CountDownLatch(64);
        for (int i = 0; i < 64; i++) {
            loop.execute(() -> cycle(loop, port, done, failed, stopAt, finished));
        }
        long t0 = System.nanoTime();
        finished.await((long) seconds + 30, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (failed.get() > 0) {
            System.err.println("bench client: " + failed.get() + " connections failed on port " + port);
        }
        long u1 = cpu(server);
        return new double[] {done.get() / ((t1 - t0) / 1e9), (u1 - u0) / 1e3 / Math.max(1, done.get())};
    }

    private static void cycle(EventLoop loop, int port, AtomicLong done, AtomicLong failed, long stopAt,
                              CountDownLatch finished) {
        if (System.nanoTime() - stopAt >= 0) {
            finished.countDown();
            return;
        }
        TcpSocket s = new TcpSocket(loop);
        s.onDisconnected(x -> {
            done.incrementAndGet();
            cycle(loop, port, done, failed, stopAt, finished);
        });
        s.onError((x, e) -> {
            if (e != TcpSocket.Error.REMOTE_HOST_CLOSED) {
                failed.incrementAndGet();
                loop.execute(() -> cycle(loop, port, done, failed, stopAt, finished));
            }
        });
        s.connect("127.0.0.1", port);
    }

    // =============================================================================================================
    // the servers
    // =============================================================================================================

    /** ffsock's loop. */
    static final class FfsockServer implements Server {
        private final EventLoop loop = new EventLoop("bench-ffsock");
        private final TcpServer echo = new TcpServer(loop);
        private final TcpServer closer = new TcpServer(loop);
        private final Thread thread;

        FfsockServer() throws Exception {
            java.util.concurrent.CompletableFuture<Thread> t = new java.util.concurrent.CompletableFuture<>();
            loop.execute(() -> t.complete(Thread.currentThread()));
            thread = t.get();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            echo.onNewConnection(s -> s.onReadyRead(x -> {
                buf.clear();
                x.read(buf);
                buf.flip();
                x.write(buf);
            }));
            closer.onNewConnection(TcpSocket::disconnect);
            if (!echo.listen("127.0.0.1", 0) || !closer.listen("127.0.0.1", 0)) {
                throw new IllegalStateException("ffsock listen: " + echo.errorString() + closer.errorString());
            }
        }

        @Override
        public String name() {
            return "ffsock";
        }

        @Override
        public Thread thread() {
            return thread;
        }

        @Override
        public int echoPort() {
            return echo.port();
        }

        @Override
        public int closePort() {
            return closer.port();
        }

        @Override
        public void close() {
            echo.close();
            closer.close();
            loop.close();
        }
    }

    /** Netty's epoll transport, one event loop thread. */
    static final class NettyServer implements Server {
        private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        private final Channel echo;
        private final Channel closer;

        @ChannelHandler.Sharable
        static final class Echo extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.write(msg, ctx.voidPromise());
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // the bench's clients leave with a reset
            }
        }

        @ChannelHandler.Sharable
        static final class Closer extends ChannelInboundHandlerAdapter {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.close();
            }
        }

        private final Thread thread;

        NettyServer() throws Exception {
            echo = bind(new Echo());
            closer = bind(new Closer());
            java.util.concurrent.CompletableFuture<Thread> t = new java.util.concurrent.CompletableFuture<>();
            group.next().execute(() -> t.complete(Thread.currentThread()));
            thread = t.get();
        }

        @Override
        public Thread thread() {
            return thread;
        }

        private Channel bind(ChannelHandler h) throws InterruptedException {
            ChannelFuture f = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(h);
                        }
                    }).bind("127.0.0.1", 0).sync();
            return f.channel();
        }

        @Override
        public String name() {
            return "netty-epoll";
        }

        @Override
        public int echoPort() {
            return ((InetSocketAddress) echo.localAddress()).getPort();
        }

        @Override
        public int closePort() {
            return ((InetSocketAddress) closer.localAddress()).getPort();
        }

        @Override
        public void close() {
            echo.close().syncUninterruptibly();
            closer.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A Selector loop on one thread, written as the JDK's documentation suggests. */
    static final class NioServer implements Server {
        private final Selector selector;
        private final ServerSocketChannel echo;
        private final ServerSocketChannel closer;
        private final Thread thread;
        private volatile boolean stop;

        NioServer() throws IOException {
            selector = Selector.open();
            echo = listener();
            closer = listener();
            echo.register(selector, SelectionKey.OP_ACCEPT, "echo");
            closer.register(selector, SelectionKey.OP_ACCEPT, "close");
            thread = new Thread(this::run, "bench-nio");
            thread.setDaemon(true);
            thread.start();
        }

        private static ServerSocketChannel listener() throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            s.configureBlocking(false);
            return s;
        }

        /** Bytes a channel could not write yet; while any, it is not read. */
        static final class Pending {
            ByteBuffer rest;
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (!stop) {
                    selector.select();
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        try {
                            handle(k, buf);
                        } catch (IOException e) {
                            k.cancel();
                            k.channel().close();
                        }
                    }
                }
            } catch (IOException e) {
                if (!stop) {
                    e.printStackTrace();
                }
            }
        }

        private void handle(SelectionKey k, ByteBuffer buf) throws IOException {
            if (!k.isValid()) {
                return;
            }
            if (k.isAcceptable()) {
                ServerSocketChannel l = (ServerSocketChannel) k.channel();
                SocketChannel c;
                while ((c = l.accept()) != null) {
                    if ("close".equals(k.attachment())) {
                        c.close();
                        continue;
                    }
                    c.configureBlocking(false);
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    c.register(selector, SelectionKey.OP_READ, new Pending());
                }
                return;
            }
            SocketChannel c = (SocketChannel) k.channel();
            Pending p = (Pending) k.attachment();
            if (k.isWritable()) {
                c.write(p.rest);
                if (!p.rest.hasRemaining()) {
                    p.rest = null;
                    k.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            if (k.isReadable()) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    k.cancel();
                    c.close();
                    return;
                }
                buf.flip();
                c.write(buf);
                if (buf.hasRemaining()) {
                    p.rest = ByteBuffer.allocate(buf.remaining());
                    p.rest.put(buf).flip();
                    k.interestOps(SelectionKey.OP_WRITE);
                }
            }
        }

        @Override
        public String name() {
            return "nio-selector";
        }

        @Override
        public Thread thread() {
            return thread;
        }

        @Override
        public int echoPort() {
            return echo.socket().getLocalPort();
        }

        @Override
        public int closePort() {
            return closer.socket().getLocalPort();
        }

        @Override
        public void close() {
            stop = true;
            selector.wakeup();
            try {
                thread.join(5000);
                for (SelectionKey k : selector.keys()) {
                    k.channel().close();
                }
                selector.close();
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
