package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.TestCerts;
import io.ffsock.TlsLoopback;
import io.ffsock.tls.TlsClientAuth;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every TLS failure of the list, repeated, on both engines, with the process's descriptors counted before
 * and after: each must fail with SOCKET-SSL-ERROR (SOCKET-TIMEOUT for the timeout, the constructor codes for bad
 * PEM) and leave no descriptor behind, whichever side fails.
 */
@ExtendWith(FdBaseline.class)
@Timeout(120)
class TlsFailuresIT {
    private static final int ROUNDS = 3;

    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "openssl is not installed (.ci/run installs it)");
        certs = TestCerts.create(dir);
    }

    private static Socket server(String engine, String cert) throws SocketException {
        Socket s = TlsLoopback.server(certs, engine, "127.0.0.1:0");
        s.setCertificate(certs.read(cert));
        return s;
    }

    private static String dest(Socket s) throws SocketException {
        return "127.0.0.1:" + s.getSocketInfo(false).port();
    }

    private static void sslError(SocketException e, String words) {
        assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
        assertTrue(e.getMessage().contains(words), () -> "'" + words + "' not in " + e);
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("verification failures (untrusted CA, expired, wrong host, missing client certificate) leave no fd")
    void verificationFailures(String engine) throws Exception {
        Fds.noLeak(engine + " verification failures", () -> {
            for (int i = 0; i < ROUNDS; i++) {
                try (Socket s = server(engine, "server.crt"); Socket c = new Socket()) {
                    c.setTlsEngine(engine);
                    sslError(TlsLoopback.clientFailure(s, c, dest(s)), "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY");
                    assertFalse(c.isOpen());
                }
                try (Socket s = server(engine, "expired.crt"); Socket c = TlsLoopback.client(certs, engine)) {
                    sslError(TlsLoopback.clientFailure(s, c, dest(s)), "X509_V_ERR_CERT_HAS_EXPIRED");
                }
                try (Socket s = server(engine, "wronghost.crt"); Socket c = TlsLoopback.client(certs, engine)) {
                    sslError(TlsLoopback.clientFailure(s, c, "localhost:" + s.getSocketInfo(false).port()),
                            "X509_V_ERR_HOSTNAME_MISMATCH");
                }
                try (Socket s = server(engine, "server.crt"); Socket c = TlsLoopback.client(certs, engine)) {
                    certs.trust(s);
                    s.setClientAuth(TlsClientAuth.REQUIRE);
                    c.setTlsVersions(null, "TLSv1.2");
                    SocketException e = TlsLoopback.serverFailure(s, c, dest(s));
                    assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
                    assertTrue(s.isOpen());
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("a plain-TCP peer, a peer closing mid-handshake, a silent peer (timeout) and garbage to acceptSSL"
            + " leave no fd")
    void peerFailures(String engine) throws Exception {
        Fds.noLeak(engine + " peer failures", () -> {
            for (int i = 0; i < ROUNDS; i++) {
                for (int mode = 0; mode < 3; mode++) {
                    try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                         Socket c = TlsLoopback.client(certs, engine)) {
                        int m = mode;
                        CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                            try (java.net.Socket r = plain.accept()) {
                                if (m == 0) {
                                    r.getOutputStream().write("SSH-2.0-OpenSSH\r\n".getBytes());
                                    r.getInputStream().read(new byte[2048]);
                                } else if (m == 1) {
                                    r.getInputStream().read(new byte[10]); // half a ClientHello, then hang up
                                } else {
                                    Thread.sleep(400); // say nothing
                                }
                            } catch (Exception e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        });
                        SocketException e = assertThrows(SocketException.class,
                                () -> c.connectSSL("127.0.0.1:" + plain.getLocalPort(), 150));
                        assertEquals(m == 2 ? SocketError.TIMEOUT : SocketError.SSL_ERROR, e.error(), e::toString);
                        assertFalse(c.isOpen());
                        peer.get(5, TimeUnit.SECONDS);
                    }
                }
                try (Socket s = server(engine, "server.crt");
                     java.net.Socket raw = new java.net.Socket("127.0.0.1", s.getSocketInfo(false).port())) {
                    raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5});
                    SocketException e = assertThrows(SocketException.class, () -> s.acceptSSL(2000));
                    assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
                    assertTrue(s.isOpen(), "a failed acceptSSL closed the listener");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("key problems: wrong password, garbage PEM, a key that does not match; nothing is opened")
    void keyFailures(String engine) throws Exception {
        Fds.noLeak(engine + " key failures", () -> {
            for (int i = 0; i < ROUNDS; i++) {
                try (Socket s = io.ffsock.TlsLoopback.server(certs, engine, "127.0.0.1:0")) {
                    SocketException e = assertThrows(SocketException.class,
                            () -> s.setPrivateKey(certs.read("server-pkcs8-enc.key"), "not it"));
                    assertEquals(SocketError.SSL_PRIVATE_KEY_ERROR, e.error());
                    e = assertThrows(SocketException.class, () -> s.setCertificate("-----BEGIN CERTIFICATE-----"));
                    assertEquals(SocketError.SSL_CERTIFICATE_ERROR, e.error());
                    s.setPrivateKey(certs.read("other.key"));
                    e = assertThrows(SocketException.class, () -> s.acceptSSL(10));
                    assertEquals(SocketError.SSL_ERROR, e.error());
                    assertTrue(e.getMessage().contains("does not match"), e::getMessage);
                }
            }
        });
    }
}
