package io.ffsock;

import io.ffsock.tls.JdkTlsEngineProvider;
import io.ffsock.tls.TlsEngines;
import io.ffsock.tls.openssl.OpenSslEngineProvider;
import io.netty.util.ReferenceCounted;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static org.junit.jupiter.api.Assertions.*;

/**
 * ffsock client against ffsock server on both engines, all four combinations; which engine is the default and how
 * to choose another; and that closing a socket gives the OpenSSL engine's native memory back.
 */
@Timeout(30)
class EngineMatrixTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "the openssl command is needed to make test certificates");
        certs = TestCerts.create(dir);
    }

    @ParameterizedTest(name = "client {0}, server {1}, max {2}")
    @CsvSource({"openssl, openssl, TLSv1.3", "openssl, jdk, TLSv1.3", "jdk, openssl, TLSv1.3", "jdk, jdk, TLSv1.3",
            "openssl, openssl, TLSv1.2", "openssl, jdk, TLSv1.2", "jdk, openssl, TLSv1.2", "jdk, jdk, TLSv1.2"})
    @DisplayName("ffsock <-> ffsock on every engine pair: 1 MiB both ways, same cipher and version on both ends")
    void matrix(String clientEngine, String serverEngine, String max) throws Exception {
        byte[] data = Loopback.randomBytes(1 << 20, clientEngine.length() * 31 + serverEngine.length());
        try (Socket s = TlsLoopback.server(certs, serverEngine, "127.0.0.1:0");
             Socket c = TlsLoopback.client(certs, clientEngine)) {
            c.setTlsVersions(null, max);
            try (Socket a = TlsLoopback.handshake(s, c, "127.0.0.1:" + s.getSocketInfo(false).port())) {
                assertEquals(clientEngine, c.getTlsEngine());
                assertEquals(serverEngine, a.getTlsEngine());
                assertEquals(max, c.getSSLCipherVersion());
                assertEquals(max, a.getSSLCipherVersion());
                assertEquals(c.getSSLCipherName(), a.getSSLCipherName());
                assertEquals("X509_V_OK", c.verifyPeerCertificate());
                CompletableFuture<Void> f = later(0, () -> c.send(data));
                assertArrayEquals(data, a.recvBinary(data.length, 5000));
                join(f);
                f = later(0, () -> a.send(data));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                while (got.size() < data.length) {
                    got.writeBytes(c.recvBinary(0, 5000));
                }
                assertArrayEquals(data, got.toByteArray());
                join(f);
                c.sendi8(-2);
                assertEquals(-2, a.recvi8(2000));
            }
        }
    }

    @Test
    @DisplayName("with ffsock-tls on the class path OpenSSL is the default; the system property and the API choose")
    void defaultAndSelection() {
        assertTrue(new OpenSslEngineProvider().isAvailable(), () -> "BoringSSL did not load: "
                + new OpenSslEngineProvider().unavailableReason());
        assertEquals(java.util.List.of("openssl", "jdk"), TlsEngines.available().subList(0, 2));
        String saved = System.getProperty(TlsEngines.PROPERTY);
        try (Socket s = new Socket()) {
            System.clearProperty(TlsEngines.PROPERTY);
            assertEquals("openssl", TlsEngines.defaultEngine().name());
            assertEquals("openssl", s.getTlsEngine());
            System.setProperty(TlsEngines.PROPERTY, "jdk");
            assertEquals(JdkTlsEngineProvider.NAME, s.getTlsEngine());
            TlsEngines.setDefault("openssl"); // the API wins over the property
            assertEquals("openssl", s.getTlsEngine());
            s.setTlsEngine("jdk"); // and the socket's own choice over both
            assertEquals("jdk", s.getTlsEngine());
            System.setProperty(TlsEngines.PROPERTY, "nonsense");
            TlsEngines.setDefault(null);
            s.setTlsEngine(null);
            assertThrows(IllegalArgumentException.class, s::getTlsEngine);
        } finally {
            TlsEngines.setDefault(null);
            if (saved == null) {
                System.clearProperty(TlsEngines.PROPERTY);
            } else {
                System.setProperty(TlsEngines.PROPERTY, saved);
            }
        }
    }

    @Test
    @DisplayName("closing gives the OpenSSL engine back (refCnt 0) and frees the session's native buffers, also after"
            + " a failed handshake")
    void nativeMemoryIsReleased() throws Exception {
        try (Socket s = TlsLoopback.server(certs, "openssl", "127.0.0.1:0");
             Socket c = TlsLoopback.client(certs, "openssl")) {
            Socket a = TlsLoopback.handshake(s, c, "127.0.0.1:" + s.getSocketInfo(false).port());
            TlsConnection tc = (TlsConnection) session(c);
            TlsConnection ta = (TlsConnection) session(a);
            assertEquals(1, ((ReferenceCounted) tc.engine).refCnt());
            c.close();
            a.close();
            assertTrue(tc.isClosed() && ta.isClosed(), "the sessions were not freed at close");
            assertEquals(0, ((ReferenceCounted) tc.engine).refCnt());
            assertEquals(0, ((ReferenceCounted) ta.engine).refCnt());
        }
        // every engine made is given back, whatever happens to the handshake: count them through a wrapper
        Counting counting = new Counting(new OpenSslEngineProvider());
        TlsEngines.register(counting);
        try {
            for (String server : new String[] {"server.crt", "expired.crt"}) {
                try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = TlsLoopback.client(certs, "counting")) {
                    s.setCertificate(certs.read(server));
                    s.setPrivateKey(certs.read("server.key"));
                    s.setTlsEngine("counting");
                    String dest = "127.0.0.1:" + s.getSocketInfo(false).port();
                    if (server.equals("server.crt")) {
                        TlsLoopback.handshake(s, c, dest).close();
                    } else {
                        assertEquals(SocketError.SSL_ERROR, TlsLoopback.clientFailure(s, c, dest).error());
                    }
                }
                // and a client whose server is not TLS at all
                try (java.net.ServerSocket plain = Loopback.rawListener(); Socket c = TlsLoopback.client(certs,
                        "counting")) {
                    CompletableFuture<Void> f = later(0, () -> plain.accept().close());
                    assertThrows(SocketException.class, () -> c.connectSSL("127.0.0.1:" + plain.getLocalPort(), 2000));
                    join(f);
                }
            }
            assertTrue(counting.made > 0);
            assertEquals(counting.made, counting.released, "engines made and engines given back");
        } finally {
            TlsEngines.register(new OpenSslEngineProvider());
        }
    }

    /** An engine that counts the engines its context makes and the ones given back. */
    static final class Counting implements io.ffsock.tls.TlsEngineProvider {
        final io.ffsock.tls.TlsEngineProvider inner;
        volatile int made;
        volatile int released;

        Counting(io.ffsock.tls.TlsEngineProvider inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public int priority() {
            return -1;
        }

        @Override
        public boolean isAvailable() {
            return inner.isAvailable();
        }

        @Override
        public io.ffsock.tls.TlsContext newContext(io.ffsock.tls.TlsConfig config)
                throws java.security.GeneralSecurityException {
            io.ffsock.tls.TlsContext ctx = inner.newContext(config);
            return new io.ffsock.tls.TlsContext() {
                @Override
                public javax.net.ssl.SSLEngine newEngine(String peerHost, int peerPort) {
                    synchronized (Counting.this) {
                        made++;
                    }
                    return ctx.newEngine(peerHost, peerPort);
                }

                @Override
                public boolean prefersDirectBuffers() {
                    return ctx.prefersDirectBuffers();
                }

                @Override
                public void release(javax.net.ssl.SSLEngine engine) {
                    synchronized (Counting.this) {
                        released++;
                    }
                    ctx.release(engine);
                }

                @Override
                public void close() {
                    ctx.close();
                }
            };
        }
    }

    private static AutoCloseable session(Socket s) throws Exception {
        java.lang.reflect.Field f = Socket.class.getDeclaredField("conn");
        f.setAccessible(true);
        Object conn = f.get(s);
        java.lang.reflect.Field fd = conn.getClass().getDeclaredField("fd");
        fd.setAccessible(true);
        return ((io.ffsock.internal.sys.SocketFd) fd.get(conn)).attachment();
    }
}
