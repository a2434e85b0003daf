package io.ffsock.loop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every state transition of {@link TcpSocket} and the order of its handlers, against JDK sockets on loopback as the
 * peer (an independent implementation).
 */
@Timeout(30)
@SuppressWarnings("try") // peers are held open by try-with-resources for the whole test, some closed early on purpose
class TcpSocketStateTest {
    private EventLoop loop;
    private ServerSocket server;
    private int fdsBefore;

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws IOException {
        OpenFds.warmUpJdkSockets();
    }

    @BeforeEach
    void setUp() throws IOException {
        fdsBefore = OpenFds.count();
        loop = new EventLoop("state-test");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        loop.close();
        OpenFds.assertBackTo(fdsBefore, "descriptors after the test");
    }

    private static final List<String> CONNECT = List.of("state HOST_LOOKUP", "hostFound", "state CONNECTING",
            "state CONNECTED", "connected");

    private Socket accept() throws IOException {
        server.setSoTimeout(5000);
        return server.accept();
    }

    @Test
    void theDocumentedValues() {
        int[] states = {0, 1, 2, 3, 4, 6};
        for (int i = 0; i < states.length; i++) {
            assertEquals(states[i], TcpSocket.State.values()[i].code());
        }
        assertEquals(List.of("UNCONNECTED", "HOST_LOOKUP", "CONNECTING", "CONNECTED", "BOUND", "CLOSING"),
                java.util.Arrays.stream(TcpSocket.State.values()).map(Enum::name).toList());
        int[] errors = {0, 1, 2, 4, 5, 6, 7, 10, 11, 13, 19, 20, 21, 22, -1};
        assertEquals(errors.length, TcpSocket.Error.values().length);
        for (int i = 0; i < errors.length; i++) {
            assertEquals(errors[i], TcpSocket.Error.values()[i].code(), TcpSocket.Error.values()[i].name());
        }
    }

    @Test
    void aNewSocketIsUnconnectedWithNoErrorAndNoAddresses() {
        TcpSocket s = new TcpSocket(loop);
        assertEquals(TcpSocket.State.UNCONNECTED, s.state());
        assertFalse(s.isValid());
        assertNull(s.error());
        assertEquals("", s.errorString());
        assertEquals("", s.localAddress());
        assertEquals(0, s.localPort());
        assertEquals("", s.remoteAddress());
        assertEquals(0, s.remotePort());
        assertEquals(-1, s.write("x"), "writing to an unconnected socket is refused");
        assertEquals(TcpSocket.Error.OPERATION, s.error());
    }

    @Test
    void connectToANumericAddressGoesThroughEveryStateInOrder() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.connect("127.0.0.1", server.getLocalPort());
        assertEquals(CONNECT, r.until("connected"));
        try (Socket peer = accept()) {
            assertTrue(s.isValid());
            assertEquals("127.0.0.1", s.remoteAddress());
            assertEquals(server.getLocalPort(), s.remotePort());
            assertEquals("127.0.0.1", s.localAddress());
            assertEquals(peer.getPort(), s.localPort());
            assertEquals("127.0.0.1", s.peerName());
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void aHostNameIsLookedUpInTheBackgroundThenConnected() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Thread[] lookupThread = new Thread[1];
        s.setResolver(host -> {
            lookupThread[0] = Thread.currentThread();
            assertEquals("echo.test", host);
            return List.of(InetAddress.getByName("127.0.0.1"));
        });
        Recorder r = new Recorder(s);
        s.connect("echo.test", server.getLocalPort());
        assertEquals(CONNECT, r.until("connected"));
        assertFalse(lookupThread[0].getName().startsWith("state-test"), "the lookup ran on the loop thread");
        assertEquals("echo.test", s.peerName());
        try (Socket peer = accept()) {
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void refusedReportsTheErrorWhileConnectingThenBecomesUnconnected() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.connect("127.0.0.1", port);
        assertEquals(List.of("state HOST_LOOKUP", "hostFound", "state CONNECTING",
                "error CONNECTION_REFUSED in CONNECTING", "state UNCONNECTED"), r.until("state UNCONNECTED"));
        assertEquals(0, s.error().code());
        assertEquals("Connection refused", s.errorString());
    }

    @Test
    void anUnknownHostIsHostNotFoundWhileLookingUp() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        s.setResolver(host -> {
            throw new UnknownHostException(host + ": no such host (test resolver)");
        });
        Recorder r = new Recorder(s);
        s.connect("nowhere.test", 80);
        assertEquals(List.of("state HOST_LOOKUP", "error HOST_NOT_FOUND in HOST_LOOKUP", "state UNCONNECTED"),
                r.until("state UNCONNECTED"));
        assertEquals(2, s.error().code());
        assertTrue(s.errorString().contains("nowhere.test"), s.errorString());
    }

    @Test
    void aConnectTimeoutIsSocketTimeout() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        CountDownLatch release = new CountDownLatch(1);
        s.setResolver(host -> {
            try {
                release.await(10, TimeUnit.SECONDS); // a lookup that hangs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        });
        s.setConnectTimeout(Duration.ofMillis(150));
        Recorder r = new Recorder(s);
        s.connect("slow.test", server.getLocalPort());
        assertEquals(List.of("state HOST_LOOKUP", "error SOCKET_TIMEOUT in HOST_LOOKUP", "state UNCONNECTED"),
                r.until("state UNCONNECTED"));
        assertEquals(5, s.error().code());
        release.countDown();
        Thread.sleep(100); // the late lookup result must be ignored
        assertEquals(TcpSocket.State.UNCONNECTED, s.state());
        assertEquals(3, r.events().size(), r.events().toString());
    }

    @Test
    void connectWhileConnectingIsUnfinishedAndWhileConnectedIsOperation() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        CountDownLatch release = new CountDownLatch(1);
        s.setResolver(host -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        });
        Recorder r = new Recorder(s);
        s.connect("x.test", server.getLocalPort());
        s.connect("x.test", server.getLocalPort());
        r.until("error UNFINISHED_SOCKET_OPERATION in HOST_LOOKUP");
        assertEquals(11, s.error().code());
        release.countDown();
        r.until("connected");
        s.connect("127.0.0.1", server.getLocalPort());
        r.until("error OPERATION in CONNECTED");
        assertEquals(19, s.error().code());
        assertTrue(s.isValid(), "a refused second connect leaves the connection alone");
        try (Socket peer = accept()) {
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void disconnectSendsWhatIsQueuedThenClosesThroughClosing() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.connect("127.0.0.1", server.getLocalPort());
        byte[] big = new byte[4 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        assertEquals(big.length, s.write(big), "writes are accepted while connecting");
        try (Socket peer = accept()) {
            r.until("connected");
            s.disconnect();
            r.until("state CLOSING");
            InputStream in = peer.getInputStream();
            byte[] got = in.readAllBytes(); // everything, then EOF
            assertArrayEquals(big, got);
            List<String> ev = r.until("disconnected");
            assertEquals(List.of("state CLOSING", "state UNCONNECTED", "disconnected"),
                    ev.subList(CONNECT.size(), ev.size()));
            assertNull(s.error(), "a graceful close is no error");
        }
    }

    @Test
    void abortDiscardsTheQueueAndResetsTheConnection() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            r.until("connected");
            // the peer does not read: fill the kernel buffers, then some queue
            while (s.bytesToWrite() == 0) {
                s.write(new byte[1 << 20]);
                Thread.sleep(5);
            }
            s.abort();
            List<String> ev = r.until("disconnected");
            assertEquals(List.of("state UNCONNECTED", "disconnected"), ev.subList(CONNECT.size(), ev.size()));
            assertEquals(0, s.bytesToWrite());
            InputStream in = peer.getInputStream();
            IOException e = assertThrows(IOException.class, () -> {
                byte[] b = new byte[1 << 16];
                while (in.read(b) >= 0) {
                    // drain what had arrived before the reset
                }
            });
            assertTrue(e instanceof SocketException && e.getMessage().contains("reset"), e.toString());
        }
    }

    @Test
    void thePeerClosingReportsRemoteHostClosedWhileStillConnected() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.onReadyRead(x -> r.add("readyRead " + x.bytesAvailable()));
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            r.until("connected");
            peer.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            peer.close();
            List<String> ev = r.until("disconnected");
            List<String> tail = ev.subList(CONNECT.size(), ev.size());
            assertEquals(List.of("readyRead 3", "error REMOTE_HOST_CLOSED in CONNECTED", "state CLOSING",
                    "state UNCONNECTED", "disconnected"), tail);
            assertEquals(1, s.error().code());
            assertArrayEquals("bye".getBytes(StandardCharsets.US_ASCII), s.readAll(),
                    "what arrived before the close stays readable");
        }
    }

    @Test
    void aHalfClosedPeerStillGetsTheAnswerQueuedAfterItsEndOfStream() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.onError((x, e) -> {
            r.add("error " + e + " in " + x.state());
            x.write("answer"); // queued while CONNECTED, sent while CLOSING
        });
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            r.until("connected");
            peer.getOutputStream().write("question".getBytes(StandardCharsets.US_ASCII));
            peer.shutdownOutput();
            assertEquals("answer", new String(peer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            r.until("disconnected");
            assertArrayEquals("question".getBytes(StandardCharsets.US_ASCII), s.readAll());
        }
    }

    @Test
    void bindChoosesTheLocalPortOfTheNextConnection() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        assertTrue(s.bind(0), s.errorString());
        assertEquals(List.of("state BOUND"), r.events());
        assertEquals(TcpSocket.State.BOUND, s.state());
        int port = s.localPort();
        assertTrue(port > 0);
        assertFalse(s.bind(0), "a bound socket cannot bind again");
        assertEquals(TcpSocket.Error.OPERATION, s.error());
        s.connect("127.0.0.1", server.getLocalPort());
        r.until("connected");
        try (Socket peer = accept()) {
            assertEquals(port, peer.getPort(), "the peer sees the bound port");
            assertEquals(port, s.localPort());
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void bindAsyncAnswersThroughItsCallbackOnTheLoop() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        CompletableFuture<String> answer = new CompletableFuture<>();
        s.bindAsync("127.0.0.1", 0, (x, ok, err) ->
                answer.complete(ok + " " + err + " " + loop.inLoop() + " " + x.state()));
        assertEquals("true null true BOUND", answer.get(5, TimeUnit.SECONDS));
        CompletableFuture<String> again = new CompletableFuture<>();
        s.bindAsync(0, (x, ok, err) -> again.complete(ok + " " + err));
        assertEquals("false OPERATION", again.get(5, TimeUnit.SECONDS));
        s.disconnect(); // a bound socket returns to UNCONNECTED
        assertEquals(TcpSocket.State.UNCONNECTED, loop.call(s::state));
    }

    @Test
    void readingAndWritingWithBytesWrittenAndReadyRead() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        AtomicLong written = new AtomicLong();
        s.onBytesWritten((x, n) -> written.addAndGet(n));
        CountDownLatch lines = new CountDownLatch(1);
        s.onReadyRead(x -> {
            if (x.bytesAvailable() >= 14) {
                lines.countDown();
            }
        });
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            r.until("connected");
            assertEquals(5, s.write("hello"));
            byte[] five = peer.getInputStream().readNBytes(5);
            assertEquals("hello", new String(five, StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (written.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(5, written.get());
            peer.getOutputStream().write("one\r\ntwo\nthree".getBytes(StandardCharsets.US_ASCII));
            assertTrue(lines.await(5, TimeUnit.SECONDS));
            assertTrue(s.canReadLine());
            assertEquals("one\r\n", s.readLine(StandardCharsets.US_ASCII), "no end-of-line conversion");
            assertEquals("two\n", new String(s.readLine(), StandardCharsets.US_ASCII));
            assertNull(s.readLine(), "no whole line left");
            assertFalse(s.canReadLine());
            assertEquals(5, s.bytesAvailable());
            assertArrayEquals("th".getBytes(StandardCharsets.US_ASCII), s.read(2));
            assertArrayEquals("ree".getBytes(StandardCharsets.US_ASCII), s.readAll());
            assertEquals(0, s.read(new byte[4], 0, 4));
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void handlersMaySteerTheSocketFromInside() throws Exception {
        // abort() inside the connected handler: no readyRead, no error, straight to UNCONNECTED
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.onConnected(x -> {
            r.add("connected");
            x.abort();
        });
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            List<String> ev = r.until("disconnected");
            assertEquals(List.of("state HOST_LOOKUP", "hostFound", "state CONNECTING", "state CONNECTED",
                    "connected", "state UNCONNECTED", "disconnected"), ev);
        }
    }

    @Test
    void disconnectWhileLookingUpStopsTheAttemptWithoutDisconnected() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        CountDownLatch release = new CountDownLatch(1);
        s.setResolver(host -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        });
        Recorder r = new Recorder(s);
        s.connect("x.test", server.getLocalPort());
        r.until("state HOST_LOOKUP");
        s.disconnect();
        r.until("state UNCONNECTED");
        release.countDown();
        Thread.sleep(100);
        assertEquals(List.of("state HOST_LOOKUP", "state UNCONNECTED"), r.events());
    }

    @Test
    void aSocketCanConnectAgainAfterItWasDisconnected() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        for (int i = 0; i < 3; i++) {
            r.clear();
            s.connect("127.0.0.1", server.getLocalPort());
            assertEquals(CONNECT, r.until("connected"));
            try (Socket peer = accept()) {
                s.write("round " + i);
                s.disconnect();
                assertEquals("round " + i, new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                r.until("disconnected");
            }
        }
    }

    @Test
    void writesFromManyThreadsAreNeitherLostNorInterleavedWithinAWrite() throws Exception {
        TcpSocket s = new TcpSocket(loop);
        Recorder r = new Recorder(s);
        s.connect("127.0.0.1", server.getLocalPort());
        try (Socket peer = accept()) {
            r.until("connected");
            int threads = 4;
            int per = 2000;
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                byte tag = (byte) ('a' + t);
                ts[t] = new Thread(() -> {
                    byte[] rec = new byte[8];
                    java.util.Arrays.fill(rec, tag);
                    for (int i = 0; i < per; i++) {
                        s.write(rec);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            s.disconnect();
            byte[] all = peer.getInputStream().readAllBytes();
            assertEquals(threads * per * 8, all.length);
            int[] counts = new int[threads];
            for (int i = 0; i < all.length; i += 8) {
                for (int j = 1; j < 8; j++) {
                    assertEquals(all[i], all[i + j], "a write was split by another at " + i);
                }
                counts[all[i] - 'a']++;
            }
            for (int c : counts) {
                assertEquals(per, c);
            }
            r.until("disconnected");
        }
    }

    @Test
    void invalidArgumentsAreRefusedAtOnce() {
        TcpSocket s = new TcpSocket(loop);
        assertThrows(IllegalArgumentException.class, () -> s.connect("127.0.0.1", 70000));
        assertThrows(IllegalArgumentException.class, () -> s.connect("127.0.0.1", -1));
        assertThrows(NullPointerException.class, () -> s.connect(null, 80));
        assertThrows(IllegalArgumentException.class, () -> s.bind(65536));
        assertThrows(IllegalArgumentException.class, () -> s.setWriteHighWaterMark(0));
        assertThrows(IllegalStateException.class, () -> loop.call(() -> s.awaitWritable(Duration.ofMillis(1))));
        assertTrue(new InetSocketAddress(0).getPort() == 0);
    }
}
