package io.ffsock.cli;

import io.ffsock.Socket;
import io.ffsock.SocketException;
import io.ffsock.tls.TlsEngines;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tls-bench} verb: TLS throughput and handshake rate, measured in one run for the OpenSSL engine over
 * ffsock, the JDK engine over ffsock, and the JDK's own {@link SSLSocket}, all on TCP loopback with TLS 1.3,
 * TLS_AES_128_GCM_SHA256 and the same certificate (EC P-256, made with keytool for the run); and plain ffsock TCP as
 * the ceiling. Besides MB/s it reports the CPU time both threads spent per MB, which load from other processes on
 * the machine does not change.
 * <ul>
 *   <li><b>bulk</b>: the client writes 64 KiB records (ffsock: one native segment, {@code write}; SSLSocket: one
 *       byte array) and the server reads them into a 64 KiB buffer until the total has arrived, then answers one
 *       byte; MB/s is the total over the time to that answer. Batches alternate between the contenders, after a
 *       warm-up batch each, and the median is reported.</li>
 *   <li><b>handshakes</b>: connect, TCP_NODELAY, TLS handshake, one byte each way, close, in a loop for a fixed
 *       time, with
 *       the listener's and the client's context reused (as a long-running client and server would); each stack's
 *       default session resumption applies to all three alike.</li>
 * </ul>
 * The machine is shared and has 2 cores: run it a few times and read the ratios, not the absolute numbers.
 */
final class TlsBench {
    private static final int RECORD = 64 * 1024;
    /** Every contender runs this suite, so that the comparison is of implementations, not of ciphers. */
    private static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final char[] PASS = "ffsock-bench".toCharArray();

    private final PrintStream out;
    private long bulkBytes = 256L << 20;
    private int batches = 5;
    private long handshakeMillis = 2000;
    /** Only the contenders whose name contains this (for profiling one), or null for all. */
    private String only;

    TlsBench(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--mib" -> bulkBytes = Long.parseLong(args[i + 1]) << 20;
                case "--batches" -> batches = Integer.parseInt(args[i + 1]);
                case "--handshake-ms" -> handshakeMillis = Long.parseLong(args[i + 1]);
                case "--only" -> only = args[i + 1];
                default -> { }
            }
        }
        Path dir = Files.createTempDirectory("ffsock-tls-bench");
        try {
            Path ks = dir.resolve("bench.p12");
            TlsDemo.keytool("-genkeypair", "-alias", "bench", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "1", "-storetype",
                    "PKCS12", "-keystore", ks.toString(), "-storepass", new String(PASS));
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(ks.toFile())) {
                store.load(in, PASS);
            }
            Files.delete(ks);
            PrivateKey key = (PrivateKey) store.getKey("bench", PASS);
            X509Certificate cert = (X509Certificate) store.getCertificate("bench");
            Path pem = dir.resolve("bench.crt");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder().encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
            return measure(key, cert, pem, store);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** One contender: how it moves bulk data and how it does a handshake. */
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private interface Contender {
        String name();

        /**
         * Sends {@code bytes} in 64 KiB records from client to server; returns the nanoseconds it took and the CPU
         * nanoseconds the client and the server thread spent on it together.
         */
        long[] bulk(long bytes) throws Exception;

        /** Handshakes for {@code millis}; returns how many completed. */
        long handshakes(long millis) throws Exception;

        /** The cipher suite the last connection used. */
        String cipher();
    }

    private int measure(PrivateKey key, X509Certificate cert, Path pem, KeyStore store) throws Exception {
        List<Contender> all = new ArrayList<>();
        for (String engine : TlsEngines.available()) {
            all.add(new Ffsock(engine, key, cert, pem));
        }
        all.add(new Jdk(store, cert));
        all.add(new Ffsock(null, key, cert, pem)); // the ceiling: the same transfers without TLS
        if (only != null) {
            all.removeIf(c -> !c.name().contains(only) && !c.name().equals("JDK SSLSocket"));
        }
        out.println("TLS bench: TLS 1.3 (" + SUITE + ") over TCP loopback, 64 KiB records, " + (bulkBytes >> 20) + " MiB per batch, "
                + batches + " batches each (median), handshakes for " + handshakeMillis + " ms per batch");
        Map<String, List<Double>> mbps = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPerMb = new LinkedHashMap<>();
        Map<String, List<Double>> hps = new LinkedHashMap<>();
        for (Contender c : all) {
            c.bulk(bulkBytes / 4); // warm-up
            c.handshakes(handshakeMillis / 4);
            mbps.put(c.name(), new ArrayList<>());
            cpuPerMb.put(c.name(), new ArrayList<>());
            hps.put(c.name(), new ArrayList<>());
        }
        for (int b = 0; b < batches; b++) {
            for (Contender c : all) {
                long[] ns = c.bulk(bulkBytes);
                mbps.get(c.name()).add(bulkBytes / 1e6 / (ns[0] / 1e9));
                cpuPerMb.get(c.name()).add(ns[1] / 1e6 / (bulkBytes / 1e6)); // CPU ms per MB
            }
            for (Contender c : all) {
                long n = c.handshakes(handshakeMillis);
                hps.get(c.name()).add(n * 1000.0 / handshakeMillis);
            }
        }
        double base = median(mbps.get("JDK SSLSocket"));
        double baseC = median(cpuPerMb.get("JDK SSLSocket"));
        double baseH = median(hps.get("JDK SSLSocket"));
        out.printf("  %-27s %-23s %10s %8s %11s %8s %13s %8s%n", "contender", "cipher", "bulk MB/s", "vs SSLS",
                "CPU ms/MB", "vs SSLS", "handshakes/s", "vs SSLS");
        for (Contender c : all) {
            double m = median(mbps.get(c.name()));
            double cpu = median(cpuPerMb.get(c.name()));
            double h = median(hps.get(c.name()));
            out.printf("  %-27s %-23s %10.1f %7.2fx %11.3f %7.2fx %13.1f %7.2fx%n", c.name(), c.cipher(), m, m / base,
                    cpu, baseC / cpu, h, h / baseH);
        }
        out.println("  (CPU ms/MB: both threads' CPU time per MB moved, so other load on the machine does not count;"
                + " its ratio is SSLSocket's CPU per MB over the contender's, higher is better)");
        return 0;
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? Double.NaN : a[a.length / 2];
    }

    /** ffsock on one engine, both ends. */
    private static final class Ffsock implements Contender {
        private final String engine;
        private final Socket listener = new Socket();
        private final Socket client = new Socket();
        private final int port;
        private String cipher = "?";

        Ffsock(String engine, PrivateKey key, X509Certificate cert, Path pem) throws Exception {
            this.engine = engine;
            if (listener.bind("127.0.0.1:0", true) != 0 || listener.listen() != 0) {
                throw new IllegalStateException("bind/listen failed: errno " + Socket.errno());
            }
            listener.setCertificate(cert);
            listener.setPrivateKey(key);
            port = listener.getSocketInfo(false).port();
            if (engine != null) {
                listener.setTlsEngine(engine);
                client.setTlsEngine(engine);
                if (!engine.equals("openssl")) {
                    // the suite BoringSSL picks first (it cannot be told another for TLS 1.3): same cipher for all
                    client.setCipherList(SUITE);
                }
            }
            client.setSslCertificates(pem.toString());
            client.setVerificationHostname("localhost");
        }

        @Override
        public String name() {
            return engine == null ? "ffsock, plain TCP (no TLS)" : "ffsock, " + engine + " engine";
        }

        /** connect, TCP_NODELAY, then the handshake (upgradeClientToSSL is connectSSL's second half). */
        private void connect() throws SocketException {
            client.connect("127.0.0.1:" + port, 10_000);
            client.setNoDelay(true);
            if (engine != null) {
                client.upgradeClientToSSL(10_000);
            }
        }

        private Socket accept(long timeoutMs) throws SocketException {
            Socket a = listener.accept(timeoutMs);
            if (a != null) {
                a.setNoDelay(true);
            }
            if (a != null && engine != null) {
                try {
                    a.upgradeServerToSSL(10_000);
                } catch (SocketException e) {
                    a.close();
                    throw e;
                }
            }
            return a;
        }

        @Override
        public String cipher() {
            return cipher;
        }

        @Override
        public long[] bulk(long bytes) throws Exception {
            CompletableFuture<Long> server = CompletableFuture.supplyAsync(() -> {
                try (Arena arena = Arena.ofConfined(); Socket a = accept(10_000)) {
                    long cpu0 = CPU.getCurrentThreadCpuTime();
                    MemorySegment buf = arena.allocate(RECORD);
                    long got = 0;
                    while (got < bytes) {
                        long n = a.read(buf);
                        if (n < 0) {
                            throw new IllegalStateException("end of stream after " + got);
                        }
                        got += n;
                    }
                    a.sendi1(1);
                    return CPU.getCurrentThreadCpuTime() - cpu0;
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment rec = arena.allocate(RECORD);
                connect();
                cipher = engine == null ? "-" : client.getSSLCipherName();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (long sent = 0; sent < bytes; sent += RECORD) {
                    client.write(rec);
                }
                client.recvi1(10_000);
                long ns = System.nanoTime() - t0;
                long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
                client.close();
                return new long[] {ns, cpu + server.get(30, TimeUnit.SECONDS)};
            }
        }

        @Override
        public long handshakes(long millis) throws Exception {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    for (;;) {
                        Socket a = accept(2_000);
                        if (a == null) {
                            return;
                        }
                        try (a) {
                            a.sendi1(a.recvi1(2_000));
                        } catch (SocketException e) {
                            // the client's last connection may end early
                        }
                    }
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            long n = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end) {
                connect();
                client.sendi1(7);
                client.recvi1(10_000);
                client.close();
                n++;
            }
            server.get(30, TimeUnit.SECONDS);
            return n;
        }
    }

    /** The JDK's SSLSocket and SSLServerSocket, both ends. */
    private static final class Jdk implements Contender {
        private final SSLServerSocket listener;
        private final SSLContext clientCtx;
        private String cipher = "?";

        Jdk(KeyStore store, X509Certificate cert) throws Exception {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASS);
            SSLContext serverCtx = SSLContext.getInstance("TLSv1.3");
            serverCtx.init(kmf.getKeyManagers(), null, null);
            listener = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("bench", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            clientCtx = SSLContext.getInstance("TLSv1.3");
            clientCtx.init(null, tmf.getTrustManagers(), null);
        }

        @Override
        public String name() {
            return "JDK SSLSocket";
        }

        @Override
        public String cipher() {
            return io.ffsock.tls.CipherNames.toOpenSsl(cipher);
        }

        private SSLSocket connect() throws Exception {
            SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort());
            s.setTcpNoDelay(true);
            s.setEnabledCipherSuites(new String[] {SUITE});
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            cipher = s.getSession().getCipherSuite();
            return s;
        }

        @Override
        public long[] bulk(long bytes) throws Exception {
            CompletableFuture<Long> server = CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket a = listener.accept()) {
                    long cpu0 = CPU.getCurrentThreadCpuTime();
                    a.setTcpNoDelay(true);
                    InputStream in = a.getInputStream();
                    byte[] buf = new byte[RECORD];
                    long got = 0;
                    while (got < bytes) {
                        int n = in.read(buf);
                        if (n < 0) {
                            throw new IllegalStateException("end of stream after " + got);
                        }
                        got += n;
                    }
                    a.getOutputStream().write(1);
                    a.getOutputStream().flush();
                    return CPU.getCurrentThreadCpuTime() - cpu0;
                } catch (java.io.IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            byte[] rec = new byte[RECORD];
            try (SSLSocket s = connect()) {
                OutputStream o = s.getOutputStream();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (long sent = 0; sent < bytes; sent += RECORD) {
                    o.write(rec);
                }
                o.flush();
                if (s.getInputStream().read() != 1) {
                    throw new IllegalStateException("no answer");
                }
                long ns = System.nanoTime() - t0;
                long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
                return new long[] {ns, cpu + server.get(30, TimeUnit.SECONDS)};
            }
        }

        @Override
        public long handshakes(long millis) throws Exception {
            listener.setSoTimeout(2_000);
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                for (;;) {
                    try (java.net.Socket a = listener.accept()) {
                        a.setTcpNoDelay(true);
                        int b = a.getInputStream().read();
                        a.getOutputStream().write(b);
                        a.getOutputStream().flush();
                    } catch (java.net.SocketTimeoutException e) {
                        return;
                    } catch (java.io.IOException e) {
                        // the client's last connection may end early
                    }
                }
            });
            long n = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end) {
                try (SSLSocket s = connect()) {
                    s.getOutputStream().write(7);
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                }
                n++;
            }
            server.get(30, TimeUnit.SECONDS);
            listener.setSoTimeout(0);
            return n;
        }
    }
}
