package io.ffsock;

import io.ffsock.internal.sys.Errno;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static io.ffsock.Loopback.since;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section C: connect (C23 to C30). C31 ({@code connectSSL}'s parser) belongs to the TLS tests, and
 * C30's CHANNEL_CLOSED event to the event tests.
 */
@Timeout(10)
class ConnectTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("C23 connect(\"ip:port\") to a loopback listener: open, getPeerInfo().port == port")
    void c23_connectLoopback() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            int p = s.getPort();
            c.connect("127.0.0.1:" + p);
            assertTrue(c.isOpen());
            SocketInfo peer = c.getPeerInfo();
            assertEquals(p, peer.port());
            assertEquals("127.0.0.1", peer.address());
            assertEquals(p, c.getPort(), "getPort() of a connected socket is the remote port");
            try (Socket a = s.accept(200)) {
                assertNotNull(a);
            }
        }
    }

    @Test
    @DisplayName("C24 connect(): no colon is a UNIX path, \"[v6]:port\" and \"v6:port\" (last colon) connect over IPv6")
    void c24_connectTargetParsing() throws Exception {
        try (Socket c = new Socket()) {
            SocketException e = expect(SocketError.CONNECT_ERROR, null, () -> c.connect("/nonexistent/sock"));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("target: /nonexistent/sock"), e::getMessage);
            // Qore's test: "-1" and "65536" have no colon, so they are (relative) UNIX paths that do not exist
            for (String t : new String[] {"-1", "65536"}) {
                e = expect(SocketError.CONNECT_ERROR, null, () -> c.connect(t));
                assertEquals(Errno.ENOENT, e.errno(), e::toString);
                assertTrue(e.getMessage().contains("target: " + t + ")"), e::getMessage);
            }
            assertFalse(c.isOpen());
        }
        try (Socket s6 = Loopback.listener("::1:0")) {
            int p6 = s6.getSocketInfo(false).port();
            for (String t : new String[] {"[::1]:" + p6, "::1:" + p6}) {
                try (Socket c = new Socket()) {
                    c.connect(t, 1000);
                    SocketInfo peer = c.getPeerInfo(false);
                    assertEquals("ipv6", peer.familyStr(), t);
                    assertEquals("::1", peer.address(), t);
                    assertEquals(p6, peer.port(), t);
                    try (Socket a = s6.accept(200)) {
                        assertNotNull(a, t);
                    }
                }
            }
        }
        // the socket path of a UNIX listener, given to connect()
        Path p = dir.resolve("s24");
        try (Socket l = new Socket(); Socket c = new Socket()) {
            l.bindUNIX(p.toString());
            assertEquals(0, l.listen());
            c.connect(p.toString());
            assertEquals("unix", c.getPeerInfo().familyStr());
            try (Socket a = l.accept(200)) {
                assertNotNull(a);
            }
        }
    }

    /** A port on 127.0.0.1 where nothing listens: bound, then closed and shut down, as Qore's test does. */
    private static int closedPort() throws SocketException {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0"));
            int p = s.getPort();
            s.close();
            assertEquals(0, s.shutdown());
            return p;
        }
    }

    @Test
    @DisplayName("C25 connection refused: SOCKET-CONNECT-ERROR, ECONNREFUSED, not open")
    void c25_connectionRefused() throws Exception {
        int p = closedPort();
        try (Socket c = new Socket()) {
            for (long timeout : new long[] {-1, 200}) {
                SocketException e = expect(SocketError.CONNECT_ERROR, null, () -> c.connect("127.0.0.1:" + p, timeout));
                assertEquals("Socket::connect(): error in connect() (target: 127.0.0.1:" + p + "): Connection refused",
                        e.getMessage());
                assertEquals(Errno.ECONNREFUSED, e.errno());
                assertEquals(Errno.ECONNREFUSED, e.getArg());
                assertEquals("Socket::connect", e.operation());
                assertFalse(c.isOpen());
                assertEquals(-1, c.getSocket());
            }
        }
    }

    @Test
    @DisplayName("C26 connect timeout is SOCKET-CONNECT-ERROR \"timeout in connection after 200ms\", not SOCKET-TIMEOUT")
    void c26_connectTimeout() throws Exception {
        // A listener with backlog 0 that never accepts: once its accept queue holds one connection, Linux drops
        // further SYNs, so the next connect stays in SYN-SENT (the next SYN retransmit is a second away).
        List<Socket> fillers = new ArrayList<>();
        try (Socket l = new Socket()) {
            assertEquals(0, l.bind("127.0.0.1:0"));
            assertEquals(0, l.listen(0));
            String target = "127.0.0.1:" + l.getPort();
            SocketException timedOut = null;
            long ms = 0;
            for (int i = 0; i < 16 && timedOut == null; i++) {
                Socket c = new Socket();
                fillers.add(c);
                long start = System.nanoTime();
                try {
                    c.connect(target, 200);
                } catch (SocketException e) {
                    ms = since(start);
                    timedOut = e;
                }
            }
            assertNotNull(timedOut, "no connect hung: the backlog never filled");
            SocketException e = timedOut;
            assertEquals(SocketError.CONNECT_ERROR, e.error(), e::toString);
            assertEquals("SOCKET-CONNECT-ERROR", e.getErr());
            assertTrue(e.getMessage().startsWith("Socket::connect(): timeout in connection after 200ms"), e::getMessage);
            assertTrue(e.getMessage().contains("(target: " + target + ")"), e::getMessage);
            assertEquals("Socket::connect", e.operation());
            assertTrue(ms >= 190 && ms < 1000, "the connect timed out after " + ms + " ms");
            assertFalse(fillers.getLast().isOpen(), "a socket whose connect timed out stays open");
        } finally {
            fillers.forEach(Socket::close);
        }
    }

    @Test
    @DisplayName("C26 connect to a UNIX listener whose backlog is full waits for room: SOCKET-CONNECT-ERROR after "
            + "the timeout, connected once the listener accepts")
    void c26_unixConnectWaitsForBacklogRoom() throws Exception {
        String path = dir.resolve("s26").toString();
        try (Socket l = new Socket(); Socket c0 = new Socket(); Socket c1 = new Socket(); Socket c2 = new Socket()) {
            l.bindUNIX(path);
            assertEquals(0, l.listen(0));
            c0.connect(path, 200); // fills the accept queue of a listen(0) socket
            long start = System.nanoTime();
            SocketException e = expect(SocketError.CONNECT_ERROR, null, () -> c1.connect(path, 200));
            long ms = since(start);
            assertTrue(e.getMessage().startsWith("Socket::connect(): timeout in connection after 200ms"), e::getMessage);
            assertTrue(e.getMessage().contains("(target: " + path + ")"), e::getMessage);
            assertTrue(ms >= 190 && ms < 1000, "the connect timed out after " + ms + " ms");
            assertFalse(c1.isOpen());

            // without a timeout the connect waits until the listener makes room
            AtomicBoolean roomMade = new AtomicBoolean();
            CompletableFuture<Void> f = later(100, () -> {
                roomMade.set(true);
                try (Socket a0 = l.accept(200)) {
                    assertNotNull(a0);
                }
            });
            c2.connect(path);
            assertTrue(roomMade.get(), "connect returned while the backlog was still full");
            join(f);
            assertEquals(path, c2.getPeerInfo().address(), "connect() returned, but the socket is not connected");
            assertEquals(0, c2.send("x"));
            try (Socket a2 = l.accept(200)) {
                assertNotNull(a2);
                assertEquals("x", a2.recv(1, 200));
            }
        }
    }

    @Test
    @DisplayName("C27 unresolvable host in connect: SOCKET-CONNECT-ERROR with the getaddrinfo text")
    void c27_unresolvableHost() {
        String host = BindListenAcceptTest.UNRESOLVABLE;
        try (Socket c = new Socket()) {
            SocketException e = expect(SocketError.CONNECT_ERROR, "Socket::connect", () -> c.connect(host + ":80"));
            assertTrue(e.getMessage().contains(host), e::getMessage);
            assertFalse(c.isOpen());
            e = expect(SocketError.CONNECT_ERROR, "Socket::connectINET", () -> c.connectINET(host, "80"));
            assertTrue(e.getMessage().contains(host), e::getMessage);
            assertFalse(c.isOpen());
        }
    }

    @Test
    @DisplayName("C28 connectINET(host, port, timeout): the echo round trip returns \"hello\"; IPv6 without brackets")
    void c28_connectInet() throws Exception {
        for (String[] hb : new String[][] {{"127.0.0.1:0", "127.0.0.1"}, {"::1:0", "::1"}}) {
            try (Socket s = Loopback.listener(hb[0]); Socket ns = new Socket()) {
                ns.connectINET(hb[1], s.getSocketInfo(false).port(), 200);
                try (Socket a = s.accept(200)) {
                    assertNotNull(a);
                    assertEquals(0, ns.send("hello"));
                    assertEquals(0, a.send(a.recv(5, 200)));
                    assertEquals("hello", ns.recv(5, 200));
                    assertEquals(hb[1], ns.getPeerInfo(false).address());
                }
            }
        }
    }

    @Test
    @DisplayName("C29 connectUNIX to a path that does not exist: SOCKET-CONNECT-ERROR (ENOENT), not open")
    void c29_connectUnixMissing() {
        String p = dir.resolve("does-not-exist.sock").toString();
        try (Socket c = new Socket()) {
            SocketException e = expect(SocketError.CONNECT_ERROR, null, () -> c.connectUNIX(p));
            assertEquals("Socket::connectUNIX(): error in connect() (target: " + p + "): No such file or directory",
                    e.getMessage());
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals("Socket::connectUNIX", e.operation());
            assertFalse(c.isOpen());
        }
    }

    @Test
    @DisplayName("C30 connecting an open socket closes the old connection first: the old peer sees EOF, "
            + "connection id + 1")
    void c30_reconnectClosesOld() throws Exception {
        try (Loopback.Pair p = Loopback.pair(); Socket l2 = Loopback.listener("127.0.0.1:0")) {
            Socket c = p.client();
            int id = c.getConnectionId();
            c.connect("127.0.0.1:" + l2.getPort());
            assertEquals(id + 1, c.getConnectionId());
            assertTrue(c.isOpen());
            assertArrayEquals(new byte[0], p.accepted().recvBinary(-1, 200), "the old peer saw data, not EOF");
            assertFalse(p.accepted().isOpen());
            try (Socket a2 = l2.accept(200)) {
                assertNotNull(a2);
                c.send("new");
                assertEquals("new", a2.recv(3, 200));
            }
        }
    }
}
