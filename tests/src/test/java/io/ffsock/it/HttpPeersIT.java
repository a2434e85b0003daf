package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.http.HttpChunkedBody;
import io.ffsock.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPInputStream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.*;

/**
 * ffsock's HTTP helpers against real HTTP software on this machine: {@code curl} against a small server written with
 * {@code readHTTPHeader} / {@code readHTTPBody} / {@code sendHTTPResponse}, and ffsock's {@code sendHTTPMessage}
 * client against {@code nginx} and {@code python3 -m http.server}. Every server listens on 127.0.0.1 with an
 * ephemeral port, its configuration in the test's temporary directory, and is stopped when the test ends; curl is
 * told to use no proxy. A test whose program is not installed is skipped, saying which package to install.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class HttpPeersIT {
    private static final byte[] STREAM = random(100_000, 1);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <C extends AutoCloseable> C track(C c) {
        resources.add(c);
        return c;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Map<String, Object> hdrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // =============================================================================================================
    // an HTTP server on ffsock, for curl
    // =============================================================================================================

    /** A small HTTP/1.1 server: one thread per connection, keep-alive, 400 for what it cannot read. */
    static final class MiniServer implements AutoCloseable {
        final Socket listener = new Socket();
        final int port;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        private final Thread acceptor;

        MiniServer() throws SocketException {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            port = listener.getSocketInfo(false).port();
            acceptor = Thread.ofPlatform().daemon().name("mini-http-accept").start(this::acceptLoop);
        }

        private void acceptLoop() {
            while (listener.isOpen()) {
                try {
                    Socket c = listener.accept(200);
                    if (c != null) {
                        connections.incrementAndGet();
                        active.incrementAndGet();
                        Thread.ofPlatform().daemon().name("mini-http-conn").start(() -> serve(c));
                    }
                } catch (SocketException e) {
                    if (listener.isOpen()) {
                        errors.add(e);
                    }
                    return;
                }
            }
        }

        private void serve(Socket c) {
            try (c) {
                for (;;) {
                    HttpHeader h;
                    byte[] body;
                    try {
                        h = c.readHTTPHeader(5000, 10_000);
                        body = c.readHTTPBodyBinary(h, 5000);
                    } catch (SocketException e) {
                        if (c.isOpen() && e.error() != SocketError.CLOSED) {
                            // a request that cannot be read: say so, then read what the client still sends until
                            // it closes, so that closing with unread data does not reset the connection under the
                            // answer
                            c.sendHTTPResponse(400, "Bad Request", "1.1", hdrs("Connection", "close"),
                                    e.getMessage() + "\n");
                            try {
                                c.recvBinary(-1, 2000);
                            } catch (SocketException drained) {
                                // the client went away: nothing left to do
                            }
                        }
                        return; // SOCKET-CLOSED: the client is done
                    }
                    seen.add(h.method() + " " + h.path() + " " + body.length);
                    String path = h.path() == null ? "" : h.path();
                    if (path.startsWith("/hello")) {
                        c.sendHTTPResponse(200, "OK", "1.1", hdrs("Content-Type", "text/plain; charset=utf-8"),
                                "hello " + h.header("x-test") + " at " + path + "\n");
                    } else if (path.equals("/echo")) {
                        c.sendHTTPResponse(200, "OK", "1.1", hdrs("Content-Type", "application/octet-stream",
                                "X-Got-Chunked", h.isChunked()), body);
                    } else if (path.equals("/stream")) {
                        c.sendHTTPResponse(200, "OK", "1.1", hdrs("Content-Type", "application/octet-stream"),
                                new ByteArrayInputStream(STREAM), 8192, 5000, () -> hdrs("X-Length", STREAM.length));
                    } else {
                        c.sendHTTPResponse(404, "Not Found", "1.1", hdrs("Content-Type", "text/plain"),
                                "no such page: " + path + "\n");
                    }
                    if (Boolean.TRUE.equals(h.info().get("close"))) {
                        return;
                    }
                }
            } catch (Throwable t) {
                errors.add(t);
            } finally {
                active.decrementAndGet();
            }
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** Waits until every connection has been served and closed. */
        void awaitIdle() {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (active.get() > 0 && System.nanoTime() < end) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertEquals(0, active.get(), "connections still being served");
        }

        @Override
        public void close() {
            listener.close();
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the server", e);
            }
            awaitIdle();
            if (!errors.isEmpty()) {
                AssertionError e = new AssertionError("the server failed: " + errors);
                errors.forEach(e::addSuppressed);
                throw e;
            }
        }
    }

    private PeerProcess.Result curl(String... args) throws Exception {
        String curl = PeerProcess.require("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--noproxy", "*", "--max-time", "20"));
        cmd.addAll(List.of(args));
        PeerProcess.Result r = PeerProcess.run(dir, "curl", 30_000, cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "curl failed: " + r.all());
        return r;
    }

    @Test
    void curlGetsTwoPagesOverOneKeptAliveConnection() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        PeerProcess.Result r = curl("-H", "X-Test: abc", "-D", dir.resolve("h1").toString(), "-o",
                dir.resolve("b1").toString(), s.url("/hello?x=1"), "-o", dir.resolve("b2").toString(),
                s.url("/hello/%C3%A9"), "-w", "%{http_code} %{num_connects}\\n");
        assertEquals(List.of("200 1", "200 0"), r.stdout().lines().toList(), "the second page took a new connection");
        assertEquals(1, s.connections.get());
        assertEquals("hello abc at /hello?x=1\n", Files.readString(dir.resolve("b1")));
        assertEquals("hello abc at /hello/%C3%A9\n", Files.readString(dir.resolve("b2")), "the path was decoded");
        String head = Files.readString(dir.resolve("h1"), ISO_8859_1);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 24"
                + "\r\n\r\n"), head);
    }

    @Test
    void curlPostsABinaryBodyAndGetsItBack() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        byte[] body = random(300_000, 2);
        Files.write(dir.resolve("up.bin"), body);
        curl("-H", "Expect:", "-H", "Content-Type: application/octet-stream", "--data-binary",
                "@" + dir.resolve("up.bin"), "-o", dir.resolve("down.bin").toString(), s.url("/echo"));
        assertArrayEquals(body, Files.readAllBytes(dir.resolve("down.bin")));
        assertEquals(List.of("POST /echo 300000"), List.copyOf(s.seen));
    }

    @Test
    void curlUploadsInChunksAndFfsockDecodesThem() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        byte[] body = random(70_000, 3);
        Files.write(dir.resolve("up.bin"), body);
        curl("-H", "Expect:", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + dir.resolve("up.bin"),
                "-D", dir.resolve("h").toString(), "-o", dir.resolve("down.bin").toString(), s.url("/echo"));
        assertArrayEquals(body, Files.readAllBytes(dir.resolve("down.bin")));
        assertTrue(Files.readString(dir.resolve("h")).contains("X-Got-Chunked: 1\r\n"), "curl did not send chunks");
    }

    @Test
    void curlDecodesAChunkedResponseWithTrailers() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        curl("--raw", "-o", dir.resolve("raw.bin").toString(), s.url("/stream"));
        byte[] raw = Files.readAllBytes(dir.resolve("raw.bin"));
        String tail = new String(raw, raw.length - 40, 40, ISO_8859_1);
        assertTrue(tail.endsWith("\r\n0\r\nX-Length: 100000\r\n\r\n"), "the trailers are missing: " + tail);
        curl("-o", dir.resolve("decoded.bin").toString(), s.url("/stream"));
        assertArrayEquals(STREAM, Files.readAllBytes(dir.resolve("decoded.bin")));
    }

    @Test
    void curlGets404() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        PeerProcess.Result r = curl("-o", dir.resolve("b").toString(), "-w", "%{http_code}", s.url("/nope"));
        assertEquals("404", r.stdout());
        assertEquals("no such page: /nope\n", Files.readString(dir.resolve("b")));
    }

    @Test
    void malformedRequestsGet400AndLeakNoDescriptor() throws Exception {
        MiniServer s = track(new MiniServer());
        String[] bad = {
            "hello world\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
            "GET / HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x",  // then the client closes
            "",                           // a client that says nothing and closes
        };
        Fds.noLeak("200 malformed requests", () -> {
            for (int i = 0; i < 200; i++) {
                String req = bad[i % bad.length];
                try (java.net.Socket c = new java.net.Socket(InetAddress.getLoopbackAddress(), s.port)) {
                    c.setSoTimeout(5000);
                    OutputStream o = c.getOutputStream();
                    o.write(req.getBytes(ISO_8859_1));
                    o.flush();
                    c.shutdownOutput();
                    String answer = new String(c.getInputStream().readAllBytes(), ISO_8859_1);
                    boolean closedEarly = req.isEmpty() || req.endsWith("Host: x");
                    assertTrue(closedEarly ? answer.isEmpty() : answer.startsWith("HTTP/1.1 400 Bad Request\r\n"),
                            () -> "answer to " + req.substring(0, Math.min(40, req.length())) + ": " + answer);
                }
            }
            s.awaitIdle();
        });
        assertEquals(200, s.connections.get());
    }

    // =============================================================================================================
    // ffsock as the client of nginx and python3 -m http.server
    // =============================================================================================================

    private int startNginx() throws Exception {
        String nginx = PeerProcess.require("nginx", "nginx");
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.write(www.resolve("file.bin"), STREAM);
        Files.writeString(www.resolve("page.txt"), "nginx says hi\n".repeat(200));
        for (int attempt = 0; ; attempt++) {
            int port = PeerProcess.freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, """
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    error_log stderr;
                    pid %1$s/nginx.pid;
                    events { worker_connections 64; }
                    http {
                        access_log off;
                        default_type application/octet-stream;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        server {
                            listen 127.0.0.1:%2$d;
                            root %1$s/www;
                            gzip on;
                            gzip_min_length 1;
                            gzip_types *;
                            location /upload { return 200 "te=$http_transfer_encoding\\n"; }
                        }
                    }
                    """.formatted(dir, port));
            PeerProcess p = PeerProcess.start(dir, "nginx", List.of(nginx, "-p", dir.toString(), "-c",
                    conf.toString()));
            try {
                p.awaitPort(port, 10_000);
                track(p);
                return port;
            } catch (IllegalStateException e) {
                p.close();
                if (attempt == 2 || !e.getMessage().contains("in use")) {
                    throw e;
                }
            }
        }
    }

    @Test
    void nginxServesAFileByContentLength() throws Exception {
        int port = startNginx();
        try (Socket c = new Socket()) {
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("GET", "/file.bin", "1.1", hdrs("Host", "127.0.0.1", "User-Agent", "ffsock"));
            HttpHeader h = c.readHTTPHeader(5000);
            assertEquals(200, h.statusCode());
            assertEquals("OK", h.statusMessage());
            assertEquals("1.1", h.httpVersion());
            assertTrue(h.header("server").startsWith("nginx"), h::toString);
            assertEquals(STREAM.length, h.contentLength());
            assertFalse(h.isChunked());
            assertArrayEquals(STREAM, c.readHTTPBodyBinary(h, 5000));

            // the same connection, kept alive: a 404 with its HTML body
            c.sendHTTPMessage("GET", "/missing", "1.1", hdrs("Host", "127.0.0.1"));
            h = c.readHTTPHeader(5000);
            assertEquals(404, h.statusCode());
            assertEquals("Not Found", h.statusMessage());
            assertTrue(c.readHTTPBody(h, 5000).contains("404 Not Found"));
        }
    }

    @Test
    void nginxSendsAGzippedChunkedBody() throws Exception {
        int port = startNginx();
        try (Socket c = new Socket()) {
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("GET", "/page.txt", "1.1", hdrs("Host", "127.0.0.1", "Accept-Encoding", "gzip"));
            HttpHeader h = c.readHTTPHeader(5000);
            assertEquals(200, h.statusCode());
            assertEquals("chunked", h.header("transfer-encoding"));
            assertEquals("gzip", h.header("content-encoding"));
            assertTrue(c.pendingHttpChunkedBody());
            HttpChunkedBody<byte[]> b = c.readHTTPChunkedBodyBinary(5000);
            assertFalse(c.pendingHttpChunkedBody());
            byte[] plain;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b.body()))) {
                plain = in.readAllBytes();
            }
            assertEquals("nginx says hi\n".repeat(200), new String(plain, StandardCharsets.UTF_8));
        }
    }

    @Test
    void nginxReadsFfsockChunkedUploadExactly() throws Exception {
        int port = startNginx();
        try (Socket c = new Socket()) {
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("POST", "/upload", "1.1", hdrs("Host", "127.0.0.1"),
                    new ByteArrayInputStream(random(50_000, 4)), 3000, 5000, () -> hdrs("X-Checksum", "none"));
            HttpHeader h = c.readHTTPHeader(5000);
            assertEquals(200, h.statusCode(), h::toString);
            assertEquals("te=chunked\n", c.readHTTPBody(h, 5000));
            // nginx read the chunked body to its exact end: the next request on the connection is understood
            c.sendHTTPMessage("GET", "/page.txt", "1.1", hdrs("Host", "127.0.0.1"));
            h = c.readHTTPHeader(5000);
            assertEquals(200, h.statusCode());
            assertEquals("nginx says hi\n".repeat(200), c.readHTTPBody(h, 5000));
        }
    }

    @Test
    void pythonHttpServerServesAFile() throws Exception {
        String python = PeerProcess.require("python3", "python3");
        Path www = Files.createDirectories(dir.resolve("pywww"));
        Files.write(www.resolve("file.bin"), STREAM);
        Files.createDirectories(www.resolve("sub"));
        int port = PeerProcess.freePort();
        track(PeerProcess.start(dir, "python", List.of(python, "-m", "http.server", Integer.toString(port), "--bind",
                "127.0.0.1", "--directory", www.toString()))).awaitPort(port, 10_000);
        try (Socket c = new Socket()) {
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("GET", "/file.bin", "1.1", hdrs("Host", "127.0.0.1", "Connection", "close"));
            HttpHeader h = c.readHTTPHeader(5000);
            assertEquals(200, h.statusCode());
            assertEquals("1.0", h.httpVersion(), "http.server answers in HTTP/1.0");
            assertTrue(h.header("server").startsWith("SimpleHTTP/"), h::toString);
            assertEquals("application/octet-stream", h.header("content-type"));
            assertEquals(STREAM.length, h.contentLength());
            assertArrayEquals(STREAM, c.readHTTPBodyBinary(h, 5000));
        }
        try (Socket c = new Socket()) {
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("GET", "/sub", "1.1", hdrs("Host", "127.0.0.1", "Connection", "close"));
            HttpHeader h = c.readHTTPHeader(5000);
            assertEquals(301, h.statusCode());
            assertEquals("Moved Permanently", h.statusMessage());
            assertEquals("/sub/", h.header("location"));
            c.readHTTPBodyBinary(h, 5000);
        }
    }

    @Test
    void eventsOfAnHttpExchangeWithNginx() throws Exception {
        int port = startNginx();
        java.util.concurrent.LinkedBlockingQueue<io.ffsock.SocketEvent> q = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Socket c = new Socket()) {
            c.setEventQueue(q, "nginx", false);
            c.connect("127.0.0.1:" + port, 5000);
            c.sendHTTPMessage("GET", "/page.txt", "1.1", hdrs("Host", "127.0.0.1"));
            HttpHeader h = c.readHTTPHeader(5000);
            c.readHTTPBodyBinary(h, 5000);
        }
        List<io.ffsock.EventType> types = q.stream().map(io.ffsock.SocketEvent::type).toList();
        assertEquals(List.of(io.ffsock.EventType.HOSTNAME_LOOKUP, io.ffsock.EventType.HOSTNAME_RESOLVED,
                io.ffsock.EventType.CONNECTING, io.ffsock.EventType.CONNECTED, io.ffsock.EventType.HTTP_SEND_MESSAGE,
                io.ffsock.EventType.PACKET_SENT, io.ffsock.EventType.HTTP_MESSAGE_RECEIVED),
                types.subList(0, 7));
        assertEquals(io.ffsock.EventType.CHANNEL_CLOSED, types.get(types.size() - 2));
        assertEquals(io.ffsock.EventType.DELETED, types.getLast());
        long read = q.stream().filter(e -> e.type() == io.ffsock.EventType.PACKET_READ)
                .mapToLong(io.ffsock.SocketEvent::read).sum();
        assertEquals(("nginx says hi\n".repeat(200)).length(), read, "PACKET_READ does not add up to the body");
        assertTrue(q.stream().allMatch(e -> "nginx".equals(e.arg())));
    }

    @Test
    void concurrentCurlsEachGetTheirOwnPage() throws Exception {
        PeerProcess.require("curl", "curl");
        MiniServer s = track(new MiniServer());
        int n = 8;
        CountDownLatch done = new CountDownLatch(n);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            Thread.ofPlatform().start(() -> {
                try {
                    Path out = dir.resolve("c" + k);
                    PeerProcess.Result r = PeerProcess.run(dir, "curl" + k, 30_000,
                            PeerProcess.require("curl", "curl"), "-sS", "--noproxy", "*", "--max-time", "20",
                            "-H", "X-Test: " + k, "-o", out.toString(), s.url("/hello/" + k));
                    assertEquals(0, r.exit(), r.all());
                    assertEquals("hello " + k + " at /hello/" + k + "\n", Files.readString(out));
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(40, TimeUnit.SECONDS));
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(n, s.connections.get());
    }
}
