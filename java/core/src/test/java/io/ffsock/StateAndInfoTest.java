package io.ffsock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static io.ffsock.Loopback.since;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section E: state and information methods (C52 to C57).
 * <p>
 * The IPv6 host name of C56 ({@code hostname_desc "ipv6[<name>]"}) is not checked: a reverse lookup of {@code ::1}
 * is not answered by /etc/hosts here and would query a DNS server.
 */
@Timeout(10)
class StateAndInfoTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("C52 isDataAvailable: true once data arrives, never blocks without a timeout, true for a pending "
            + "connection, for buffered bytes and at EOF")
    void c52_isDataAvailable() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket a = p.accepted();
            long start = System.nanoTime();
            assertFalse(a.isDataAvailable());
            assertFalse(a.isDataAvailable(0));
            assertTrue(since(start) < 90, "isDataAvailable() blocked");
            start = System.nanoTime();
            assertFalse(a.isDataAvailable(100));
            assertTrue(since(start) >= 90, "isDataAvailable(100) did not wait");

            CompletableFuture<Void> f = later(50, () -> p.client().send("helloXYZ"));
            assertTrue(a.isDataAvailable(200), "the peer's data was not seen");
            join(f);
            assertEquals("hello", a.recv(5, 200));
            // the kernel's queue is empty now; the 3 bytes wait in ffsock's buffer
            assertTrue(a.isDataAvailable(), "bytes in the read buffer do not count as available");
            assertEquals("XYZ", a.recv(3, 200));
            assertFalse(a.isDataAvailable());

            // end of stream is readable; a recv tells it apart from data
            p.client().close();
            assertTrue(a.isDataAvailable(200), "EOF did not count as readable");
            assertEquals("", a.recv(-1, 200));
            assertFalse(a.isOpen());
        }
        // a listening socket is readable when a connection waits to be accepted
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            assertFalse(s.isDataAvailable());
            c.connect("127.0.0.1:" + s.getPort());
            assertTrue(s.isDataAvailable(200));
            try (Socket a = s.accept(0)) {
                assertNotNull(a);
            }
            assertFalse(s.isDataAvailable());
        }
    }

    @Test
    @DisplayName("C52 isDataAvailable() does not wait for a reader blocked in recv, and sees the data it waits for")
    void c52_isDataAvailableBesideABlockedReader() throws Exception {
        // threads of their own: the common pool may have a single worker on a small machine
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Loopback.Pair p = Loopback.pair()) {
            Socket a = p.accepted();
            CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.recv(4, 5_000);
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, threads);
            Thread.sleep(100); // let the reader block in poll(2), holding the read lock
            assertFalse(reader.isDone());
            CompletableFuture<Boolean> check = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.isDataAvailable(0);
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, threads);
            assertFalse(check.get(2, java.util.concurrent.TimeUnit.SECONDS),
                    "isDataAvailable(0) waited for the blocked reader or saw data that is not there");
            p.client().send("data");
            assertEquals("data", reader.get(5, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @DisplayName("C52 isWriteFinished(t): true at once with room in the send buffer, false after t ms when it is full")
    void c52_isWriteFinished() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket a = p.accepted();
            assertTrue(a.isWriteFinished());
            assertTrue(a.isWriteFinished(100));
            byte[] chunk = new byte[1 << 20];
            boolean full = false;
            for (int i = 0; i < 64 && !full; i++) {
                try {
                    a.send(chunk, 100);
                } catch (SocketException e) {
                    assertEquals(SocketError.TIMEOUT, e.error(), e::toString);
                    full = true;
                }
            }
            assertTrue(full, "the send buffer never filled");
            long start = System.nanoTime();
            assertFalse(a.isWriteFinished(100));
            long ms = since(start);
            assertTrue(ms >= 90, () -> "isWriteFinished(100) returned after " + ms + " ms");
            assertFalse(a.isWriteFinished());
        }
    }

    @Test
    @DisplayName("C53 shutdown(): 0 on a closed socket; on an open one 0, still open, the peer sees EOF; "
            + "close() after it is fine")
    void c53_shutdown() throws Exception {
        try (Socket s4 = new Socket()) {
            assertEquals(0, s4.bind("127.0.0.1:0"));
            s4.close();
            assertEquals(0, s4.shutdown());
        }
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            int fd = c.getSocket();
            assertEquals(0, c.shutdown());
            assertTrue(c.isOpen(), "shutdown() closed the socket");
            assertEquals(fd, c.getSocket(), "shutdown() gave up the descriptor");
            assertEquals("", p.accepted().recv(-1, 200), "the peer did not see EOF");
            c.close();
            assertFalse(c.isOpen());
            assertEquals(0, c.shutdown());
        }
    }

    @Test
    @DisplayName("C54 setNoDelay/getNoDelay: false at first, setNoDelay() returns 0 and turns it on; "
            + "unopened: setNoDelay returns -1, getNoDelay false")
    void c54_noDelay() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            for (Socket s : new Socket[] {p.client(), p.accepted()}) {
                assertFalse(s.getNoDelay());
                assertEquals(0, s.setNoDelay());
                assertTrue(s.getNoDelay());
                assertEquals(0, s.setNoDelay(false));
                assertFalse(s.getNoDelay());
                assertEquals(0, s.setNoDelay(true));
                assertTrue(s.getNoDelay());
            }
        }
        try (Socket s = new Socket()) {
            assertEquals(-1, s.setNoDelay(true));
            assertNotEquals(0, Socket.errno());
            assertFalse(s.getNoDelay(), "getNoDelay() of an unopened socket");
        }
    }

    @Test
    @DisplayName("C55 getSocket(): the descriptor (>= 0) while open, -1 after close()")
    void c55_getSocket() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            for (Socket s : new Socket[] {p.server(), p.client(), p.accepted()}) {
                int fd = s.getSocket();
                assertTrue(fd >= 0);
                Path link = Path.of("/proc/self/fd/" + fd);
                if (Files.isDirectory(Path.of("/proc/self/fd"))) {
                    assertTrue(Files.readSymbolicLink(link).toString().startsWith("socket:"),
                            "getSocket() is not a socket descriptor");
                }
                s.close();
                assertEquals(-1, s.getSocket());
            }
        }
    }

    @Test
    @DisplayName("C56 getPeerInfo()/getSocketInfo() for INET: address, address_desc, port, family, familystr; "
            + "hostname only with the lookup")
    void c56_inetInfo() throws Exception {
        InetAddress lo = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        String name = lo.getHostName();
        String expectedHost = name.equals("127.0.0.1") ? null : name;
        try (Loopback.Pair p = Loopback.pair()) {
            int clientPort = p.client().getSocketInfo(false).port();
            SocketInfo h = p.accepted().getPeerInfo();
            assertEquals(new SocketInfo(expectedHost, expectedHost == null ? null : "ipv4(" + expectedHost + ")",
                    "127.0.0.1", "ipv4(127.0.0.1)", clientPort, SocketInfo.AF_INET, "ipv4"), h);
            SocketInfo h2 = p.accepted().getPeerInfo(false);
            assertEquals(new SocketInfo(null, null, "127.0.0.1", "ipv4(127.0.0.1)", clientPort, SocketInfo.AF_INET,
                    "ipv4"), h2);
            assertEquals(p.client().getSocketInfo().port(), p.accepted().getPeerInfo().port());
            assertEquals(p.port(), p.client().getPeerInfo(false).port());
            assertEquals(p.port(), p.accepted().getSocketInfo(false).port());
            assertTrue(h.hasPort());
        }
        try (Socket s = Loopback.listener("[::1]:0"); Socket c = new Socket()) {
            int port = s.getSocketInfo(false).port();
            c.connect("[::1]:" + port, 1000);
            try (Socket a = s.accept(200)) {
                assertNotNull(a);
                SocketInfo h = a.getPeerInfo(false);
                assertEquals(new SocketInfo(null, null, "::1", "ipv6[::1]", c.getSocketInfo(false).port(),
                        SocketInfo.AF_INET6, "ipv6"), h);
                assertEquals(new SocketInfo(null, null, "::1", "ipv6[::1]", port, SocketInfo.AF_INET6, "ipv6"),
                        c.getPeerInfo(false));
            }
        }
    }

    @Test
    @DisplayName("C57 getPeerInfo() for AF_UNIX: the listener's path on both ends, no hostname or port; getPort() -1")
    void c57_unixPeerInfo() throws Exception {
        String path = dir.resolve("s57").toString();
        SocketInfo expected = new SocketInfo(null, null, path, "unix:" + path, -1, SocketInfo.AF_UNIX, "unix");
        try (Socket l = new Socket(); Socket c = new Socket()) {
            l.bindUNIX(path);
            assertEquals(0, l.listen());
            c.connectUNIX(path);
            try (Socket a = l.accept(200)) {
                assertNotNull(a);
                assertEquals(expected, c.getPeerInfo());
                assertEquals(expected, a.getPeerInfo());
                assertEquals(expected, a.getPeerInfo(false));
                assertEquals(-1, a.getPort());
                assertEquals(-1, c.getPort());
                assertEquals(-1, l.getPort());
                assertFalse(a.getPeerInfo().hasPort());
                c.send("u");
                assertEquals("u", a.recv(1, 200));
            }
        }
        expect(SocketError.NOT_OPEN, "Socket::getPeerInfo", () -> new Socket().getPeerInfo());
    }
}
