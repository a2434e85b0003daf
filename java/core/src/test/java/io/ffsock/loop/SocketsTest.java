package io.ffsock.loop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every LiveCode form of {@link Sockets}, over loopback, with JDK sockets (and the JDK's TLS) as the peers.
 * Host names are answered by a test resolver; no DNS server is ever asked.
 */
@Timeout(60)
@SuppressWarnings("try") // peers held open by try-with-resources for the test's length
class SocketsTest {
    private static final Resolver LOCAL = host -> switch (host) {
        case "localhost", "echo.test" -> List.of(InetAddress.getByName("127.0.0.1"));
        case "dual.test" -> List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"));
        case "slow.test" -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            yield List.of(InetAddress.getByName("127.0.0.1"));
        }
        default -> throw new UnknownHostException(host + ": not known to the test resolver");
    };

    private Sockets sockets;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private int fdsBefore;
    private ServerSocket peerServer;

    @BeforeAll
    static void warmUp() throws IOException {
        OpenFds.warmUpJdkSockets();
        // the JDK's SecureRandom opens /dev/random and /dev/urandom for good on first use (by the first TLS test)
        new java.security.SecureRandom().nextBytes(new byte[8]);
    }

    @BeforeEach
    void setUp() throws IOException {
        fdsBefore = OpenFds.count();
        sockets = new Sockets();
        sockets.setResolver(LOCAL);
        sockets.onSocketError((name, text) -> messages.add("socketError " + name + " " + text));
        sockets.onSocketTimeout(name -> messages.add("socketTimeout " + name));
        sockets.onSocketClosed(name -> messages.add("socketClosed " + name));
        peerServer = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        peerServer.setSoTimeout(5000);
    }

    @AfterEach
    void tearDown() throws Exception {
        peerServer.close();
        sockets.close();
        OpenFds.assertBackTo(fdsBefore, "descriptors after the test");
    }

    private String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        assertNotNull(m, "no message arrived");
        return m;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private int port() {
        return peerServer.getLocalPort();
    }

    // --- open ------------------------------------------------------------------------------------------------------

    @Test
    void openSocketWithMessageCallsBackWithTheNameOnceConnected() throws Exception {
        String target = "127.0.0.1:" + port();
        CompletableFuture<String> opened = new CompletableFuture<>();
        String name = sockets.openSocket(target, n -> opened.complete(n + " " + sockets.loop().inLoop()));
        assertEquals(target, name);
        try (Socket peer = peerServer.accept()) {
            assertEquals(target + " true", opened.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(target), sockets.openSockets());
            sockets.write(name, "hi");
            assertEquals("hi", text(peer.getInputStream().readNBytes(2)));
            sockets.closeSocket(name);
            assertEquals(List.of(), sockets.openSockets(), "a closed socket is gone at once");
            assertEquals(-1, peer.getInputStream().read(), "the peer sees the end of the stream");
        }
        assertNull(messages.poll(100, TimeUnit.MILLISECONDS), "closing locally sends no message");
    }

    @Test
    void theDefaultPortIs80AndTheIdTellsSocketsToOneHostApart() throws Exception {
        assertEquals(new SocketName("example.test", 80, null), SocketName.parse("example.test"));
        assertEquals(new SocketName("::1", 8080, "a|b"), SocketName.parse("[::1]:8080|a|b"));
        assertEquals("[::1]:80", SocketName.parse("[::1]").name());
        for (String bad : new String[] {"", ":80", "host:", "host:99999", "host:8x", "host|id", "[::1", "h:1|"}) {
            assertThrows(IllegalArgumentException.class, () -> SocketName.parse(bad), bad);
        }
        String a = sockets.openSocket("127.0.0.1:" + port() + "|a");
        String b = sockets.openSocket("127.0.0.1:" + port() + "|b");
        assertThrows(IllegalStateException.class, () -> sockets.openSocket("127.0.0.1:" + port() + "|a"));
        try (Socket pa = peerServer.accept(); Socket pb = peerServer.accept()) {
            assertEquals(List.of(a, b), sockets.openSockets().stream().sorted().toList());
            sockets.write(a, "A");
            sockets.write(b, "B");
            String one = text(pa.getInputStream().readNBytes(1));
            String two = text(pb.getInputStream().readNBytes(1));
            assertEquals("AB", one.equals("A") ? one + two : two + one, "each socket wrote to its own connection");
            assertThrows(IllegalArgumentException.class, () -> sockets.write("127.0.0.1:" + port(), "x"),
                    "a short name that matches two sockets is ambiguous");
            sockets.closeSocket(a);
            sockets.write("127.0.0.1:" + port(), "!"); // now it is unique
            assertEquals("!", text((one.equals("B") ? pa : pb).getInputStream().readNBytes(1)));
        }
    }

    @Test
    void writesMadeWhileOpeningAreSentOnceConnected() throws Exception {
        CompletableFuture<String> written = new CompletableFuture<>();
        String name = sockets.openSocket("slow.test:" + port()); // the lookup takes 300 ms
        sockets.write(name, "early bytes", written::complete);
        assertFalse(written.isDone());
        try (Socket peer = peerServer.accept()) {
            assertEquals("early bytes", text(peer.getInputStream().readNBytes(11)));
            assertEquals(name, written.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void openFromALocalPortConnectsFromThatPort() throws Exception {
        int local;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            local = probe.getLocalPort();
        }
        CompletableFuture<String> opened = new CompletableFuture<>();
        String name = sockets.open(Sockets.Open.socket("127.0.0.1:" + port()).from("127.0.0.1:" + local)
                .withMessage(opened::complete));
        try (Socket peer = peerServer.accept()) {
            opened.get(5, TimeUnit.SECONDS);
            assertEquals(local, peer.getPort(), "the connection comes from the chosen local port");
            sockets.closeSocket(name);
        }
        assertThrows(IllegalArgumentException.class, () -> sockets.open(Sockets.Open.socket("127.0.0.1:1")
                .from("not-an-address:1")));
    }

    @Test
    void failuresToOpenSendSocketError() throws Exception {
        int dead;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            dead = gone.getLocalPort();
        }
        String refused = sockets.openSocket("127.0.0.1:" + dead, n -> messages.add("opened " + n));
        assertEquals("socketError " + refused + " Connection refused", next());
        String unknown = sockets.openSocket("nowhere.test:80");
        String m = next();
        assertTrue(m.startsWith("socketError " + unknown + " Host nowhere.test not found"), m);
        assertEquals(List.of(), sockets.openSockets());
        assertThrows(IllegalArgumentException.class, () -> sockets.write(refused, "x"));
    }

    // --- read and write --------------------------------------------------------------------------------------------

    @Test
    void readUntilForAndWhateverIsThereWithMessages() throws Exception {
        String name = sockets.openSocket("127.0.0.1:" + port());
        BlockingQueue<String> reads = new LinkedBlockingQueue<>();
        try (Socket peer = peerServer.accept()) {
            sockets.readUntil(name, "\r\n", (n, d) -> reads.add("until " + text(d)));
            sockets.readFor(name, 4, (n, d) -> reads.add("for " + text(d)));
            sockets.read(name, (n, d) -> reads.add("any " + text(d)));
            peer.getOutputStream().write("line one\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("until line one\r\n", reads.poll(5, TimeUnit.SECONDS), "the delimiter is kept");
            peer.getOutputStream().write("ab".getBytes(StandardCharsets.UTF_8));
            assertNull(reads.poll(200, TimeUnit.MILLISECONDS), "read for 4 waits for 4 bytes");
            peer.getOutputStream().write("cdef".getBytes(StandardCharsets.UTF_8));
            assertEquals("for abcd", reads.poll(5, TimeUnit.SECONDS));
            assertEquals("any ef", reads.poll(5, TimeUnit.SECONDS), "reads complete in the order they were made");
        }
    }

    @Test
    void readsWithoutAMessageWaitAndReturnTheData() throws Exception {
        String name = sockets.openSocket("127.0.0.1:" + port());
        try (Socket peer = peerServer.accept()) {
            peer.getOutputStream().write("12345|rest".getBytes(StandardCharsets.UTF_8));
            assertEquals("12345|", text(sockets.readUntil(name, "|".getBytes(StandardCharsets.UTF_8))));
            assertEquals("rest", text(sockets.readFor(name, 4)));
            assertThrows(IllegalStateException.class, () -> sockets.loop().call(() -> sockets.readFor(name, 1)),
                    "the loop thread cannot wait for itself");
        }
    }

    @Test
    void binaryModeNeverConvertsLineEndings() throws Exception {
        String name = sockets.openSocket("127.0.0.1:" + port());
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        all[100] = '\r';
        all[101] = '\n';
        all[300] = '\n';
        all[301] = '\r';
        try (Socket peer = peerServer.accept()) {
            sockets.write(name, all, null);
            byte[] got = peer.getInputStream().readNBytes(all.length);
            assertArrayEquals(all, got, "what was written is what was sent");
            peer.getOutputStream().write(all);
            assertArrayEquals(all, sockets.readFor(name, all.length), "what was sent is what is read");
        }
    }

    @Test
    void writeWithMessageCallsBackOnceSent() throws Exception {
        String name = sockets.openSocket("127.0.0.1:" + port());
        BlockingQueue<String> done = new LinkedBlockingQueue<>();
        try (Socket peer = peerServer.accept()) {
            sockets.write(name, "first", n -> done.add("1 " + n));
            sockets.write(name, "second", n -> done.add("2 " + n));
            assertEquals("1 " + name, done.poll(5, TimeUnit.SECONDS));
            assertEquals("2 " + name, done.poll(5, TimeUnit.SECONDS));
            assertEquals("firstsecond", text(peer.getInputStream().readNBytes(11)));
        }
    }

    // --- accept ----------------------------------------------------------------------------------------------------

    @Test
    void acceptConnectionsNamesEachSocketAfterItsPeerWithANumber() throws Exception {
        BlockingQueue<String> accepted = new LinkedBlockingQueue<>();
        int port = sockets.acceptConnections(0, accepted::add);
        assertTrue(port > 0);
        assertTrue(sockets.openSockets().contains(Integer.toString(port)), "the listener is listed by its port");
        try (Socket c1 = new Socket("127.0.0.1", port); Socket c2 = new Socket("127.0.0.1", port)) {
            String n1 = accepted.poll(5, TimeUnit.SECONDS);
            String n2 = accepted.poll(5, TimeUnit.SECONDS);
            assertNotNull(n2);
            String s1 = "127.0.0.1:" + c1.getLocalPort();
            String s2 = "127.0.0.1:" + c2.getLocalPort();
            assertTrue(n1.startsWith(s1 + "|") || n1.startsWith(s2 + "|"), n1);
            assertTrue(n1.matches(".*\\|\\d+") && n2.matches(".*\\|\\d+"), n1 + " " + n2);
            // the connection number may be left out while host:port is unique
            sockets.write(s1, "to c1");
            assertEquals("to c1", text(c1.getInputStream().readNBytes(5)));
            c2.getOutputStream().write("from c2\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("from c2\n", text(sockets.readUntil(s2, "\n".getBytes(StandardCharsets.UTF_8))));
            assertThrows(IllegalArgumentException.class, () -> sockets.write(Integer.toString(port), "x"),
                    "a listener is not written to");
        }
        assertEquals("socketClosed", next().split(" ")[0]);
        assertEquals("socketClosed", next().split(" ")[0]);
        sockets.closeSocket(Integer.toString(port));
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "still listening");
    }

    @Test
    void thePeerClosingCompletesWaitingReadsThenSendsSocketClosed() throws Exception {
        String name = sockets.openSocket("127.0.0.1:" + port());
        BlockingQueue<String> reads = new LinkedBlockingQueue<>();
        try (Socket peer = peerServer.accept()) {
            sockets.readUntil(name, "\n", (n, d) -> reads.add(text(d)));
            peer.getOutputStream().write("no newline".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("no newline", reads.poll(5, TimeUnit.SECONDS), "the waiting read gets what had arrived");
        assertEquals("socketClosed " + name, next());
        assertEquals(List.of(), sockets.openSockets());
    }

    @Test
    void aSilentPeerMakesAWaitingReadSendSocketTimeoutEachInterval() throws Exception {
        sockets.setSocketTimeoutInterval(Duration.ofMillis(100));
        assertEquals(Duration.ofMillis(100), sockets.socketTimeoutInterval());
        BlockingQueue<String> accepted = new LinkedBlockingQueue<>();
        int port = sockets.acceptConnections(0, accepted::add);
        try (Socket silent = new Socket("127.0.0.1", port)) { // connects and never sends
            String name = accepted.poll(5, TimeUnit.SECONDS);
            BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            sockets.readFor(name, 3, (n, d) -> got.add(d));
            assertEquals("socketTimeout " + name, next());
            assertEquals("socketTimeout " + name, next(), "sent again each interval while the read waits");
            silent.getOutputStream().write("abc".getBytes(StandardCharsets.UTF_8));
            assertEquals("abc", text(got.poll(5, TimeUnit.SECONDS)));
            messages.clear();
            assertNull(messages.poll(400, TimeUnit.MILLISECONDS), "no timeouts once nothing waits");
            sockets.closeSocket(name);
        }
        sockets.closeSocket(Integer.toString(port));
    }

    @Test
    void anOpenThatTakesLongerThanTheIntervalSendsSocketTimeoutAndGoesOn() throws Exception {
        sockets.setSocketTimeoutInterval(Duration.ofMillis(100));
        CompletableFuture<String> opened = new CompletableFuture<>();
        String name = sockets.openSocket("slow.test:" + port(), opened::complete); // 300 ms lookup
        assertEquals("socketTimeout " + name, next());
        try (Socket peer = peerServer.accept()) {
            assertEquals(name, opened.get(5, TimeUnit.SECONDS), "the open went on after the timeout message");
            sockets.closeSocket(name);
        }
    }

    // --- datagram --------------------------------------------------------------------------------------------------

    @Test
    void datagramSocketsSendAndReceiveWholeDatagrams() throws Exception {
        try (DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            CompletableFuture<String> opened = new CompletableFuture<>();
            String name = sockets.openDatagramSocket("127.0.0.1:" + port, opened::complete);
            assertEquals(name, opened.get(5, TimeUnit.SECONDS));
            CompletableFuture<String> sent = new CompletableFuture<>();
            sockets.write(name, "one datagram", sent::complete);
            sockets.write(name, "two");
            ByteBuffer b = ByteBuffer.allocate(70_000);
            SocketAddress from = peer.receive(b);
            assertEquals("one datagram", new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            b.clear();
            peer.receive(b);
            assertEquals("two", new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            assertEquals(name, sent.get(5, TimeUnit.SECONDS));
            peer.send(ByteBuffer.wrap("reply 1".getBytes(StandardCharsets.UTF_8)), from);
            peer.send(ByteBuffer.wrap("reply 2".getBytes(StandardCharsets.UTF_8)), from);
            BlockingQueue<String> reads = new LinkedBlockingQueue<>();
            sockets.read(name, (n, d) -> reads.add(text(d)));
            sockets.read(name, (n, d) -> reads.add(text(d)));
            assertEquals("reply 1", reads.poll(5, TimeUnit.SECONDS), "a plain read returns one datagram");
            assertEquals("reply 2", reads.poll(5, TimeUnit.SECONDS));

            sockets.write(name, new byte[65_520], null); // over UDP's 65,507 bytes: the kernel refuses it
            String m = next();
            assertTrue(m.startsWith("socketError " + name) && m.contains("larger than the limit"), m);
            sockets.write(name, new byte[100_000], null); // over the loop's buffer: refused before the kernel
            m = next();
            assertTrue(m.contains("larger than the limit"), m);
            assertEquals(List.of(name), sockets.openSockets(), "a datagram error leaves the socket open");
            sockets.closeSocket(name);
        }
    }

    @Test
    void acceptDatagramConnectionsHandsOverEachDatagramWithItsSendersSocket() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        int port = sockets.acceptDatagramConnections(0, (name, data) -> got.add(name + " " + text(data)));
        assertTrue(sockets.openSockets().contains(Integer.toString(port)));
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
            a.send(ByteBuffer.wrap("from a".getBytes(StandardCharsets.UTF_8)), to);
            String m = got.poll(5, TimeUnit.SECONDS);
            String nameA = m.substring(0, m.indexOf(' '));
            assertTrue(nameA.startsWith("127.0.0.1:" + ((InetSocketAddress) a.getLocalAddress()).getPort() + "|"), m);
            assertEquals("from a", m.substring(m.indexOf(' ') + 1));
            b.send(ByteBuffer.wrap("from b".getBytes(StandardCharsets.UTF_8)), to);
            a.send(ByteBuffer.wrap("a again".getBytes(StandardCharsets.UTF_8)), to);
            String mb = got.poll(5, TimeUnit.SECONDS);
            String ma = got.poll(5, TimeUnit.SECONDS);
            assertEquals(nameA + " a again", ma, "the same sender keeps its socket");
            assertFalse(mb.startsWith(nameA), mb);
            CompletableFuture<String> sent = new CompletableFuture<>();
            sockets.write(nameA, "answer", sent::complete); // back to a, from the accepting port
            assertEquals(nameA, sent.get(5, TimeUnit.SECONDS));
            ByteBuffer in = ByteBuffer.allocate(100);
            SocketAddress from = a.receive(in);
            assertEquals("answer", new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
            assertEquals(port, ((InetSocketAddress) from).getPort(), "the answer comes from the accepting port");
            assertThrows(IllegalArgumentException.class, () -> sockets.readFor(nameA, 1, (n, d) -> { }));
            sockets.closeSocket(Integer.toString(port));
            assertFalse(sockets.openSockets().contains(nameA), "closing the port closes its senders' sockets");
        }
    }

    // --- secure ----------------------------------------------------------------------------------------------------

    @Test
    void secureSocketsWithAndWithoutVerification(@TempDir Path dir) throws Exception {
        TlsPeer.assumeOpenssl();
        try (TlsPeer tls = new TlsPeer(dir, false)) {
            String ca = tls.certPem.toString();
            // without verification: a self-signed certificate is accepted
            assertEcho(sockets.openSecureSocket("127.0.0.1:" + tls.port() + "|nov", TlsOptions.withoutVerification(),
                    n -> messages.add("opened " + n)));
            // with verification against the CA file, for the name the certificate carries
            assertEcho(sockets.openSecureSocket("localhost:" + tls.port() + "|ca",
                    TlsOptions.withVerification().withCaCertificates(ca), n -> messages.add("opened " + n)));
            // a CA folder works as well as a file
            assertEcho(sockets.openSecureSocket("localhost:" + tls.port() + "|dir",
                    TlsOptions.withVerification().withCaCertificates(dir.toString()),
                    n -> messages.add("opened " + n)));
            // with verification for another host: connect to the address, verify the name
            assertEcho(sockets.openSecureSocket("127.0.0.1:" + tls.port() + "|for",
                    TlsOptions.withVerificationForHost("localhost").withCaCertificates(ca),
                    n -> messages.add("opened " + n)));
            // the certificate names no IP address: verifying 127.0.0.1 itself fails
            String ip = sockets.openSecureSocket("127.0.0.1:" + tls.port() + "|ip",
                    TlsOptions.withVerification().withCaCertificates(ca), n -> messages.add("opened " + n));
            String m = next();
            assertTrue(m.startsWith("socketError " + ip + " TLS handshake failed"), m);
            // the system store does not know a self-signed certificate
            String sys = sockets.openSecureSocket("localhost:" + tls.port() + "|sys", TlsOptions.withVerification(),
                    n -> messages.add("opened " + n));
            m = next();
            assertTrue(m.startsWith("socketError " + sys + " TLS handshake failed"), m);
        }
    }

    private void assertEcho(String name) throws Exception {
        assertEquals("opened " + name, next());
        sockets.write(name, "secret\n");
        assertEquals("secret\n", text(sockets.readUntil(name, "\n".getBytes(StandardCharsets.UTF_8))));
        sockets.closeSocket(name);
    }

    @Test
    void aClientCertificateAndKeyForAServerThatRequiresOne(@TempDir Path dir) throws Exception {
        TlsPeer.assumeOpenssl();
        try (TlsPeer tls = new TlsPeer(dir, true)) {
            TlsOptions with = TlsOptions.withVerificationForHost("localhost").withCaCertificates(tls.certPem.toString())
                    .withCertificateAndKey(Files.readString(tls.clientCertPem), Files.readString(tls.clientKeyPem));
            assertEcho(sockets.openSecureSocket("127.0.0.1:" + tls.port() + "|cert", with,
                    n -> messages.add("opened " + n)));
            // without it the server hangs up on the handshake
            String no = sockets.openSecureSocket("127.0.0.1:" + tls.port() + "|none",
                    TlsOptions.withVerificationForHost("localhost").withCaCertificates(tls.certPem.toString()),
                    n -> messages.add("opened " + n));
            String m = next();
            if (m.startsWith("opened")) {
                // TLS 1.3: the client's handshake ends first; the server's refusal (an alert) follows
                m = next();
            }
            assertTrue(m.startsWith("socketError " + no) || m.startsWith("socketClosed " + no), m);
            assertFalse(sockets.openSockets().contains(no));
        }
    }

    @Test
    void tlsFailuresCarryTheirTcpSocketErrorCodes(@TempDir Path dir) throws Exception {
        TlsPeer.assumeOpenssl();
        try (TlsPeer tls = new TlsPeer(dir, false); EventLoop loop = new EventLoop()) {
            TcpSocket s = new TcpSocket(loop);
            Recorder r = new Recorder(s);
            s.setTls(TlsOptions.withVerification()); // the system store: untrusted
            s.connect("127.0.0.1", tls.port());
            r.until("state UNCONNECTED");
            assertEquals(TcpSocket.Error.SSL_HANDSHAKE_FAILED, s.error());
            assertEquals(13, s.error().code());
            assertTrue(r.events().contains("error SSL_HANDSHAKE_FAILED in CONNECTING"), r.events().toString());

            r.clear();
            s.setTls(TlsOptions.withVerification().withCaCertificates(dir.resolve("missing.pem").toString()));
            s.connect("127.0.0.1", tls.port());
            r.until("state UNCONNECTED");
            assertEquals(TcpSocket.Error.SSL_INVALID_USER_DATA, s.error(), s.errorString());
            assertEquals(21, s.error().code());

            r.clear();
            s.setTls(TlsOptions.withoutVerification());
            s.connect("127.0.0.1", tls.port());
            r.until("connected");
            assertTrue(s.isEncrypted());
            s.disconnect();
            r.until("disconnected");
        }
    }

    @Test
    void aUserEngineFactoryGetsEachEngineBackWhenItsConnectionEnds(@TempDir Path dir) throws Exception {
        TlsPeer.assumeOpenssl();
        try (TlsPeer tls = new TlsPeer(dir, false); EventLoop loop = new EventLoop()) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("peer", TlsOptions.parseCertificates(Files.readString(tls.certPem), "peer").get(0));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext trusting = javax.net.ssl.SSLContext.getInstance("TLS");
            trusting.init(null, tmf.getTrustManagers(), null);
            List<javax.net.ssl.SSLEngine> made = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<javax.net.ssl.SSLEngine> released = new java.util.concurrent.CopyOnWriteArrayList<>();
            class Factory implements TlsEngineFactory {
                final javax.net.ssl.SSLContext ctx;

                Factory(javax.net.ssl.SSLContext ctx) {
                    this.ctx = ctx;
                }

                @Override
                public javax.net.ssl.SSLEngine clientEngine(TlsOptions o, String host, int port) {
                    javax.net.ssl.SSLEngine e = ctx.createSSLEngine(host, port);
                    e.setUseClientMode(true);
                    made.add(e);
                    return e;
                }

                @Override
                public void release(javax.net.ssl.SSLEngine engine) {
                    released.add(engine);
                }
            }
            TcpSocket s = new TcpSocket(loop);
            Recorder r = new Recorder(s);
            s.setTls(TlsOptions.withVerification().withEngineFactory(new Factory(trusting)));
            s.connect("127.0.0.1", tls.port());
            r.until("connected");
            assertEquals(1, made.size());
            assertEquals(List.of(), released, "released while in use");
            s.disconnect();
            r.until("disconnected");

            r.clear();
            s.setTls(TlsOptions.withVerification().withEngineFactory(new Factory(javax.net.ssl.SSLContext.getDefault())));
            s.connect("127.0.0.1", tls.port());
            r.until("state UNCONNECTED");
            assertEquals(TcpSocket.Error.SSL_HANDSHAKE_FAILED, s.error());

            r.clear();
            s.setTls(TlsOptions.withVerification().withEngineFactory(new Factory(trusting)));
            s.connect("127.0.0.1", tls.port());
            r.until("connected");
            s.abort();
            r.until("state UNCONNECTED");
            assertEquals(3, made.size());
            assertEquals(made, released, "every engine, once, in order");
        }
    }

    // --- hostNameToAddress -----------------------------------------------------------------------------------------

    @Test
    void hostNameToAddressWaitsOrCallsBack() throws Exception {
        assertEquals(List.of("127.0.0.1"), sockets.hostNameToAddress("127.0.0.1"));
        assertEquals(List.of("::1"), sockets.hostNameToAddress("::1"));
        assertEquals(List.of("::1", "127.0.0.1"), sockets.hostNameToAddress("dual.test"));
        assertEquals(List.of(), sockets.hostNameToAddress("nowhere.test"));
        CompletableFuture<String> cb = new CompletableFuture<>();
        sockets.hostNameToAddress("dual.test", list -> cb.complete(list + " " + sockets.loop().inLoop()));
        assertEquals("[::1, 127.0.0.1] true", cb.get(5, TimeUnit.SECONDS));
        CompletableFuture<List<String>> none = new CompletableFuture<>();
        sockets.hostNameToAddress("nowhere.test", none::complete);
        assertEquals(List.of(), none.get(5, TimeUnit.SECONDS));
    }

    @Test
    void closingSocketsClosesEveryOpenSocketAndListener() throws Exception {
        int port = sockets.acceptConnections(0, n -> { });
        String a = sockets.openSocket("127.0.0.1:" + port + "|x");
        InputStream unused = InputStream.nullInputStream();
        assertEquals(0, unused.available());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sockets.openSockets().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(3, sockets.openSockets().size(), sockets.openSockets().toString());
        assertTrue(sockets.openSockets().contains(a));
        sockets.close(); // tearDown checks that every descriptor is gone
    }
}
