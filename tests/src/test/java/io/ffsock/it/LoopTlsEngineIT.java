package io.ffsock.it;

import io.ffsock.TestCerts;
import io.ffsock.loop.EventLoop;
import io.ffsock.loop.TcpSocket;
import io.ffsock.loop.TlsOptions;
import io.ffsock.tls.TlsConfig;
import io.ffsock.tls.TlsContext;
import io.ffsock.tls.TlsEngineProvider;
import io.ffsock.tls.TlsEngines;
import io.ffsock.tls.openssl.OpenSslEngineProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLEngine;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The event loop's TLS client on the default engine, which with {@code ffsock-tls} on the class path is OpenSSL,
 * against {@code openssl s_server}: verification as {@code Socket} does it (CA file, host name, verification for
 * another host, client certificate), and every engine given back when its connection ends, whether it ends by
 * disconnect, abort or a failed handshake. The OpenSSL provider is wrapped to count the engines it makes and
 * releases; a leak or an engine other than OpenSSL's fails the test.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class LoopTlsEngineIT {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static final Counting COUNTING = new Counting(new OpenSslEngineProvider());

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "openssl is not installed (.ci/run installs it)");
        assertTrue(new OpenSslEngineProvider().isAvailable(), "BoringSSL must load here");
        certs = TestCerts.create(dir);
        TlsEngines.register(COUNTING); // replaces the "openssl" engine found by ServiceLoader
    }

    @AfterAll
    static void tearDown() {
        TlsEngines.register(new OpenSslEngineProvider());
    }

    @BeforeEach
    void reset() {
        COUNTING.made.set(0);
        COUNTING.released.set(0);
        COUNTING.classes.clear();
    }

    /** A TcpSocket on {@code loop} whose events land in {@code ev}. */
    private static TcpSocket socket(EventLoop loop, BlockingQueue<String> ev) {
        TcpSocket s = new TcpSocket(loop);
        s.onConnected(x -> ev.add("connected"));
        s.onDisconnected(x -> ev.add("disconnected"));
        s.onError((x, e) -> ev.add("error " + e));
        s.onReadyRead(x -> {
            while (x.canReadLine()) {
                ev.add("line " + x.readLine(StandardCharsets.UTF_8).strip());
            }
        });
        return s;
    }

    private static String next(BlockingQueue<String> ev) throws InterruptedException {
        String e = ev.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 10 s");
        return e;
    }

    private static ToolProcess sServer(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-cert", "server.crt", "-key",
                "server.key", "-rev", "-naccept", "1", "-accept", "127.0.0.1:0"));
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

    /** Every engine made was OpenSSL's and has been released (the loop releases it as it tears down). */
    private static void allReleased(int made) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (COUNTING.released.get() < made && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(made, COUNTING.made.get(), "engines made");
        assertEquals(made, COUNTING.released.get(), "engines released");
        for (String c : COUNTING.classes) {
            assertTrue(c.contains("OpenSsl"), c);
        }
    }

    @Test
    void verifiedAgainstTheCaFileAndTheHostNameOnOpenSsl() throws Exception {
        assertEquals("openssl", TlsOptions.withVerification().engineName());
        BlockingQueue<String> ev = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop(); ToolProcess srv = sServer()) {
            TcpSocket s = socket(loop, ev);
            s.setTls(TlsOptions.withVerification().withCaCertificates(certs.path("ca.crt").toString()));
            s.connect("localhost", port(srv));
            assertEquals("connected", next(ev));
            assertTrue(s.isEncrypted());
            s.write("hello loop\n");
            assertEquals("line pool olleh", next(ev));
            s.disconnect();
            assertEquals("disconnected", next(ev));
            allReleased(1);
        }
        try (ToolProcess srv = sServer()) {
            EventLoop loop = new EventLoop();
            try {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withVerification().withCaCertificates(certs.path("ca.crt").toString()));
                s.connect("127.0.0.1", port(srv));
                assertEquals("connected", next(ev));
                assertEquals(1, COUNTING.released.get(), "released while in use");
            } finally {
                loop.close(); // with the connection still up
            }
            allReleased(2);
        }
    }

    @Test
    void untrustedOrWrongHostFailsTheHandshakeAndReleasesTheEngine() throws Exception {
        BlockingQueue<String> ev = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop()) {
            try (ToolProcess srv = sServer()) {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withVerification()); // the system store does not hold the test CA
                s.connect("127.0.0.1", port(srv));
                assertEquals("error SSL_HANDSHAKE_FAILED", next(ev));
                assertTrue(s.errorString().contains("X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
                        s.errorString());
            }
            try (ToolProcess srv = sServer()) {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withVerificationForHost("other.test")
                        .withCaCertificates(certs.path("ca.crt").toString()));
                s.connect("127.0.0.1", port(srv));
                assertEquals("error SSL_HANDSHAKE_FAILED", next(ev));
                assertTrue(s.errorString().contains("X509_V_ERR_HOSTNAME_MISMATCH"), s.errorString());
            }
            try (ToolProcess srv = sServer()) {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withoutVerification()); // the same untrusted server is accepted
                s.connect("127.0.0.1", port(srv));
                assertEquals("connected", next(ev));
                s.abort();
            }
            allReleased(3);
        }
    }

    @Test
    void verificationForAnotherHostAndAClientCertificate() throws Exception {
        BlockingQueue<String> ev = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop()) {
            String[] sni = {"-servername", "proxy.test", "-cert2", "proxy.crt", "-key2", "server.key"};
            try (ToolProcess srv = sServer(sni)) {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withVerificationForHost("proxy.test")
                        .withCaCertificates(certs.path("ca.crt").toString()));
                s.connect("127.0.0.1", port(srv));
                assertEquals("connected", next(ev));
                s.write("via a tunnel\n");
                assertEquals("line lennut a aiv", next(ev));
                s.disconnect();
                assertEquals("disconnected", next(ev));
            }
            try (ToolProcess srv = sServer("-Verify", "1", "-CAfile", "ca.crt", "-verify_return_error")) {
                TcpSocket s = socket(loop, ev);
                s.setTls(TlsOptions.withVerification().withCaCertificates(certs.dir.toString())
                        .withCertificateAndKey(certs.read("client.crt"), certs.read("client.key")));
                s.connect("localhost", port(srv));
                assertEquals("connected", next(ev));
                s.write("it is me\n");
                assertEquals("line em si ti", next(ev));
                srv.await("^Peer certificate: CN = ffsock test client", 5000);
                s.disconnect();
                assertEquals("disconnected", next(ev));
            }
            allReleased(2);
        }
    }

    /** The OpenSSL engine, counting the engines its contexts make and release. */
    static final class Counting implements TlsEngineProvider {
        final TlsEngineProvider inner;
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final List<String> classes = new CopyOnWriteArrayList<>();

        Counting(TlsEngineProvider inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int priority() {
            return inner.priority();
        }

        @Override
        public boolean isAvailable() {
            return inner.isAvailable();
        }

        @Override
        public TlsContext newContext(TlsConfig config) throws GeneralSecurityException {
            TlsContext c = inner.newContext(config);
            return new TlsContext() {
                @Override
                public SSLEngine newEngine(String peerHost, int peerPort) {
                    SSLEngine e = c.newEngine(peerHost, peerPort);
                    made.incrementAndGet();
                    classes.add(e.getClass().getName());
                    return e;
                }

                @Override
                public boolean prefersDirectBuffers() {
                    return c.prefersDirectBuffers();
                }

                @Override
                public void release(SSLEngine engine) {
                    released.incrementAndGet();
                    c.release(engine);
                }

                @Override
                public void close() {
                    c.close();
                }
            };
        }
    }
}
