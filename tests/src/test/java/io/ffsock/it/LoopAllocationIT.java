package io.ffsock.it;

import io.ffsock.loop.EventLoop;
import io.ffsock.loop.TcpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "No allocation per event in the steady state": an echo server on a loop, whose handler moves bytes through a
 * buffer it owns, is driven by clients on other threads; the loop thread's allocated bytes (as the JVM counts them
 * per thread) must not grow with the number of events once warmed up.
 */
@Timeout(120)
@org.junit.jupiter.api.extension.ExtendWith(FdBaseline.class)
class LoopAllocationIT {

    @Test
    void echoingAllocatesNothingPerEventOnTheLoopThread() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(),
                "skipped: this JVM does not count allocations per thread");
        try (EventLoop loop = new EventLoop("alloc-test")) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            TcpServer server = new TcpServer(loop);
            server.onNewConnection(s -> s.onReadyRead(x -> {
                buf.clear();
                x.read(buf);
                buf.flip();
                x.write(buf);
            }));
            assertTrue(server.listen("127.0.0.1", 0), server.errorString());
            java.util.concurrent.CompletableFuture<Long> id = new java.util.concurrent.CompletableFuture<>();
            loop.execute(() -> id.complete(Thread.currentThread().threadId()));
            long tid = id.get(5, TimeUnit.SECONDS);
            int conns = 8;
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                Socket c = new Socket("127.0.0.1", server.port());
                c.setTcpNoDelay(true);
                clients.add(c);
            }
            roundTrips(clients, 20_000); // warm-up: JIT, buffers grown to their steady size
            long before = mx.getThreadAllocatedBytes(tid);
            long events = roundTrips(clients, 20_000);
            long after = mx.getThreadAllocatedBytes(tid);
            double perEvent = (after - before) / (double) events;
            System.out.printf("loop thread allocated %d bytes over %d echoed messages (%.3f B/message)%n",
                    after - before, events, perEvent);
            assertTrue(perEvent < 1.0, "the loop allocates " + perEvent + " bytes per echoed message");
            for (Socket c : clients) {
                c.close();
            }
            server.close();
        }
    }

    /** Each client thread sends a 64-byte message and waits for its echo, {@code n} times. */
    private static long roundTrips(List<Socket> clients, int n) throws Exception {
        List<Thread> ts = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Socket c : clients) {
            Thread t = new Thread(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    byte[] msg = new byte[64];
                    byte[] back = new byte[64];
                    for (int i = 0; i < n; i++) {
                        msg[0] = (byte) i;
                        out.write(msg);
                        in.readFully(back);
                        if (back[0] != (byte) i) {
                            throw new AssertionError("echo out of order");
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a client failed", failures.get(0));
        }
        return (long) n * clients.size();
    }
}
