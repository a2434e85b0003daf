package io.ffsock;

import io.ffsock.tls.TlsClientAuth;
import io.ffsock.tls.X509VerificationReasons;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.concurrent.CompletableFuture;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section G (C79 to C85) and the TLS halves of C01, C02 and C50, plus the failure list of the TLS
 * issue, on one engine ({@link #engine()}; ffsock-tls runs the same cases on OpenSSL by subclassing). Peers are
 * ffsock sockets on the same engine and the JDK's own sockets (plain, for what is not TLS). Every failure must
 * carry SOCKET-SSL-ERROR (or the code the contract names) with the reason in words.
 */
@Timeout(20)
public class TlsContractTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    /** The engine under test. */
    protected String engine() {
        return "jdk";
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "the openssl command is needed to make test certificates");
        certs = TestCerts.create(dir);
    }

    private Loopback.Pair pair() throws Exception {
        return TlsLoopback.pair(certs, engine(), engine());
    }

    private Socket server() throws SocketException {
        return TlsLoopback.server(certs, engine(), "127.0.0.1:0");
    }

    private Socket client() throws SocketException {
        return TlsLoopback.client(certs, engine());
    }

    private static String dest(Socket listener) throws SocketException {
        return "127.0.0.1:" + listener.getSocketInfo(false).port();
    }

    /** Asserts an SSL failure whose message says {@code words} (case-insensitive). */
    private static void says(SocketException e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().toLowerCase().contains(w.toLowerCase()), () -> "'" + w + "' not in: " + e);
        }
    }

    @Test
    @DisplayName("C01/C02 unopened: upgrade*ToSSL throw SOCKET-NOT-OPEN; SSL queries null; isSecure false")
    void c01_c02_unopened() {
        try (Socket s = new Socket()) {
            expect(SocketError.NOT_OPEN, "Socket::upgradeClientToSSL", s::upgradeClientToSSL);
            expect(SocketError.NOT_OPEN, "Socket::upgradeServerToSSL", s::upgradeServerToSSL);
            assertNull(s.verifyPeerCertificate());
            assertNull(s.getSSLCipherName());
            assertNull(s.getSSLCipherVersion());
            assertFalse(s.isSecure());
            expect(SocketError.NOT_OPEN, null, s::acceptSSL);
        }
    }

    @Test
    @DisplayName("C79 round trip with the combined PEM: 128 KiB both ways, byte for byte; isSecure on both ends")
    void c79_roundTripCombinedPem() throws Exception {
        byte[] data = Loopback.randomBytes(128 * 1024, 79);
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
            String pem = certs.read("server-combined.pem");
            s.setCertificate(pem);
            s.setPrivateKey(pem);
            s.setTlsEngine(engine());
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertTrue(c.isSecure());
                assertTrue(a.isSecure());
                assertEquals(engine(), c.getTlsEngine());
                assertEquals(engine(), a.getTlsEngine());
                CompletableFuture<Void> f = later(0, () -> assertEquals(0, c.send(data, 5000)));
                assertTrue(a.isDataAvailable(2000));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                while (got.size() < data.length) {
                    got.writeBytes(a.recvBinary(0, 2000));
                }
                assertArrayEquals(data, got.toByteArray());
                join(f);
                f = later(0, () -> assertEquals(0, a.send(data, 5000)));
                assertArrayEquals(data, c.recvBinary(data.length, 2000));
                join(f);
            }
        }
    }

    @Test
    @DisplayName("C80 cipher name and version in OpenSSL's names; with TLS 1.3 off the version is TLSv1.2")
    void c80_cipherQueries() throws Exception {
        try (Loopback.Pair p = pair()) {
            assertEquals("TLSv1.3", p.client().getSSLCipherVersion());
            assertEquals(p.client().getSSLCipherVersion(), p.accepted().getSSLCipherVersion());
            assertTrue(p.client().getSSLCipherName().startsWith("TLS_"), p.client().getSSLCipherName());
            assertEquals(p.client().getSSLCipherName(), p.accepted().getSSLCipherName());
        }
        try (Socket s = server(); Socket c = client()) {
            c.setTlsVersions(null, "TLSv1.2");
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertEquals("TLSv1.2", c.getSSLCipherVersion());
                assertNotEquals("TLSv1.3", a.getSSLCipherVersion());
                // an RSA server certificate: ECDHE-RSA-..., OpenSSL's spelling, not TLS_ECDHE_RSA_WITH_...
                assertTrue(c.getSSLCipherName().startsWith("ECDHE-RSA-"), c.getSSLCipherName());
            }
        }
        try (Socket s = server(); Socket c = client()) {
            c.setTlsVersions("1.2", "1.2");
            c.setCipherList("ECDHE-RSA-AES128-GCM-SHA256");
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertEquals("ECDHE-RSA-AES128-GCM-SHA256", c.getSSLCipherName());
                assertEquals("ECDHE-RSA-AES128-GCM-SHA256", a.getSSLCipherName());
            }
        }
    }

    @Test
    @DisplayName("C81 connectSSL to a server that never speaks TLS: SOCKET-SSL-ERROR, not secure, closed")
    void c81_serverNeverSpeaksTls() throws Exception {
        try (Socket plain = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
            CompletableFuture<Void> f = later(0, () -> {
                Socket a = plain.accept(2000);
                assertNotNull(a);
                a.close(); // the server's thread ends without a word
            });
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::connectSSL", () -> c.connectSSL(dest(plain),
                    2000));
            // the server closed with our ClientHello unread: the kernel ends the connection with a FIN or a reset
            says(e, "during the TLS handshake");
            assertFalse(c.isSecure());
            assertFalse(c.isOpen(), "a failed connectSSL left the socket open");
            join(f);
        }
        // a plain peer that answers with text (an HTTP server, say)
        try (java.net.ServerSocket ss = Loopback.rawListener(); Socket c = client()) {
            CompletableFuture<Void> f = later(0, () -> {
                try (java.net.Socket r = ss.accept()) {
                    r.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    r.getInputStream().read(new byte[512]);
                }
            });
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::connectSSL",
                    () -> c.connectSSL("127.0.0.1:" + ss.getLocalPort(), 2000));
            assertFalse(c.isOpen());
            assertNotNull(e.getMessage());
            join(f);
        }
    }

    @Test
    @DisplayName("C82 upgradeClientToSSL/upgradeServerToSSL on a plain pair (STARTTLS); a second call is a no-op")
    void c82_upgrade() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            certs.serve(p.accepted());
            p.accepted().setTlsEngine(engine());
            certs.trust(p.client());
            p.client().setTlsEngine(engine());
            p.client().setVerificationHostname("localhost");
            // plain text first, then the switch
            p.client().send("STARTTLS\r\n");
            assertEquals("STARTTLS\r\n", p.accepted().recv(10, 2000));
            CompletableFuture<Void> f = later(0, () -> p.accepted().upgradeServerToSSL(5000));
            p.client().upgradeClientToSSL(5000);
            join(f);
            assertTrue(p.client().isSecure());
            assertTrue(p.accepted().isSecure());
            assertEquals("X509_V_OK", p.client().verifyPeerCertificate());
            p.client().upgradeClientToSSL(); // no-op
            p.accepted().upgradeServerToSSL();
            p.client().send("secret");
            assertEquals("secret", p.accepted().recv(6, 2000));
        }
    }

    @Test
    @DisplayName("C82 an upgrade whose handshake times out throws SOCKET-TIMEOUT and leaves the socket open, plain")
    void c82_upgradeTimeout() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            certs.trust(p.client());
            p.client().setTlsEngine(engine());
            long start = System.nanoTime();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::upgradeClientToSSL",
                    () -> p.client().upgradeClientToSSL(200));
            assertTrue(Loopback.since(start) >= 190);
            says(e, "timed out after 200 milliseconds");
            assertTrue(p.client().isOpen());
            assertFalse(p.client().isSecure());
        }
    }

    @Test
    @DisplayName("C83 acceptSSL when the client sends garbage: SOCKET-SSL-ERROR; the listener keeps listening")
    void c83_acceptGarbage() throws Exception {
        try (Socket s = server(); java.net.Socket raw = new java.net.Socket("127.0.0.1",
                s.getSocketInfo(false).port())) {
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::acceptSSL", () -> s.acceptSSL(2000));
            assertNotNull(e.getCause(), "the engine's exception should be the cause");
            assertTrue(s.isOpen());
            assertNull(s.acceptSSL(50), "nothing else is pending");
        }
    }

    @Test
    @DisplayName("C84 garbage PEM: SSLCERTIFICATE-CONSTRUCTOR-ERROR and SSLPRIVATEKEY-CONSTRUCTOR-ERROR")
    void c84_garbagePem() {
        try (Socket s = new Socket()) {
            expect(SocketError.SSL_CERTIFICATE_ERROR, "Socket::setCertificate", () -> s.setCertificate("garbage"));
            expect(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey", () -> s.setPrivateKey("garbage"));
            expect(SocketError.SSL_CERTIFICATE_ERROR, "Socket::setCertificate",
                    () -> s.setCertificate(new byte[] {1, 2, 3}));
            expect(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey",
                    () -> s.setPrivateKey(new byte[] {1, 2, 3}));
            // a certificate block with a broken body, and a key PEM where a certificate belongs
            expect(SocketError.SSL_CERTIFICATE_ERROR, "Socket::setCertificate", () -> s.setCertificate(
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
            expect(SocketError.SSL_CERTIFICATE_ERROR, "Socket::setCertificate",
                    () -> s.setCertificate(certs.read("server.key")));
            expect(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey",
                    () -> s.setPrivateKey(certs.read("server.crt")));
        }
    }

    @Test
    @DisplayName("C85 verifyPeerCertificate: null on the server without a client certificate and on plain sockets;"
            + " a self-signed server seen without verification gives X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT")
    void c85_verifyPeerCertificate() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            s.setCertificate(certs.read("selfsigned.crt"));
            s.setPrivateKey(certs.read("server.key"));
            s.setTlsEngine(engine());
            c.setTlsEngine(engine());
            c.setVerifyPeer(false);
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertEquals("X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT", c.verifyPeerCertificate());
                assertEquals("self-signed certificate",
                        X509VerificationReasons.DESCRIPTIONS.get(c.verifyPeerCertificate()));
                assertNull(a.verifyPeerCertificate(), "the client sent no certificate");
            }
        }
        try (Loopback.Pair p = Loopback.pair()) {
            assertNull(p.client().verifyPeerCertificate());
        }
        try (Loopback.Pair p = pair()) {
            assertEquals("X509_V_OK", p.client().verifyPeerCertificate());
        }
    }

    @Test
    @DisplayName("verification is on by default: an untrusted CA, an expired and a wrong-host certificate fail with"
            + " SOCKET-SSL-ERROR naming the X509 code; no fd is left open")
    void verificationFailures() throws Exception {
        // untrusted: the client was not given the test CA
        try (Socket s = server(); Socket c = new Socket()) {
            c.setTlsEngine(engine());
            assertTrue(c.getVerifyPeer());
            SocketException e = TlsLoopback.clientFailure(s, c, dest(s));
            assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
            says(e, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate");
            assertFalse(c.isOpen());
        }
        String[][] cases = {{"expired.crt", "X509_V_ERR_CERT_HAS_EXPIRED", "certificate has expired"},
                {"wronghost.crt", "X509_V_ERR_IP_ADDRESS_MISMATCH", "127.0.0.1"}};
        for (String[] k : cases) {
            try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
                s.setCertificate(certs.read(k[0]));
                s.setPrivateKey(certs.read("server.key"));
                s.setTlsEngine(engine());
                SocketException e = TlsLoopback.clientFailure(s, c, dest(s));
                assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
                says(e, k[1], k[2]);
                assertFalse(c.isOpen());
            }
        }
        // wrong host by name
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
            s.setCertificate(certs.read("wronghost.crt"));
            s.setPrivateKey(certs.read("server.key"));
            s.setTlsEngine(engine());
            SocketException e = TlsLoopback.clientFailure(s, c, "localhost:" + s.getSocketInfo(false).port());
            says(e, "X509_V_ERR_HOSTNAME_MISMATCH", "wrong.example");
            // the same without verification connects, and reports what it found
            c.setVerifyPeer(false);
            try (Socket a = TlsLoopback.handshake(s, c, "localhost:" + s.getSocketInfo(false).port())) {
                assertEquals("X509_V_ERR_HOSTNAME_MISMATCH", c.verifyPeerCertificate());
                assertNotNull(a);
            }
        }
    }

    @Test
    @DisplayName("\"with verification for host NAME\": verifies proxy.test while connecting to 127.0.0.1")
    void verificationHostname() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
            s.setCertificate(certs.read("proxy.crt"));
            s.setPrivateKey(certs.read("server.key"));
            s.setTlsEngine(engine());
            SocketException e = TlsLoopback.clientFailure(s, c, dest(s));
            says(e, "X509_V_ERR_IP_ADDRESS_MISMATCH");
            c.setVerificationHostname("proxy.test");
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertEquals("X509_V_OK", c.verifyPeerCertificate());
                assertNotNull(a);
            }
        }
    }

    @Test
    @DisplayName("keys: encrypted PKCS#8 and traditional PEM with the password, DER, and Java objects all serve; a"
            + " wrong password, a missing one and a key that does not match fail with their reasons")
    void keyForms() throws Exception {
        String enc8 = certs.read("server-pkcs8-enc.key");
        String encTrad = certs.read("server-trad-enc.key");
        assertTrue(enc8.contains("ENCRYPTED PRIVATE KEY"));
        assertTrue(encTrad.contains("Proc-Type: 4,ENCRYPTED"));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(certs.path("server.crt")));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                certs.bytes("server.pk8.der")));
        for (int i = 0; i < 5; i++) {
            try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = client()) {
                s.setTlsEngine(engine());
                switch (i) {
                    case 0 -> { s.setCertificate(certs.read("server.crt")); s.setPrivateKey(enc8, TestCerts.PASSWORD); }
                    case 1 -> { s.setCertificate(certs.read("server.crt")); s.setPrivateKey(encTrad, TestCerts.PASSWORD); }
                    case 2 -> { s.setCertificate(certs.bytes("server.crt.der")); s.setPrivateKey(certs.bytes("server.key.der")); }
                    case 3 -> { s.setCertificate(certs.bytes("server.crt.der")); s.setPrivateKey(certs.bytes("server.pk8.der")); }
                    default -> { s.setCertificate(cert); s.setPrivateKey(key); }
                }
                try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                    c.send("k" + i);
                    assertEquals("k" + i, a.recv(2, 2000));
                }
            }
        }
        try (Socket s = new Socket()) {
            for (String pem : new String[] {enc8, encTrad}) {
                SocketException e = expect(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey",
                        () -> s.setPrivateKey(pem, "wrong password"));
                says(e, "wrong password");
                e = expect(SocketError.SSL_PRIVATE_KEY_ERROR, "Socket::setPrivateKey", () -> s.setPrivateKey(pem));
                says(e, "encrypted", "no password");
            }
        }
        // a key that does not belong to the certificate: acceptSSL refuses before accepting anything
        try (Socket s = Loopback.listener("127.0.0.1:0")) {
            s.setCertificate(certs.read("server.crt"));
            s.setPrivateKey(certs.read("other.key"));
            s.setTlsEngine(engine());
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::acceptSSL", () -> s.acceptSSL(100));
            says(e, "does not match the certificate");
            assertTrue(s.isOpen());
        }
        try (Socket s = Loopback.listener("127.0.0.1:0")) {
            s.setTlsEngine(engine());
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::acceptSSL", () -> s.acceptSSL(100));
            says(e, "setCertificate()");
        }
    }

    @Test
    @DisplayName("mutual TLS: a required client certificate is verified on the server; without one the handshake"
            + " fails with SOCKET-SSL-ERROR on both ends")
    void mutualTls() throws Exception {
        try (Socket s = server(); Socket c = client()) {
            certs.trust(s);
            s.setClientAuth(TlsClientAuth.REQUIRE);
            c.setCertificate(certs.read("client.crt"));
            c.setPrivateKey(certs.read("client.key"));
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertEquals("X509_V_OK", a.verifyPeerCertificate());
                assertEquals("CN=ffsock test client", a.getPeerCertificates()[0].getSubjectX500Principal().getName());
                assertEquals(TlsClientAuth.REQUIRE, a.getClientAuth(), "accepted sockets inherit the settings");
            }
        }
        try (Socket s = server(); Socket c = client()) {
            certs.trust(s);
            s.setClientAuth(TlsClientAuth.REQUIRE);
            SocketException e = TlsLoopback.serverFailure(s, c, dest(s));
            assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
            assertTrue(s.isOpen());
        }
        try (Socket s = server(); Socket c = client()) {
            s.setClientAuth(TlsClientAuth.REQUEST);
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                assertNull(a.verifyPeerCertificate(), "asked, not required: a client without a certificate is fine");
            }
        }
    }

    @Test
    @DisplayName("handshake failures: the peer closing mid-handshake and a silent peer (timeout); nothing left open")
    void handshakeFailures() throws Exception {
        // a server that reads the ClientHello and hangs up
        try (java.net.ServerSocket ss = Loopback.rawListener(); Socket c = client()) {
            CompletableFuture<Void> f = later(0, () -> {
                try (java.net.Socket r = ss.accept()) {
                    r.getInputStream().read(new byte[100]);
                }
            });
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::connectSSL",
                    () -> c.connectSSL("127.0.0.1:" + ss.getLocalPort(), 2000));
            says(e, "during the TLS handshake");
            assertFalse(c.isOpen());
            join(f);
        }
        // a server that accepts and says nothing: the timeout
        try (java.net.ServerSocket ss = Loopback.rawListener(); Socket c = client()) {
            CompletableFuture<Void> f = later(0, () -> {
                try (java.net.Socket r = ss.accept()) {
                    r.getInputStream().read(new byte[100]);
                    Thread.sleep(600);
                }
            });
            long start = System.nanoTime();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::connectSSL",
                    () -> c.connectSSL("127.0.0.1:" + ss.getLocalPort(), 200));
            assertTrue(Loopback.since(start) < 550);
            says(e, "TLS handshake");
            assertFalse(c.isOpen());
            join(f);
        }
        // a client that connects and says nothing: acceptSSL(t) times out, the listener stays
        try (Socket s = server(); java.net.Socket raw = new java.net.Socket("127.0.0.1",
                s.getSocketInfo(false).port())) {
            expect(SocketError.TIMEOUT, "Socket::acceptSSL", () -> s.acceptSSL(200));
            assertTrue(s.isOpen());
            assertNotNull(raw);
        }
    }

    @Test
    @DisplayName("C50 (TLS) sending after the peer went away: SOCKET-SSL-ERROR, then closed")
    void c50_sendAfterPeerClosed() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().close();
            Socket a = p.accepted();
            byte[] chunk = new byte[4096];
            SocketException e = null;
            for (int i = 0; i < 200 && e == null; i++) {
                try {
                    a.send(chunk, 200);
                    Thread.sleep(5);
                } catch (SocketException x) {
                    e = x;
                }
            }
            assertNotNull(e, "send never failed after the peer closed");
            assertEquals(SocketError.SSL_ERROR, e.error(), e.toString());
            assertFalse(a.isOpen());
        }
    }

    @Test
    @DisplayName("close_notify: recv(-1) ends at the peer's close_notify; shutdownSSL() leaves a plain connection")
    void closeNotifyAndShutdownSsl() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().send("last words");
            p.client().shutdownSSL();
            assertFalse(p.client().isSecure());
            assertTrue(p.client().isOpen());
            assertEquals("last words", p.accepted().recv(-1, 2000), "close_notify ends a read-until-close");
            assertFalse(p.accepted().isOpen());
        }
        try (Loopback.Pair p = pair()) {
            // after shutdownSSL both sides can talk in plain text: the server ends its session too
            p.client().shutdownSSL();
            assertEquals(-1, p.accepted().read(java.nio.ByteBuffer.allocate(10)), "close_notify is end of stream");
            p.accepted().shutdownSSL();
            p.accepted().send("plain again");
            // the client still has the server's close_notify to skip? no: it left TLS before it arrived, so it sees
            // the raw record first; read what is there and look for the plain text at the end
            byte[] got = p.client().recvBinary(0, 2000);
            while (!new String(got, StandardCharsets.ISO_8859_1).endsWith("plain again")) {
                byte[] more = p.client().recvBinary(0, 2000);
                byte[] all = new byte[got.length + more.length];
                System.arraycopy(got, 0, all, 0, got.length);
                System.arraycopy(more, 0, all, got.length, more.length);
                got = all;
            }
        }
    }

    @Test
    @DisplayName("a peer writing after its close_notify: SOCKET-SSL-ERROR saying so")
    void dataAfterCloseNotify() throws Exception {
        try (Socket s = server(); java.net.Socket plain = new java.net.Socket()) {
            javax.net.ssl.SSLContext ctx = JdkPeers.trustAll();
            plain.connect(new java.net.InetSocketAddress("127.0.0.1", s.getSocketInfo(false).port()), 2000);
            javax.net.ssl.SSLSocket jdk = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(plain,
                    "localhost", plain.getPort(), false);
            CompletableFuture<Void> f = later(0, jdk::startHandshake);
            try (Socket a = s.acceptSSL(5000)) {
                join(f);
                jdk.getOutputStream().write("before".getBytes(StandardCharsets.US_ASCII));
                jdk.shutdownOutput(); // close_notify
                plain.getOutputStream().write("after close_notify".getBytes(StandardCharsets.US_ASCII));
                assertEquals("before", a.recv(6, 2000));
                SocketException e = expect(SocketError.SSL_ERROR, "Socket::recv", () -> a.recv(-1, 2000));
                says(e, "after ending the TLS session with close_notify");
            } finally {
                jdk.close();
            }
        }
    }

    @Test
    @DisplayName("TLS over AF_UNIX: connectUNIXSSL and connectSSL(path) with acceptSSL on a UNIX listener")
    void overUnixSocket() throws Exception {
        Path sock = dir.resolve("tls-" + engine() + ".sock");
        Files.deleteIfExists(sock);
        try (Socket s = TlsLoopback.server(certs, engine(), sock.toString()); Socket c = client()) {
            c.setVerificationHostname("localhost");
            try (Socket a = TlsLoopback.handshake(s, c, sock.toString())) {
                assertTrue(c.isSecure());
                assertEquals("X509_V_OK", c.verifyPeerCertificate());
                c.sendi4(2393921);
                assertEquals(2393921, a.recvi4(2000));
                a.send("over unix");
                assertEquals("over unix", c.recv(9, 2000));
            }
            Socket c2 = client();
            try {
                c2.setVerifyPeer(false);
                CompletableFuture<Void> f = later(0, () -> c2.connectUNIXSSL(sock.toString()));
                try (Socket a = s.acceptSSL(5000)) {
                    join(f);
                    assertTrue(a.isSecure());
                    assertEquals("X509_V_OK", c2.verifyPeerCertificate(), "no host name to check on a UNIX path");
                }
            } finally {
                c2.close();
            }
        }
    }

    @Test
    @DisplayName("the stream and hot-path views over TLS: InputStream/OutputStream and read/write of segments")
    void streamsAndHotPath() throws Exception {
        byte[] data = Loopback.randomBytes(200_000, 7);
        try (Loopback.Pair p = pair()) {
            OutputStream out = p.client().getOutputStream();
            CompletableFuture<Void> f = later(0, () -> out.write(data));
            InputStream in = p.accepted().getInputStream();
            assertArrayEquals(data, in.readNBytes(data.length));
            join(f);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                java.lang.foreign.MemorySegment src = arena.allocate(data.length);
                java.lang.foreign.MemorySegment.copy(data, 0, src, java.lang.foreign.ValueLayout.JAVA_BYTE, 0,
                        data.length);
                java.lang.foreign.MemorySegment dst = arena.allocate(64 * 1024);
                f = later(0, () -> p.accepted().write(src));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                while (got.size() < data.length) {
                    long n = p.client().read(dst, 2000);
                    assertTrue(n > 0, "read returned " + n + " after " + got.size() + " bytes");
                    got.writeBytes(dst.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                assertArrayEquals(data, got.toByteArray());
                join(f);
            }
        }
    }

    @Test
    @DisplayName("C90 events: connectSSL posts the connect events, START_SSL, then SSL_ESTABLISHED with cipher and"
            + " version equal to getSSLCipherName()/getSSLCipherVersion(); acceptSSL posts the same on the listener")
    void c90_events() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<SocketEvent> cq = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.LinkedBlockingQueue<SocketEvent> sq = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Socket s = server(); Socket c = client()) {
            c.setEventQueue(cq);
            s.setEventQueue(sq);
            try (Socket a = TlsLoopback.handshake(s, c, dest(s))) {
                java.util.List<EventType> types = cq.stream().map(SocketEvent::type).toList();
                int connected = types.indexOf(EventType.CONNECTED);
                assertTrue(connected >= 0, types::toString);
                assertEquals(java.util.List.of(EventType.START_SSL, EventType.SSL_ESTABLISHED),
                        types.subList(connected + 1, types.size()));
                SocketEvent est = cq.stream().filter(e -> e.type() == EventType.SSL_ESTABLISHED).findFirst()
                        .orElseThrow();
                assertEquals(c.getSSLCipherName(), est.get("cipher"));
                assertEquals(c.getSSLCipherVersion(), est.get("cipher_version"));
                java.util.List<EventType> st = sq.stream().map(SocketEvent::type).toList();
                assertEquals(java.util.List.of(EventType.START_SSL, EventType.SSL_ESTABLISHED), st);
                assertEquals(a.getSSLCipherName(), sq.stream().filter(e -> e.type() == EventType.SSL_ESTABLISHED)
                        .findFirst().orElseThrow().get("cipher"));
            }
        }
        // a failed handshake posts START_SSL and no SSL_ESTABLISHED
        cq.clear();
        try (Socket s = server(); Socket c = new Socket()) {
            c.setTlsEngine(engine());
            c.setEventQueue(cq);
            TlsLoopback.clientFailure(s, c, dest(s));
            java.util.List<EventType> types = cq.stream().map(SocketEvent::type).toList();
            assertTrue(types.contains(EventType.START_SSL), types::toString);
            assertFalse(types.contains(EventType.SSL_ESTABLISHED), types::toString);
        }
    }

    @Test
    @DisplayName("C66 (TLS) readHTTPHeader when the server closes after acceptSSL: SOCKET-CLOSED; and an HTTP"
            + " request and response over TLS")
    void c66_httpOverTls() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.accepted().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::readHTTPHeader",
                    () -> p.client().readHTTPHeader(2000));
            assertTrue(e.getMessage().startsWith("error in Socket::readHTTPHeader(): remote end closed the "
                    + "connection"), e::getMessage);
        }
        try (Loopback.Pair p = pair()) {
            p.client().sendHTTPMessage("POST", "/x", "1.1", java.util.Map.of("Host", "localhost"), "ping");
            io.ffsock.http.HttpHeader h = p.accepted().readHTTPHeader(2000);
            assertEquals("POST", h.method());
            assertEquals("/x", h.path());
            assertEquals("ping", p.accepted().recv(4, 2000));
            p.accepted().sendHTTPResponse(200, "OK", "1.1", java.util.Map.of(), "pong");
            io.ffsock.http.HttpHeader r = p.client().readHTTPHeader(2000);
            assertEquals(200, r.statusCode());
            assertEquals("pong", p.client().recv(4, 2000));
        }
    }

    @Test
    @DisplayName("descriptor-level calls over TLS: writev/readv go through the session; urgent data and descriptor"
            + " passing, which would bypass it, are refused with SOCKET-SSL-ERROR")
    void descriptorLevelCallsOverTls() throws Exception {
        try (Loopback.Pair p = pair(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment head = arena.allocateFrom("head:");
            java.lang.foreign.MemorySegment body = java.lang.foreign.MemorySegment.ofArray(
                    "body".getBytes(StandardCharsets.US_ASCII));
            assertEquals(head.byteSize() + 4, p.client().writev(head, body));
            assertEquals("head:\u0000body", p.accepted().recv(10, 2000));
            p.accepted().send("vector");
            java.lang.foreign.MemorySegment a = arena.allocate(3);
            java.lang.foreign.MemorySegment b = arena.allocate(16);
            long n = p.client().readv(a, b);
            assertTrue(n > 0 && n <= 3, "readv returned " + n);
            expect(SocketError.SSL_ERROR, "Socket::sendUrgent", () -> p.client().sendUrgent(1));
            expect(SocketError.SSL_ERROR, "Socket::recvUrgent", () -> p.client().recvUrgent(10));
            assertTrue(p.client().isOpen(), "a refused call must leave the connection as it was");
            p.client().send("still fine");
            assertEquals("still fine", p.accepted().recv(10, 2000));
        }
        Path sock = dir.resolve("fds-" + engine() + ".sock");
        Files.deleteIfExists(sock);
        try (Socket s = TlsLoopback.server(certs, engine(), sock.toString()); Socket c = client()) {
            c.setVerificationHostname("localhost");
            try (Socket a = TlsLoopback.handshake(s, c, sock.toString())) {
                expect(SocketError.SSL_ERROR, "Socket::sendFds", () -> c.sendFds(new byte[] {1}, 0));
                expect(SocketError.SSL_ERROR, "Socket::recvFds", () -> a.recvFds(1, 1, 10));
            }
        }
    }

    @Test
    @DisplayName("close() from another thread wakes a reader blocked in a TLS recv and a writer blocked in a TLS"
            + " send with SOCKET-CLOSED, and the session is freed after they left")
    void concurrentCloseOverTls() throws Exception {
        // threads of their own: the common pool may have a single worker on a 2-core machine
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Loopback.Pair p = pair()) {
            Socket a = p.accepted();
            CompletableFuture<SocketException> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    a.recv(10);
                    return null;
                } catch (SocketException e) {
                    return e;
                }
            }, threads);
            CompletableFuture<SocketException> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] big = new byte[1 << 20];
                    for (int i = 0; i < 256; i++) {
                        a.send(big); // the client never reads: this blocks once the buffers are full
                    }
                    return null;
                } catch (SocketException e) {
                    return e;
                }
            }, threads);
            Thread.sleep(300);
            assertFalse(reader.isDone() || writer.isDone(), "reader and writer should be blocked");
            a.close();
            SocketException r = reader.get(5, java.util.concurrent.TimeUnit.SECONDS);
            SocketException w = writer.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(r);
            assertNotNull(w);
            assertEquals(SocketError.CLOSED, r.error(), r::toString);
            assertEquals(SocketError.CLOSED, w.error(), () -> {
                java.io.StringWriter sw = new java.io.StringWriter();
                w.printStackTrace(new java.io.PrintWriter(sw));
                return sw.toString();
            });
            assertFalse(a.isOpen());
            assertFalse(a.isSecure());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @DisplayName("TLS on a datagram socket is refused with SOCKET-SSL-ERROR (LiveCode: UDP is not supported by SSL)")
    void noTlsOverDatagrams() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(); Socket c = client()) {
            peer.bind("127.0.0.1:0");
            int port = peer.getSocketInfo().port();
            SocketException e = expect(SocketError.SSL_ERROR, "Socket::connectINETSSL",
                    () -> c.connectINETSSL("127.0.0.1", Integer.toString(port), 1000, 0, 2 /* SOCK_DGRAM */));
            assertTrue(e.getMessage().contains("stream socket"), e::getMessage);
            assertFalse(c.isOpen());
        }
    }

    @Test
    @DisplayName("engine selection: unknown engines are refused with the list of those available")
    void engineSelection() {
        try (Socket s = new Socket()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setTlsEngine("nope"));
            assertTrue(e.getMessage().contains("jdk"), e::getMessage);
            s.setTlsEngine(engine());
            assertEquals(engine(), s.getTlsEngine());
        }
    }
}
