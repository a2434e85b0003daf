package io.ffsock.it;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.loop.EventLoop;
import io.ffsock.loop.TcpServer;
import io.ffsock.loop.TcpSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many concurrent connections on one loop thread: an echo server ({@link TcpServer} on one {@link EventLoop}) in
 * this JVM, and {@link LoopScaleClient} in a child JVM holding the other end of every connection, all connected at
 * the same time, each echoing numbered messages that the client checks for loss, corruption and order.
 * <p>
 * The scale is the system property {@code ffsock.scale.connections} (default 10,000) with
 * {@code ffsock.scale.messages} messages each (default 100). Both processes raise their own descriptor limit
 * (setrlimit through FFM) up to the hard limit; when that is too low for the scale asked for, the test is skipped
 * and says so.
 */
@ExtendWith(FdBaseline.class)
@Timeout(180)
class LoopScaleIT {
    private static final int CONNECTIONS = Integer.getInteger("ffsock.scale.connections", 10_000);
    private static final int MESSAGES = Integer.getInteger("ffsock.scale.messages", 100);
    private static final int WINDOW = 10;

    @Test
    void tenThousandConnectionsOnOneLoopThreadEchoEveryMessageInOrder() throws Exception {
        long limit = Epoll.raiseFdLimit(CONNECTIONS + 1024L);
        long[] now = Epoll.fdLimit();
        Assumptions.assumeTrue(limit < 0 || limit >= CONNECTIONS + 256L,
                "skipped: the descriptor limit (soft " + now[0] + ", hard " + now[1] + ") is too low for "
                        + CONNECTIONS + " connections in this process");
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicLong echoed = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        try (EventLoop loop = new EventLoop("scale-server")) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            TcpServer server = new TcpServer(loop);
            server.onNewConnection(s -> {
                accepted.incrementAndGet();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                s.onReadyRead(x -> {
                    buf.clear();
                    int n = x.read(buf);
                    buf.flip();
                    x.write(buf);
                    echoed.addAndGet(n);
                });
                s.onDisconnected(x -> open.decrementAndGet());
                s.onError((x, e) -> {
                    if (e != TcpSocket.Error.REMOTE_HOST_CLOSED) {
                        errors.incrementAndGet();
                    }
                });
            });
            assertTrue(server.listen("127.0.0.1", 0), server.errorString());
            CompletableFuture<Long> loopThread = new CompletableFuture<>();
            loop.execute(() -> loopThread.complete(Thread.currentThread().threadId()));
            long tid = loopThread.get(5, TimeUnit.SECONDS);
            long heapBefore = usedHeap();

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), LoopScaleClient.class.getName(),
                    Integer.toString(server.port()), Integer.toString(CONNECTIONS), Integer.toString(MESSAGES),
                    Integer.toString(WINDOW)));
            long t0 = System.nanoTime();
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            long[] heapAllOpen = {-1};
            Thread sampler = new Thread(() -> {
                try {
                    while (maxOpen.get() < CONNECTIONS && child.isAlive()) {
                        Thread.sleep(5);
                    }
                    heapAllOpen[0] = usedHeap(); // every connection open, each with its buffers
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            sampler.start();
            List<String> output = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            }
            assertTrue(child.waitFor(150, TimeUnit.SECONDS), "the client did not finish");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String result = output.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElse("no RESULT");
            Assumptions.assumeFalse(child.exitValue() == 2, result);
            System.out.printf("%s; server: accepted=%d maxConcurrent=%d echoed=%d bytes, %d ms in all%n", result,
                    accepted.get(), maxOpen.get(), echoed.get(), ms);
            assertEquals(0, child.exitValue(), "client failed: " + String.join("\n", output));
            assertEquals(CONNECTIONS, accepted.get());
            assertEquals(CONNECTIONS, maxOpen.get(), "the connections were not all open at the same time");
            assertEquals((long) CONNECTIONS * MESSAGES * LoopScaleClient.MESSAGE, echoed.get());
            assertEquals(0, errors.get());
            // every server-side socket closes when its client does, and its descriptor with it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (open.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, open.get(), "server sockets still open after the clients left");
            assertEquals(1, loop.registeredCount(), "only the listener is left on the loop");
            sampler.join();
            long heapAfter = usedHeap();
            System.out.printf("heap in use: before %d MiB, with all %d connections open %d MiB, after %d MiB%n",
                    heapBefore >> 20, CONNECTIONS, heapAllOpen[0] >> 20, heapAfter >> 20);
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory
                    .getThreadMXBean();
            System.out.printf("loop thread allocated %d MiB in all (%d connections accepted)%n",
                    mx.getThreadAllocatedBytes(tid) >> 20, accepted.get());
            server.close();
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
