package io.ffsock.loop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A TLS echo server made of the JDK's own {@code SSLServerSocket} (an independent peer), with a certificate made at
 * test time by {@code openssl} for {@code localhost} only (no IP address in it), self-signed, so it is trusted only
 * when its PEM file is given as a CA. Nothing is committed: every key is made in a temporary folder.
 */
final class TlsPeer implements AutoCloseable {
    final Path certPem;
    final Path keyPem;
    final Path clientCertPem;
    final Path clientKeyPem;
    private final SSLServerSocket server;
    private final Thread thread;

    /** Makes a key and self-signed certificate: {@code openssl req -x509}. */
    static void makeCertificate(Path dir, String name, String cn, String san) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve(name + ".key").toString(), "-out",
                dir.resolve(name + ".pem").toString(), "-subj", "/CN=" + cn, "-days", "2"));
        if (san != null) {
            cmd.addAll(List.of("-addext", "subjectAltName=" + san));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl req failed: " + out);
        }
    }

    static void assumeOpenssl() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        assumeTrue(ok, "skipped: the openssl command is not installed (it makes the test certificates)");
    }

    /** Starts an echo server on 127.0.0.1; {@code needClientAuth} demands the client certificate made here. */
    TlsPeer(Path dir, boolean needClientAuth) throws Exception {
        makeCertificate(dir, "server", "localhost", "DNS:localhost");
        makeCertificate(dir, "client", "ffsock test client", null);
        certPem = dir.resolve("server.pem");
        keyPem = dir.resolve("server.key");
        clientCertPem = dir.resolve("client.pem");
        clientKeyPem = dir.resolve("client.key");

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        List<X509Certificate> chain = TlsOptions.parseCertificates(Files.readString(certPem), "server cert");
        ks.setKeyEntry("server", TlsOptions.parsePrivateKey(Files.readString(keyPem)), new char[0],
                chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client", TlsOptions.parseCertificates(Files.readString(clientCertPem),
                "client cert").get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getByName("127.0.0.1"));
        server.setNeedClientAuth(needClientAuth);
        thread = new Thread(this::serve, "tls-peer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                Thread t = new Thread(() -> echo(s), "tls-peer-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(SSLSocket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[16384];
            int n;
            while ((n = in.read(b)) > 0) {
                out.write(b, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // a client that failed verification hangs up mid-handshake: expected in some tests
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
