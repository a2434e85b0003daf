package io.ffsock.cli;

import io.ffsock.Socket;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Times a 64-byte round trip over TCP loopback for ffsock and for {@code java.nio.channels.SocketChannel}, each
 * against an echo server of its own kind, in the same run. The batches alternate between the two so that a noisy,
 * shared machine slows both alike; the figure is the median batch. A first-glance number, not a benchmark: the
 * JMH suite and {@code ./ffsock bench} are where speed is measured.
 */
final class RoundTrip {
    private static final int SIZE = 64;
    private static final int BATCHES = 5;

    private final PrintStream out;
    private final int rounds;

    RoundTrip(PrintStream out, int rounds) {
        this.out = out;
        this.rounds = rounds;
    }

    void run() throws Exception {
        out.println("== 64-byte round trip over TCP loopback, " + rounds + " per batch, median of " + BATCHES
                + " alternating batches (after one warm-up batch each)");
        try (FfsockSide ff = new FfsockSide(); NioSide nio = new NioSide()) {
            ff.batch(rounds);
            nio.batch(rounds);
            double[] f = new double[BATCHES];
            double[] n = new double[BATCHES];
            for (int b = 0; b < BATCHES; b++) {
                f[b] = ff.batch(rounds);
                n[b] = nio.batch(rounds);
            }
            double fm = median(f);
            double nm = median(n);
            out.printf("  ffsock (Socket.read/write, MemorySegment) %8.2f us per round trip%n", fm);
            out.printf("  java.nio SocketChannel (direct buffers)   %8.2f us per round trip%n", nm);
            out.printf("  ffsock / NIO time ratio: %.3f (%s)%n", fm / nm,
                    fm <= nm ? "ffsock is faster" : "NIO is faster");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** An ffsock client connected to an ffsock {@link EchoServer}. */
    private static final class FfsockSide implements AutoCloseable {
        private final Socket listener = new Socket();
        private final EchoServer server;
        private final Socket client = new Socket();
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment msg = arena.allocate(SIZE);
        private final MemorySegment reply = arena.allocate(SIZE);

        FfsockSide() throws Exception {
            if (listener.bind("127.0.0.1:0", true) != 0 || listener.listen() != 0) {
                throw new IllegalStateException("bind/listen failed: errno " + Socket.errno());
            }
            server = EchoServer.start(listener);
            client.connect("127.0.0.1:" + listener.getSocketInfo(false).port(), 5_000);
            client.setNoDelay(true);
            msg.fill((byte) 'x');
        }

        /** Microseconds per round trip over {@code rounds} round trips. */
        double batch(int rounds) throws Exception {
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                client.write(msg);
                long got = 0;
                while (got < SIZE) {
                    long n = client.read(reply.asSlice(got));
                    if (n < 0) {
                        throw new IOException("echo server closed");
                    }
                    got += n;
                }
            }
            return (System.nanoTime() - t0) / 1e3 / rounds;
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            listener.close();
            arena.close();
        }
    }

    /** A blocking SocketChannel client connected to a blocking SocketChannel echo thread. */
    private static final class NioSide implements AutoCloseable {
        private final ServerSocketChannel listener = ServerSocketChannel.open();
        private final Thread echo;
        private final SocketChannel client;
        private final ByteBuffer msg = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer reply = ByteBuffer.allocateDirect(SIZE);

        NioSide() throws IOException {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            echo = new Thread(this::serve, "nio-echo");
            echo.setDaemon(true);
            echo.start();
            client = SocketChannel.open(listener.getLocalAddress());
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }

        private void serve() {
            try (SocketChannel c = listener.accept()) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
                while (c.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // closed: the echo is over
            }
        }

        double batch(int rounds) throws IOException {
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                msg.clear();
                while (msg.hasRemaining()) {
                    client.write(msg);
                }
                reply.clear();
                while (reply.hasRemaining()) {
                    if (client.read(reply) < 0) {
                        throw new IOException("echo server closed");
                    }
                }
            }
            return (System.nanoTime() - t0) / 1e3 / rounds;
        }

        @Override
        public void close() throws Exception {
            client.close();
            listener.close();
            echo.join(5_000);
        }
    }
}
