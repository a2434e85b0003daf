package io.ffsock.cli;

import io.ffsock.Socket;
import io.ffsock.SocketException;
import io.ffsock.tls.TlsEngines;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS part of the demo: a throw-away certificate for localhost made with the JDK's own {@code keytool} (no
 * private key is kept anywhere: it lives in a temporary directory for the demo's run), then, on every TLS engine
 * present ({@code openssl} from ffsock-tls, and the JDK's), an {@code acceptSSL} echo server and a
 * {@code connectSSL} client that verifies it against that certificate.
 */
final class TlsDemo {
    private static final char[] PASS = "ffsock-demo".toCharArray();
    private final PrintStream out;

    TlsDemo(PrintStream out) {
        this.out = out;
    }

    void run(Path dir) throws Exception {
        out.println();
        out.println("== TLS (engines here: " + TlsEngines.available() + ", default " + TlsEngines.defaultEngine().name()
                + ")");
        Path ks = dir.resolve("demo.p12");
        Path pem = dir.resolve("demo.crt");
        try {
            keytool("-genkeypair", "-alias", "demo", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "1", "-storetype",
                    "PKCS12", "-keystore", ks.toString(), "-storepass", new String(PASS));
            keytool("-exportcert", "-rfc", "-alias", "demo", "-keystore", ks.toString(), "-storepass",
                    new String(PASS), "-file", pem.toString());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(ks.toFile())) {
                store.load(in, PASS);
            }
            PrivateKey key = (PrivateKey) store.getKey("demo", PASS);
            X509Certificate cert = (X509Certificate) store.getCertificate("demo");
            for (String engine : TlsEngines.available()) {
                echo(engine, key, cert, pem);
            }
        } finally {
            Files.deleteIfExists(ks);
            Files.deleteIfExists(pem);
        }
    }

    private void echo(String engine, PrivateKey key, X509Certificate cert, Path trusted) throws Exception {
        try (Socket listener = new Socket()) {
            if (listener.bind("127.0.0.1:0", true) != 0 || listener.listen() != 0) {
                throw new IllegalStateException("bind/listen failed: errno " + Socket.errno());
            }
            listener.setCertificate(cert);
            listener.setPrivateKey(key);
            listener.setTlsEngine(engine);
            int port = listener.getSocketInfo(false).port();
            Thread server = new Thread(() -> serve(listener), "ffsock-tls-echo");
            server.setDaemon(true);
            server.start();
            try (Socket client = new Socket()) {
                client.setTlsEngine(engine);
                client.setSslCertificates(trusted.toString()); // LiveCode's sslCertificates: trust this CA file
                client.connectSSL("localhost:" + port, 5_000);
                out.println("connectSSL(\"localhost:" + port + "\") on the " + engine + " engine");
                out.println("  " + client.getSSLCipherVersion() + " " + client.getSSLCipherName()
                        + ", verifyPeerCertificate(): " + client.verifyPeerCertificate());
                String msg = "hello over TLS (" + engine + ")";
                client.send(msg);
                out.println("  send/recv:  \"" + client.recv(msg.length(), 5_000) + "\"");
            }
            server.join(5_000);
        }
        // verification is on by default: an unknown certificate is refused, with the reason
        try (Socket listener = new Socket(); Socket client = new Socket()) {
            listener.bind("127.0.0.1:0", true);
            listener.listen();
            listener.setCertificate(cert);
            listener.setPrivateKey(key);
            Thread server = new Thread(() -> {
                try (Socket a = listener.acceptSSL(5_000)) {
                    // the client refuses us
                } catch (SocketException e) {
                    // expected
                }
            }, "ffsock-tls-refused");
            server.setDaemon(true);
            server.start();
            client.setTlsEngine(engine);
            try {
                client.connectSSL("localhost:" + listener.getSocketInfo(false).port(), 5_000);
                out.println("  untrusted:  connected?");
            } catch (SocketException e) {
                String m = e.getMessage();
                int at = m.indexOf("X509_V_");
                out.println("  untrusted:  " + e.error().code() + ": " + (at >= 0 ? m.substring(at, m.indexOf(')',
                        at) + 1) : m));
            }
            server.join(5_000);
        }
    }

    private static void serve(Socket listener) {
        try (Arena arena = Arena.ofConfined(); Socket c = listener.acceptSSL(10_000)) {
            if (c == null) {
                return;
            }
            MemorySegment buf = arena.allocate(64 * 1024);
            for (;;) {
                long n = c.read(buf);
                if (n < 0) {
                    return;
                }
                c.write(buf.asSlice(0, n));
            }
        } catch (SocketException e) {
            // the client went away: the echo is over
        }
    }

    /** Runs the JDK's keytool (always there, unlike openssl). */
    static void keytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(keytool.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + text);
        }
    }
}
