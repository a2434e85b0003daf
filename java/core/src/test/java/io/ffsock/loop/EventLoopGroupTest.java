package io.ffsock.loop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several loops, one SO_REUSEPORT listener each: the kernel spreads the connections over the loops. */
@Timeout(30)
class EventLoopGroupTest {

    @Test
    void connectionsAreSpreadOverTheLoopsOfAGroup() throws Exception {
        OpenFds.warmUpJdkSockets();
        int before = OpenFds.count();
        int n = 64;
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Map<String, AtomicInteger> perLoop = new ConcurrentHashMap<>();
            CountDownLatch all = new CountDownLatch(n);
            TcpServer server = new TcpServer(group);
            server.onNewConnection(s -> {
                assertTrue(s.loop().inLoop());
                perLoop.computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger()).incrementAndGet();
                s.onReadyRead(x -> x.write(x.readAll()));
                all.countDown();
            });
            assertTrue(server.listen("127.0.0.1", 0), server.errorString());
            assertEquals(2, group.loops().stream().mapToInt(EventLoop::registeredCount).sum(),
                    "one listener per loop");
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Socket c = new Socket("127.0.0.1", server.port());
                clients.add(c);
                c.getOutputStream().write(i);
                assertEquals(i, c.getInputStream().read(), "each loop echoes its own connections");
            }
            assertTrue(all.await(10, TimeUnit.SECONDS));
            assertEquals(2, perLoop.size(), "every connection went to one loop: " + perLoop);
            for (Socket c : clients) {
                c.close();
            }
            server.close();
        }
        OpenFds.assertBackTo(before, "after the group closed");
    }
}
