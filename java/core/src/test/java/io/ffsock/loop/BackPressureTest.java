package io.ffsock.loop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-pressure and faults: a peer that stops reading, a peer that writes faster than the reader reads, a peer that
 * resets mid-stream. Memory stays bounded, nothing is lost or reordered, every error takes the documented path and
 * every descriptor is freed.
 */
@Timeout(60)
class BackPressureTest {
    private EventLoop loop;
    private TcpServer server;
    private int fdsBefore;
    private final CompletableFuture<TcpSocket> accepted = new CompletableFuture<>();

    @BeforeAll
    static void warmUp() throws IOException {
        OpenFds.warmUpJdkSockets();
    }

    @BeforeEach
    void setUp() {
        fdsBefore = OpenFds.count();
        loop = new EventLoop("bp-test");
        server = new TcpServer(loop);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        loop.close();
        OpenFds.assertBackTo(fdsBefore, "descriptors after the test");
    }

    private static byte pattern(long i) {
        return (byte) (i * 7 % 251);
    }

    @Test
    void aPeerThatStopsReadingHoldsTheWriterAtTheHighWaterMark() throws Exception {
        long total = 48L << 20;
        int chunk = 64 * 1024;
        long highWater = 256 * 1024;
        AtomicLong maxQueued = new AtomicLong();
        AtomicLong maxMemory = new AtomicLong();
        AtomicInteger writableEvents = new AtomicInteger();
        CompletableFuture<Void> allQueued = new CompletableFuture<>();
        long[] next = {0};
        server.onNewConnection(s -> {
            s.setWriteHighWaterMark(highWater);
            Runnable pump = () -> {
                byte[] b = new byte[chunk];
                while (s.isWritable() && next[0] < total) {
                    int n = (int) Math.min(chunk, total - next[0]);
                    for (int i = 0; i < n; i++) {
                        b[i] = pattern(next[0] + i);
                    }
                    s.write(b, 0, n);
                    next[0] += n;
                    maxQueued.accumulateAndGet(s.bytesToWrite(), Math::max);
                    maxMemory.accumulateAndGet(s.bufferedMemory(), Math::max);
                }
                if (next[0] == total) {
                    allQueued.complete(null);
                    s.disconnect();
                }
            };
            s.onWritable(x -> {
                writableEvents.incrementAndGet();
                pump.run();
            });
            pump.run();
            accepted.complete(s);
        });
        assertTrue(server.listen("127.0.0.1", 0), server.errorString());
        try (Socket peer = new Socket("127.0.0.1", server.port())) {
            TcpSocket s = accepted.get(5, TimeUnit.SECONDS);
            Thread.sleep(300); // not reading: the kernel's buffers fill, then the queue
            assertTrue(!s.isWritable(), "the writer was never held back");
            assertTrue(s.bytesToWrite() > highWater / 2, "the queue drained although nobody reads: "
                    + s.bytesToWrite());
            InputStream in = peer.getInputStream();
            byte[] b = new byte[1 << 16];
            long got = 0;
            int n;
            while ((n = in.read(b)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (b[i] != pattern(got + i)) {
                        throw new AssertionError("byte " + (got + i) + " is wrong: lost or reordered data");
                    }
                }
                got += n;
            }
            assertEquals(total, got);
            assertTrue(allQueued.isDone());
        }
        assertTrue(writableEvents.get() > 0, "onWritable never fired");
        assertTrue(maxQueued.get() <= highWater + chunk, "queue grew to " + maxQueued.get());
        // the queue's array doubles: at most twice what it held
        assertTrue(maxMemory.get() <= 2 * (highWater + chunk), "buffers grew to " + maxMemory.get());
    }

    @Test
    void aReaderThatDoesNotReadStopsTakingBytesFromTheKernel() throws Exception {
        long limit = 256 * 1024;
        server.onNewConnection(s -> {
            s.setReadBufferLimit(limit);
            accepted.complete(s);
        });
        assertTrue(server.listen("127.0.0.1", 0), server.errorString());
        try (SocketChannel peer = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
            TcpSocket s = accepted.get(5, TimeUnit.SECONDS);
            peer.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(1 << 16);
            long sent = 0;
            long stalledSince = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                out.clear();
                for (int i = 0; i < out.capacity(); i++) {
                    out.put(pattern(sent + i));
                }
                out.flip();
                int n = peer.write(out);
                sent += n;
                if (n == 0) {
                    if (stalledSince == 0) {
                        stalledSince = System.nanoTime();
                    } else if (System.nanoTime() - stalledSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                        break; // the peer has been held back for a while
                    }
                    Thread.sleep(5);
                } else {
                    stalledSince = 0; // a partial write is fine: the next round's pattern starts where it ended
                }
            }
            assertTrue(stalledSince != 0, "the writer was never held back");
            assertTrue(s.bytesAvailable() <= limit, "buffered " + s.bytesAvailable() + " over the limit " + limit);
            assertTrue(s.bufferedMemory() <= 2 * limit + (1 << 16), "memory " + s.bufferedMemory());
            // now read everything: reading resumes and the rest arrives, in order
            peer.shutdownOutput();
            long total = sent;
            CompletableFuture<Long> done = new CompletableFuture<>();
            long[] got = {0};
            loop.execute(() -> {
                java.util.function.Consumer<TcpSocket> drain = x -> {
                    byte[] b = x.readAll();
                    for (int i = 0; i < b.length; i++) {
                        if (b[i] != pattern(got[0] + i)) {
                            done.completeExceptionally(new AssertionError("byte " + (got[0] + i) + " wrong"));
                            return;
                        }
                    }
                    got[0] += b.length;
                    if (got[0] == total) {
                        done.complete(got[0]);
                    }
                };
                s.onReadyRead(drain);
                drain.accept(s);
            });
            assertEquals(total, done.get(20, TimeUnit.SECONDS));
            s.abort();
        }
    }

    @Test
    void awaitWritableBlocksAWriterThreadAtTheMark() throws Exception {
        server.onNewConnection(accepted::complete);
        assertTrue(server.listen("127.0.0.1", 0), server.errorString());
        try (Socket peer = new Socket("127.0.0.1", server.port())) {
            TcpSocket s = accepted.get(5, TimeUnit.SECONDS);
            s.setWriteHighWaterMark(128 * 1024);
            long total = 16L << 20;
            AtomicLong maxQueued = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] b = new byte[32 * 1024];
                long off = 0;
                try {
                    while (off < total) {
                        for (int i = 0; i < b.length; i++) {
                            b[i] = pattern(off + i);
                        }
                        if (!s.awaitWritable(Duration.ofSeconds(20))) {
                            throw new AssertionError("never writable");
                        }
                        s.write(b);
                        off += b.length;
                        maxQueued.accumulateAndGet(s.bytesToWrite(), Math::max);
                    }
                    s.disconnect();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            writer.start();
            InputStream in = peer.getInputStream();
            byte[] b = new byte[8192];
            long got = 0;
            int n;
            while ((n = in.read(b)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (b[i] != pattern(got + i)) {
                        throw new AssertionError("byte " + (got + i) + " is wrong");
                    }
                }
                got += n;
                if (got % (1 << 20) < 8192) {
                    Thread.sleep(1); // a slow reader
                }
            }
            writer.join();
            assertEquals(total, got);
            assertTrue(maxQueued.get() <= 128 * 1024 + 32 * 1024, "queued " + maxQueued.get());
        }
    }

    @Test
    void aPeerResetMidStreamIsRemoteHostClosedAndFreesTheSocket() throws Exception {
        server.onNewConnection(s -> {
            Recorder r = new Recorder(s);
            s.onReadyRead(x -> x.readAll());
            accepted.complete(s);
            s.onStateChanged((x, st) -> r.add("state " + st));
            recorder.complete(r);
        });
        assertTrue(server.listen("127.0.0.1", 0), server.errorString());
        Socket peer = new Socket("127.0.0.1", server.port());
        TcpSocket s = accepted.get(5, TimeUnit.SECONDS);
        Recorder r = recorder.get(5, TimeUnit.SECONDS);
        peer.getOutputStream().write(new byte[100_000]);
        peer.setSoLinger(true, 0);
        peer.close(); // RST
        List<String> ev = r.until("disconnected");
        assertTrue(ev.contains("error REMOTE_HOST_CLOSED in CONNECTED"), ev.toString());
        assertEquals("disconnected", ev.get(ev.size() - 1));
        assertEquals(TcpSocket.State.UNCONNECTED, s.state());
        assertEquals(1, loop.registeredCount(), "only the listener is left");
    }

    private final CompletableFuture<Recorder> recorder = new CompletableFuture<>();

    @Test
    void writesToAResetPeerFailWithRemoteHostClosed() throws Exception {
        server.onNewConnection(s -> {
            recorder.complete(new Recorder(s));
            accepted.complete(s);
        });
        assertTrue(server.listen("127.0.0.1", 0), server.errorString());
        Socket peer = new Socket("127.0.0.1", server.port());
        TcpSocket s = accepted.get(5, TimeUnit.SECONDS);
        Recorder r = recorder.get(5, TimeUnit.SECONDS);
        peer.setSoLinger(true, 0);
        peer.close();
        for (int i = 0; i < 100 && s.state() == TcpSocket.State.CONNECTED; i++) {
            s.write(new byte[64 * 1024]);
            Thread.sleep(10);
        }
        List<String> ev = r.until("disconnected");
        assertTrue(ev.get(0).startsWith("error REMOTE_HOST_CLOSED"), ev.toString());
        assertEquals(0, s.bytesToWrite());
    }
}
