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

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ffsock's TLS against other TLS stacks, on both engines: ffsock clients against {@code openssl s_server} (TCP and
 * AF_UNIX, TLS 1.3 and 1.2, SNI, client certificates), and {@code openssl s_client} and {@code curl} against an
 * ffsock {@code acceptSSL} server. OpenSSL's own report of the cipher is compared with what ffsock says, so the
 * OpenSSL names ffsock gives are the ones OpenSSL uses. Every peer runs on 127.0.0.1 or a UNIX socket and is
 * ended in the test; the class fails if it leaves a descriptor open.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class TlsPeersIT {
    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "openssl is not installed (.ci/run installs it)");
        certs = TestCerts.create(dir);
    }

    /** {@code openssl s_server} on an ephemeral port of 127.0.0.1 (or a UNIX socket), echoing lines reversed. */
    private static ToolProcess sServer(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-cert", "server.crt", "-key",
                "server.key", "-rev", "-naccept", "1"));
        if (!List.of(extra).contains("-unix")) {
            cmd.addAll(List.of("-accept", "127.0.0.1:0"));
        }
        cmd.addAll(List.of(extra));
        ToolProcess p = ToolProcess.start(certs.dir, cmd);
        try {
            p.await("^ACCEPT", 10_000);
            return p;
        } catch (Throwable t) {
            p.close();
            throw t;
        }
    }

    private static int port(ToolProcess p) throws InterruptedException {
        return Integer.parseInt(p.await("^ACCEPT 127\\.0\\.0\\.1:(\\d+)", 1000).group(1));
    }

    /** Sends a line and reads the reversed one back (s_server -rev). */
    private static void reverses(Socket c, String line) throws SocketException {
        c.send(line + "\n");
        String want = new StringBuilder(line).reverse() + "\n";
        assertEquals(want, c.recv(want.length(), 5000));
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("ffsock client -> openssl s_server: TLS 1.3 and 1.2, verified; cipher names as OpenSSL prints them")
    void clientAgainstSServer(String engine) throws Exception {
        try (ToolProcess srv = sServer(); Socket c = TlsLoopback.client(certs, engine)) {
            c.connectSSL("127.0.0.1:" + port(srv), 5000);
            reverses(c, "hello from ffsock");
            assertEquals("X509_V_OK", c.verifyPeerCertificate());
            assertEquals("TLSv1.3", c.getSSLCipherVersion());
            assertEquals(c.getSSLCipherName(), srv.await("^Ciphersuite: (\\S+)", 5000).group(1));
        }
        try (ToolProcess srv = sServer("-tls1_2"); Socket c = TlsLoopback.client(certs, engine)) {
            c.connectSSL("localhost:" + port(srv), 5000);
            reverses(c, "twelve");
            assertEquals("TLSv1.2", c.getSSLCipherVersion());
            String openssl = srv.await("^Ciphersuite: (\\S+)", 5000).group(1);
            assertEquals(openssl, c.getSSLCipherName(), "ffsock must name the suite as OpenSSL does");
            assertTrue(openssl.startsWith("ECDHE-RSA-"), openssl);
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("s_server requiring a client certificate: ffsock with its certificate gets in, without it gets "
            + "SOCKET-SSL-ERROR")
    void mutualWithSServer(String engine) throws Exception {
        try (ToolProcess srv = sServer("-Verify", "1", "-CAfile", "ca.crt", "-verify_return_error");
             Socket c = TlsLoopback.client(certs, engine)) {
            c.setCertificate(certs.read("client.crt"));
            c.setPrivateKey(certs.read("client.key"));
            c.connectSSL("127.0.0.1:" + port(srv), 5000);
            reverses(c, "it is me");
            srv.await("^Peer certificate: CN = ffsock test client", 5000);
        }
        try (ToolProcess srv = sServer("-Verify", "1", "-CAfile", "ca.crt", "-verify_return_error");
             Socket c = TlsLoopback.client(certs, engine)) {
            // TLS 1.3 finishes the client's handshake before the server judges its certificate: the refusal comes
            // as an alert at the first read, on the handshake itself with TLS 1.2
            c.setTlsVersions(null, "TLSv1.2");
            SocketException e = assertThrows(SocketException.class, () -> {
                c.connectSSL("127.0.0.1:" + port(srv), 5000);
                c.send("x\n");
                c.recv(2, 5000);
            });
            assertEquals(SocketError.SSL_ERROR, e.error(), e::toString);
            assertFalse(c.isOpen());
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("\"verification for host\": SNI proxy.test makes s_server present proxy.test's certificate, which"
            + " verifies, while the socket connects to 127.0.0.1")
    void sniAndVerificationHost(String engine) throws Exception {
        String[] sni = {"-servername", "proxy.test", "-cert2", "proxy.crt", "-key2", "server.key"};
        try (ToolProcess srv = sServer(sni); Socket c = TlsLoopback.client(certs, engine)) {
            c.setVerificationHostname("proxy.test");
            c.connectSSL("127.0.0.1:" + port(srv), 5000);
            reverses(c, "via a tunnel");
            assertEquals("CN=proxy.test", c.getPeerCertificates()[0].getSubjectX500Principal().getName());
            assertEquals("X509_V_OK", c.verifyPeerCertificate());
        }
        try (ToolProcess srv = sServer(sni); Socket c = TlsLoopback.client(certs, engine)) {
            c.connectSSL("127.0.0.1:" + port(srv), 5000); // no SNI for an IP address: the default certificate
            assertEquals("CN=localhost", c.getPeerCertificates()[0].getSubjectX500Principal().getName());
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("TLS over AF_UNIX: ffsock connectUNIXSSL -> s_server -unix")
    void overUnixSocket(String engine) throws Exception {
        // a short path: OpenSSL 3.0's s_server fails on UNIX paths of 32 bytes or more (it prints the path through
        // getnameinfo as a service name, which has room for 32)
        Path shortDir = Files.createDirectories(Path.of("/tmp", "fs" + ProcessHandle.current().pid() + engine.charAt(0)));
        Path sock = shortDir.resolve("s.sock");
        Files.deleteIfExists(sock);
        try (ToolProcess srv = sServer("-unix", sock.toString(), "-unlink"); Socket c = TlsLoopback.client(certs,
                engine)) {
            c.setVerificationHostname("localhost");
            assertTrue(Files.exists(sock), () -> "no socket file; s_server printed: " + srv.output());
            c.connectUNIXSSL(sock.toString());
            reverses(c, "through a file");
            assertEquals("X509_V_OK", c.verifyPeerCertificate());
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(shortDir);
        }
    }

    /** Serves one connection on {@code s}: reads a line and answers it upper-cased. */
    private static CompletableFuture<String> serveLine(Socket s, boolean wantClientCert) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket a = s.acceptSSL(10_000)) {
                assertNotNull(a, "nobody connected");
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = a.recvu1(5000)) != '\n') {
                    line.write(b);
                }
                String text = line.toString(StandardCharsets.US_ASCII);
                a.send(text.toUpperCase() + "\n");
                String who = wantClientCert ? a.verifyPeerCertificate() + " "
                        + a.getPeerCertificates()[0].getSubjectX500Principal().getName() : "";
                String cipher = a.getSSLCipherName();
                a.recv(-1, 5000); // until s_client hangs up (then the socket is closed)
                return who + cipher;
            } catch (SocketException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("openssl s_client -> ffsock acceptSSL: verifies ffsock's certificate (return code 0); mutual TLS")
    void sClientAgainstAcceptSsl(String engine) throws Exception {
        try (Socket s = TlsLoopback.server(certs, engine, "127.0.0.1:0")) {
            CompletableFuture<String> served = serveLine(s, false);
            try (ToolProcess cli = ToolProcess.start(certs.dir, "openssl", "s_client", "-connect",
                    "127.0.0.1:" + s.getSocketInfo(false).port(), "-CAfile", "ca.crt", "-verify_return_error",
                    "-servername", "localhost", "-verify_hostname", "localhost")) {
                cli.await("Verify return code: 0 \\(ok\\)", 10_000);
                cli.stdin().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                cli.stdin().flush();
                cli.await("PING$", 5000);
                String cipher = cli.await("^New, TLSv1\\.3, Cipher is (\\S+)", 1000).group(1);
                cli.stdin().close();
                assertEquals(cipher, served.get(10, TimeUnit.SECONDS));
            }
        }
        try (Socket s = TlsLoopback.server(certs, engine, "127.0.0.1:0")) {
            certs.trust(s);
            s.setClientAuth(TlsClientAuth.REQUIRE);
            CompletableFuture<String> served = serveLine(s, true);
            try (ToolProcess cli = ToolProcess.start(certs.dir, "openssl", "s_client", "-connect",
                    "127.0.0.1:" + s.getSocketInfo(false).port(), "-CAfile", "ca.crt", "-cert", "client.crt",
                    "-key", "client.key")) {
                cli.await("Verify return code: 0 \\(ok\\)", 10_000);
                cli.stdin().write("mutual\n".getBytes(StandardCharsets.US_ASCII));
                cli.stdin().flush();
                try {
                    cli.await("MUTUAL$", 5000); // stderr's ticket dump may share the line
                } catch (AssertionError e) {
                    if (served.isCompletedExceptionally()) {
                        served.join(); // the server's failure explains it
                    }
                    throw e;
                }
                cli.stdin().close();
                assertTrue(served.get(10, TimeUnit.SECONDS).startsWith("X509_V_OK CN=ffsock test client"));
            }
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"openssl", "jdk"})
    @DisplayName("curl -> ffsock acceptSSL: an HTTPS response, verified by curl against the test CA, TLS 1.3 and 1.2")
    void curlAgainstAcceptSsl(String engine) throws Exception {
        Assumptions.assumeTrue(ToolProcess.have("curl"), "curl is not installed (.ci/run installs it)");
        for (String version : new String[] {"--tlsv1.3", "--tls-max"}) {
            try (Socket s = TlsLoopback.server(certs, engine, "127.0.0.1:0")) {
                CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                    try (Socket a = s.acceptSSL(10_000)) {
                        assertNotNull(a, "curl did not connect");
                        StringBuilder head = new StringBuilder();
                        while (!head.toString().endsWith("\r\n\r\n")) {
                            head.append((char) a.recvu1(5000));
                        }
                        a.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n"
                                + "Connection: close\r\n\r\nhello over TLS\n");
                        return head.toString().lines().findFirst().orElse("") + " " + a.getSSLCipherVersion();
                    } catch (SocketException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert", "ca.crt"));
                if (version.equals("--tls-max")) {
                    cmd.addAll(List.of("--tls-max", "1.2"));
                } else {
                    cmd.add("--tlsv1.3");
                }
                cmd.add("https://127.0.0.1:" + s.getSocketInfo(false).port() + "/hello");
                try (ToolProcess curl = ToolProcess.start(certs.dir, cmd)) {
                    int rc = curl.waitFor(15_000);
                    assertEquals(0, rc, curl::output);
                    assertEquals("hello over TLS\n", curl.output());
                }
                assertEquals("GET /hello HTTP/1.1 " + (version.equals("--tls-max") ? "TLSv1.2" : "TLSv1.3"),
                        served.get(10, TimeUnit.SECONDS));
            }
        }
    }
}
