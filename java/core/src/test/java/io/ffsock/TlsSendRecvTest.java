package io.ffsock;

import io.ffsock.internal.sys.Errno;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ffsock.Loopback.expect;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every send/recv case of {@link SendRecvTest} (C32 to C51) again, over TLS: the PAIR is an ffsock TLS pair, and
 * the RAW peers are the JDK's {@link SSLSocket} and {@link SSLServerSocket}, which read and write exact plaintext.
 * Timeouts, partial data on SOCKET-CLOSED, the integer readers and every buffer must behave exactly as on a plain
 * socket. Two cases differ by contract: C50 (a send to a peer that went away is SOCKET-SSL-ERROR over TLS) and C42
 * (a reset must come below TLS, without a close_notify first).
 */
class TlsSendRecvTest extends SendRecvTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    /** The engine both ends run on; ffsock-tls's subclass runs OpenSSL. */
    String engine() {
        return "jdk";
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(TestCerts.haveOpenssl(), "the openssl command is needed to make test certificates");
        certs = TestCerts.create(dir);
    }

    @Override
    Loopback.Pair pair() throws Exception {
        return TlsLoopback.pair(certs, engine(), engine());
    }

    @Override
    Loopback.RawPair rawPair() throws Exception {
        SSLServerSocket ss = (SSLServerSocket) JdkPeers.server(certs).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Socket s = TlsLoopback.client(certs, engine());
        try {
            CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
                try {
                    s.connectSSL("localhost:" + ss.getLocalPort(), 5000);
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, TlsLoopback.PEERS);
            ss.setSoTimeout(5000);
            SSLSocket raw = (SSLSocket) ss.accept();
            raw.setSoTimeout(2000);
            raw.setTcpNoDelay(true);
            raw.startHandshake();
            c.get(5, TimeUnit.SECONDS);
            return new Loopback.RawPair(s, raw, ss);
        } catch (Throwable t) {
            s.close();
            ss.close();
            throw t;
        }
    }

    @Override
    Loopback.RawClient rawClient() throws Exception {
        Socket s = TlsLoopback.server(certs, engine(), "127.0.0.1:0");
        SSLSocket raw = null;
        try {
            raw = (SSLSocket) JdkPeers.trustingCa(certs).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), s.getSocketInfo(false).port());
            raw.setSoTimeout(2000);
            raw.setTcpNoDelay(true);
            SSLSocket r = raw;
            CompletableFuture<Void> hs = CompletableFuture.runAsync(() -> {
                try {
                    r.startHandshake();
                } catch (java.io.IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, TlsLoopback.PEERS);
            Socket a = s.acceptSSL(5000);
            assertNotNull(a, "acceptSSL timed out");
            hs.get(5, TimeUnit.SECONDS);
            return new Loopback.RawClient(s, a, raw);
        } catch (Throwable t) {
            if (raw != null) {
                raw.close();
            }
            s.close();
            throw t;
        }
    }

    @Override
    @Test
    @DisplayName("C50 (TLS) sending after the peer went away: SOCKET-SSL-ERROR naming Socket::send(), then closed")
    void c50_sendAfterPeerClosed() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().close();
            Socket a = p.accepted();
            byte[] chunk = new byte[1024];
            SocketException e = null;
            for (int i = 0; i < 200 && e == null; i++) {
                try {
                    assertEquals(0, a.send(chunk, 200));
                    Thread.sleep(5);
                } catch (SocketException x) {
                    e = x;
                }
            }
            assertNotNull(e, "send never failed after the peer closed");
            SocketException err = e;
            assertEquals(SocketError.SSL_ERROR, err.error(), err::toString);
            assertTrue(err.errno() == Errno.EPIPE || err.errno() == Errno.ECONNRESET, err::toString);
            assertTrue(err.getMessage().startsWith("Socket::send(): error while sending TLS data: "), err::getMessage);
            assertFalse(a.isOpen());
            expect(SocketError.NOT_OPEN, "Socket::send", () -> a.send(chunk));
        }
    }

    @Override
    @Test
    @DisplayName("C42 (TLS) a reset under the TLS session while receiving: SOCKET-CLOSED with ECONNRESET, closed;"
            + " bytes that arrived before are kept")
    void c42_resetWhileReceiving() throws Exception {
        for (int withData = 0; withData < 2; withData++) {
            try (Socket s = TlsLoopback.server(certs, engine(), "127.0.0.1:0");
                 java.net.Socket plain = new java.net.Socket()) {
                plain.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                        s.getSocketInfo(false).port()), 2000);
                SSLSocket tls = (SSLSocket) JdkPeers.trustingCa(certs).getSocketFactory().createSocket(plain,
                        "localhost", plain.getPort(), false);
                CompletableFuture<Void> hs = CompletableFuture.runAsync(() -> {
                    try {
                        tls.startHandshake();
                    } catch (java.io.IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, TlsLoopback.PEERS);
                try (Socket a = s.acceptSSL(5000)) {
                    hs.get(5, TimeUnit.SECONDS);
                    if (withData == 1) {
                        tls.getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
                        assertTrue(a.isDataAvailable(2000));
                    }
                    plain.setSoLinger(true, 0);
                    plain.close(); // the TCP connection is reset under TLS: no close_notify
                    SocketException e = expect(SocketError.CLOSED, "Socket::recv", () -> a.recv(10, 2000));
                    assertTrue(e.getMessage().startsWith("error in Socket::recv(): remote end closed the connection"),
                            e::getMessage);
                    assertEquals(Errno.ECONNRESET, e.errno());
                    assertArrayEquals(withData == 1 ? "ab".getBytes(StandardCharsets.US_ASCII) : new byte[0],
                            e.partialData());
                    assertFalse(a.isOpen());
                }
            }
        }
    }
}
