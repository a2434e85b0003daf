package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens and closes thousands of sockets of every kind, successful and failed, and checks that the process's
 * descriptor count comes back: after each test to what it was before it, and at the end of the class (the last
 * of the run, see {@code junit-platform.properties}) to the baseline {@link FdBaseline} took when the run began.
 * Every socket is closed explicitly; nothing is left to the Cleaner, whose timing a test cannot rely on.
 */
@ExtendWith(FdBaseline.class)
@SuppressWarnings("try") // closing inside try-with-resources is the point: the second close must be harmless
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(60)
class FdLeakIT {
    private static final int T = 10_000;
    /** Iterations of each loop; every iteration opens one to three descriptors. */
    private static final int N = 2000;

    @TempDir
    Path dir;

    private Fds.Snapshot before;

    @BeforeEach
    void snapshot() {
        before = Fds.snapshot();
    }

    @AfterEach
    void backToWhereItStarted(TestInfo info) {
        Fds.assertBackTo(before, info.getDisplayName());
    }

    @AfterAll
    static void backToTheRunsBaseline() {
        Fds.assertBackTo(FdBaseline.baseline(), "after the whole run, compared with its start");
    }

    private static void pingPong(Socket a, Socket b) throws SocketException {
        assertEquals(0, a.sendi1(7));
        assertEquals(7, b.recvi1(T));
        assertEquals(0, b.sendi1(8));
        assertEquals(8, a.recvi1(T));
    }

    private static boolean ipv6() {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Connect, accept, exchange, close: N times on one listener, alternating which end closes first. */
    private static void pairs(String bindTo, String prefix) throws Exception {
        try (Socket listener = new Socket()) {
            assertEquals(0, listener.bind(bindTo, true), () -> "bind errno " + Socket.errno());
            assertEquals(0, listener.listen());
            String target = prefix != null ? prefix + listener.getSocketInfo(false).port() : bindTo;
            for (int i = 0; i < N; i++) {
                Socket c = new Socket();
                Socket a = null;
                try {
                    c.connect(target, T);
                    a = listener.accept(T);
                    assertNotNull(a);
                    pingPong(c, a);
                } finally {
                    if (i % 2 == 0) {
                        c.close();
                        if (a != null) {
                            a.close();
                        }
                    } else {
                        if (a != null) {
                            a.close();
                        }
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void tcp4Connections() throws Exception {
        pairs("127.0.0.1:0", "127.0.0.1:");
    }

    @Test
    void tcp6Connections() throws Exception {
        Assumptions.assumeTrue(ipv6(), "IPv6 loopback ::1 is not configured on this host: IPv6 loop skipped");
        pairs("[::1]:0", "[::1]:");
    }

    @Test
    void unixConnections() throws Exception {
        pairs(dir.resolve("pairs.sock").toString(), null);
    }

    @Test
    void listenersOpenedAndClosed() throws Exception {
        String path = dir.resolve("l.sock").toString();
        for (int i = 0; i < N; i++) {
            try (Socket tcp = new Socket(); Socket unix = new Socket()) {
                assertEquals(0, tcp.bind("127.0.0.1:0", true));
                assertEquals(0, tcp.listen());
                unix.bindUNIX(path);
                assertEquals(0, unix.listen());
                assertNull(tcp.accept(0), "nobody is connecting");
            }
            assertFalse(Files.exists(Path.of(path)), "close() removes the listener's file");
        }
    }

    @Test
    void failedConnectsAndBinds() throws Exception {
        int refusedPort;
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0", true));
            refusedPort = s.getSocketInfo(false).port();
        }
        String missing = dir.resolve("missing.sock").toString();
        String tooLong = dir.resolve("x".repeat(120)).toString();
        try (Socket holder = new Socket()) {
            assertEquals(0, holder.bind("127.0.0.1:0"));
            assertEquals(0, holder.listen());
            int inUse = holder.getSocketInfo(false).port();
            for (int i = 0; i < N; i++) {
                Socket s = new Socket();
                try {
                    SocketException e = assertThrows(SocketException.class,
                            () -> s.connect("127.0.0.1:" + refusedPort, T));
                    assertEquals(SocketError.CONNECT_ERROR, e.error());
                    assertThrows(SocketException.class, () -> s.connectUNIX(missing));
                    assertThrows(SocketException.class, () -> s.connectUNIX(tooLong));
                    assertThrows(SocketException.class, () -> s.connect("127.0.0.1:70000"));
                    assertEquals(-1, s.bind("127.0.0.1:" + inUse));
                    assertEquals(-1, s.bind(missing.replace("missing.sock", "no/dir/s.sock")));
                    assertEquals(-1, s.bind(tooLong));
                    assertThrows(SocketException.class, () -> s.bindUNIX(tooLong));
                    if (i % 50 == 0) {
                        assertThrows(SocketException.class, () -> s.connect(BadInputIT.UNRESOLVABLE + ":80", T));
                    }
                    assertFalse(s.isOpen());
                } finally {
                    s.close();
                }
            }
        }
    }

    @Test
    void connectsToAFullUnixBacklog() throws Exception {
        String path = dir.resolve("full-backlog.sock").toString();
        try (Socket listener = new Socket()) {
            listener.bindUNIX(path);
            assertEquals(0, listener.listen(1));
            java.util.List<Socket> queued = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < N / 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(path, 0);
                        queued.add(s); // room in the backlog: keep it there
                    } catch (SocketException e) {
                        assertEquals(SocketError.CONNECT_ERROR, e.error(), e::toString);
                        s.close();
                    }
                }
                assertTrue(queued.size() < N / 4, "a backlog of 1 took " + queued.size() + " connections");
            } finally {
                queued.forEach(Socket::close);
            }
        }
    }

    @Test
    void failuresOnAnOpenSocketReplaceIt() throws Exception {
        // connect and bind close the socket's previous descriptor first, whether or not they then succeed
        try (Socket listener = new Socket(); Socket s = new Socket()) {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            String target = "127.0.0.1:" + listener.getSocketInfo(false).port();
            for (int i = 0; i < N; i++) {
                s.connect(target, T);
                try (Socket a = listener.accept(T)) {
                    assertNotNull(a);
                    switch (i % 4) {
                        case 0 -> s.connect(target, T); // replaced by a new connection
                        case 1 -> assertEquals(0, s.bind("127.0.0.1:0"));
                        case 2 -> assertEquals(-1, s.bind("127.0.0.1:70000"));
                        default -> assertThrows(SocketException.class, () -> s.connectUNIX(dir + "/none"));
                    }
                    if (i % 4 == 0) {
                        listener.accept(T).close();
                    }
                }
            }
            s.close();
        }
    }

    @Test
    void readsThatEndInTimeoutEofOrAClosedStream() throws Exception {
        try (Socket listener = new Socket()) {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            String target = "127.0.0.1:" + listener.getSocketInfo(false).port();
            for (int i = 0; i < N / 2; i++) {
                try (Socket c = new Socket()) {
                    c.connect(target, T);
                    try (Socket a = listener.accept(T)) {
                        assertNotNull(a);
                        switch (i % 4) {
                            case 0 -> { // timeout: stays open
                                assertThrows(SocketException.class, () -> a.recv(1, 0));
                                assertTrue(a.isOpen());
                            }
                            case 1 -> { // EOF in recv(-1): closes the socket itself
                                c.send("bye");
                                c.close();
                                assertEquals("bye", a.recv(-1, T));
                                assertFalse(a.isOpen());
                            }
                            case 2 -> { // EOF before n bytes: SOCKET-CLOSED, closed
                                c.close();
                                assertEquals(SocketError.CLOSED,
                                        assertThrows(SocketException.class, () -> a.recv(4, T)).error());
                                assertFalse(a.isOpen());
                            }
                            default -> { // the streams: closing the stream closes the socket
                                OutputStream out = c.getOutputStream();
                                InputStream in = a.getInputStream();
                                out.write(42);
                                assertEquals(42, in.read());
                                out.close();
                                assertEquals(-1, in.read());
                                in.close();
                                assertFalse(a.isOpen());
                                assertFalse(c.isOpen());
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void closeWhileAnotherThreadIsBlocked() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (Socket listener = new Socket()) {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            String target = "127.0.0.1:" + listener.getSocketInfo(false).port();
            for (int i = 0; i < N / 4; i++) {
                Socket c = new Socket();
                c.connect(target, T);
                Socket a = listener.accept(T);
                assertNotNull(a);
                CountDownLatch started = new CountDownLatch(1);
                Socket victim = i % 2 == 0 ? a : c;
                Future<SocketException> blocked = worker.submit(() -> {
                    started.countDown();
                    return assertThrows(SocketException.class, () -> victim.recv(1, T));
                });
                started.await();
                if (i % 3 != 0) {
                    Thread.sleep(0, 200_000); // mostly after the reader is in poll(), sometimes before
                }
                victim.close();
                SocketException e = blocked.get(T, TimeUnit.MILLISECONDS);
                assertTrue(e.error() == SocketError.CLOSED || e.error() == SocketError.NOT_OPEN, e::toString);
                a.close();
                c.close();
            }
            // the same for a thread blocked in send() because the peer does not read
            String path = dir.resolve("full.sock").toString();
            try (Socket ul = new Socket()) {
                ul.bindUNIX(path);
                assertEquals(0, ul.listen());
                byte[] big = new byte[1 << 20];
                for (int i = 0; i < N / 20; i++) {
                    Socket c = new Socket();
                    c.connectUNIX(path);
                    Socket a = ul.accept(T);
                    assertNotNull(a);
                    CountDownLatch started = new CountDownLatch(1);
                    Future<SocketException> blocked = worker.submit(() -> {
                        started.countDown();
                        return assertThrows(SocketException.class, () -> {
                            for (;;) {
                                c.send(big, T); // the buffers fill up and the call waits for room
                            }
                        });
                    });
                    started.await();
                    Thread.sleep(2);
                    c.close();
                    SocketException e = blocked.get(T, TimeUnit.MILLISECONDS);
                    assertTrue(e.error() == SocketError.CLOSED || e.error() == SocketError.NOT_OPEN, e::toString);
                    a.close();
                }
            }
            // the same for a thread blocked in accept()
            try (Socket l2 = new Socket()) {
                for (int i = 0; i < N / 10; i++) {
                    assertEquals(0, l2.bind("127.0.0.1:0", true));
                    assertEquals(0, l2.listen());
                    CountDownLatch started = new CountDownLatch(1);
                    Future<SocketException> blocked = worker.submit(() -> {
                        started.countDown();
                        return assertThrows(SocketException.class, () -> l2.accept(T));
                    });
                    started.await();
                    Thread.sleep(1);
                    l2.close();
                    SocketException e = blocked.get(T, TimeUnit.MILLISECONDS);
                    assertTrue(e.error() == SocketError.CLOSED || e.error() == SocketError.NOT_OPEN, e::toString);
                }
            }
        } finally {
            worker.shutdownNow();
            assertTrue(worker.awaitTermination(T, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void againstJdkPeers() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < N / 4; i++) {
                try (Socket s = new Socket()) {
                    s.connect("127.0.0.1:" + ss.getLocalPort(), T);
                    try (java.net.Socket peer = ss.accept()) {
                        peer.getOutputStream().write(1);
                        assertEquals(1, s.recvi1(T));
                    }
                }
            }
        }
        try (Socket listener = new Socket()) {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            int port = listener.getSocketInfo(false).port();
            for (int i = 0; i < N / 4; i++) {
                try (java.net.Socket peer = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
                     Socket a = listener.accept(T)) {
                    assertNotNull(a);
                    a.sendi1(2);
                    assertEquals(2, peer.getInputStream().read());
                    if (i % 2 == 0) {
                        // a reset (close with SO_LINGER 0): SOCKET-CLOSED, and the socket closes itself
                        peer.setSoLinger(true, 0);
                        peer.close();
                        SocketException e = assertThrows(SocketException.class, () -> a.recv(4, T));
                        assertEquals(SocketError.CLOSED, e.error(), e::toString);
                        assertFalse(a.isOpen());
                    }
                }
            }
        }
    }
}
