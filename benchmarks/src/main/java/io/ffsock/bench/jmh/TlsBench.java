package io.ffsock.bench.jmh;

import io.ffsock.Socket;
import io.ffsock.SocketException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS 1.3 (TLS_AES_128_GCM_SHA256 for all) over TCP loopback, three contenders in one run: ffsock on the OpenSSL engine (ffsock-tls, BoringSSL),
 * ffsock on the JDK engine, and the JDK's own {@link SSLSocket}. {@code bulk} writes one 64 KiB record per
 * operation to a server thread that reads and drops them (ops/s × 64 KiB = bytes/s); {@code handshake} connects,
 * runs the handshake, exchanges one byte and closes, with the server's and client's contexts reused as a
 * long-running client and server would. The certificate (EC P-256, localhost) is made with keytool per trial.
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 TlsBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class TlsBench {
    static final int RECORD = 64 * 1024;
    /** The suite BoringSSL picks first (it cannot be told another for TLS 1.3); the JDK contenders are set to it. */
    static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final char[] PASS = "ffsock-jmh".toCharArray();

    /** {@code openssl} or {@code jdk}: ffsock on that engine; {@code sslsocket}: the JDK's SSLSocket. */
    @Param({"openssl", "jdk", "sslsocket"})
    public String contender;

    private Path dir;
    private Side side;
    /** Whether this trial runs {@code bulk} (the server drains) or {@code handshake} (the server echoes a byte). */
    private boolean bulk;
    private Arena arena;
    private MemorySegment record;
    private byte[] recordBytes;

    /** One contender's client and server. */
    private interface Side {
        void bulk(long bytes) throws IOException;

        void handshake() throws IOException;

        /** Starts the server thread (and, for bulk, the client's connection) for one iteration. */
        void start(boolean bulk) throws IOException;

        /** Ends the iteration's connection and server thread. */
        void stop() throws IOException;

        /** Closes the listener. */
        void destroy() throws IOException;
    }

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws Exception {
        bulk = params.getBenchmark().endsWith(".bulk");
        dir = Files.createTempDirectory("ffsock-tls-jmh");
        Path ks = dir.resolve("k.p12");
        keytool("-genkeypair", "-alias", "b", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "1", "-storetype", "PKCS12", "-keystore",
                ks.toString(), "-storepass", new String(PASS));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(ks.toFile())) {
            store.load(in, PASS);
        }
        Files.delete(ks);
        arena = Arena.ofShared();
        record = arena.allocate(RECORD);
        recordBytes = new byte[RECORD];
        side = contender.equals("sslsocket") ? new Jdk(store) : new Ffsock(contender, store, dir);
    }

    @Setup(Level.Iteration)
    public void start() throws IOException {
        side.start(bulk);
    }

    @Benchmark
    public void bulk() throws IOException {
        side.bulk(RECORD);
    }

    @Benchmark
    public void handshake() throws IOException {
        side.handshake();
    }

    @TearDown(Level.Iteration)
    public void stop() throws IOException {
        side.stop();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        side.destroy();
        arena.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    /** ffsock on one engine, both ends; a server thread drains or serves handshakes. */
    private final class Ffsock implements Side {
        private final Socket listener = new Socket();
        private final Socket client = new Socket();
        private final int port;
        private Thread server;
        private volatile boolean stop;

        Ffsock(String engine, KeyStore store, Path dir) throws Exception {
            X509Certificate cert = (X509Certificate) store.getCertificate("b");
            if (listener.bind("127.0.0.1:0", true) != 0 || listener.listen() != 0) {
                throw new IOException("bind/listen failed: errno " + Socket.errno());
            }
            listener.setCertificate(cert);
            listener.setPrivateKey((PrivateKey) store.getKey("b", PASS));
            listener.setTlsEngine(engine);
            port = listener.getSocketInfo(false).port();
            Path pem = dir.resolve("c.pem");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(
                    cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
            client.setTlsEngine(engine);
            client.setSslCertificates(pem.toString());
            if (!engine.equals("openssl")) {
                client.setCipherList(SUITE);
            }
        }

        private void connect() throws SocketException {
            client.connect("127.0.0.1:" + port, 10_000);
            client.setNoDelay(true);
            client.upgradeClientToSSL(10_000);
        }

        @Override
        public void start(boolean bulk) throws IOException {
            stop = false;
            server = new Thread(() -> serve(bulk), "tls-jmh-server");
            server.setDaemon(true);
            server.start();
            if (bulk) {
                connect();
            }
        }

        /** Accepts connections: drains each until it closes (bulk), or echoes one byte (handshake). */
        private void serve(boolean bulk) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(RECORD);
                while (!stop) {
                    Socket s = listener.accept(200);
                    if (s == null) {
                        continue;
                    }
                    try (s) {
                        s.setNoDelay(true);
                        s.upgradeServerToSSL(10_000);
                        if (bulk) {
                            while (s.read(buf) > 0) {
                                // drop it
                            }
                        } else {
                            s.sendi1(s.recvi1(10_000));
                        }
                    } catch (SocketException e) {
                        // the client closed
                    }
                }
            } catch (SocketException e) {
                // the listener closed
            }
        }

        @Override
        public void bulk(long bytes) throws IOException {
            client.write(record);
        }

        @Override
        public void handshake() throws IOException {
            client.close();
            connect();
            client.sendi1(7);
            client.recvi1(10_000);
        }

        @Override
        public void stop() {
            stop = true;
            client.close();
            if (server != null) {
                try {
                    server.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                server = null;
            }
        }

        @Override
        public void destroy() {
            stop();
            listener.close();
        }
    }

    /** The JDK's SSLSocket and SSLServerSocket. */
    private final class Jdk implements Side {
        private final SSLServerSocket listener;
        private final SSLContext clientCtx;
        private SSLSocket client;
        private Thread server;
        private volatile boolean stop;

        Jdk(KeyStore store) throws Exception {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASS);
            SSLContext serverCtx = SSLContext.getInstance("TLSv1.3");
            serverCtx.init(kmf.getKeyManagers(), null, null);
            listener = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            listener.setSoTimeout(200);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("b", store.getCertificate("b"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            clientCtx = SSLContext.getInstance("TLSv1.3");
            clientCtx.init(null, tmf.getTrustManagers(), null);
        }

        private void connect() throws IOException {
            client = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort());
            client.setTcpNoDelay(true);
            client.setEnabledCipherSuites(new String[] {SUITE});
            javax.net.ssl.SSLParameters p = client.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            client.setSSLParameters(p);
            client.startHandshake();
        }

        @Override
        public void start(boolean bulk) throws IOException {
            stop = false;
            server = new Thread(() -> {
                byte[] buf = new byte[RECORD];
                while (!stop) {
                    try (java.net.Socket s = listener.accept()) {
                        s.setTcpNoDelay(true);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        if (bulk) {
                            while (in.read(buf) > 0) {
                                // drop it
                            }
                        } else {
                            out.write(in.read());
                            out.flush();
                        }
                    } catch (IOException e) {
                        // timeout or the client closed
                    }
                }
            }, "tls-jmh-server");
            server.setDaemon(true);
            server.start();
            if (bulk) {
                connect();
            }
        }

        @Override
        public void bulk(long bytes) throws IOException {
            client.getOutputStream().write(recordBytes);
        }

        @Override
        public void handshake() throws IOException {
            if (client != null) {
                client.close();
            }
            connect();
            client.getOutputStream().write(7);
            client.getOutputStream().flush();
            client.getInputStream().read();
        }

        @Override
        public void stop() throws IOException {
            stop = true;
            if (client != null) {
                client.close();
                client = null;
            }
            if (server != null) {
                try {
                    server.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                server = null;
            }
        }

        @Override
        public void destroy() throws IOException {
            stop();
            listener.close();
        }
    }
}
