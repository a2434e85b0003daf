package io.ffsock;

import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fixtures of the Qore contract tests (qore-contract.md): the PAIR of ffsock sockets, RAW peers built from the
 * JDK's own sockets, and the assertions every case repeats. Everything here is a real kernel socket on loopback.
 * <p>
 * Reverse lookups are only ever made for 127.0.0.1, which {@code /etc/hosts} answers: {@code ::1} and the wildcard
 * addresses would go to a DNS server, so the tests ask for their info with {@code hostLookup == false}.
 */
final class Loopback {
    private Loopback() {}

    /** Contract fixture PAIR: {@code server} listening on 127.0.0.1, {@code client} connected, {@code accepted}. */
    record Pair(Socket server, Socket client, Socket accepted, int port) implements AutoCloseable {
        @Override
        public void close() {
            if (accepted != null) {
                accepted.close();
            }
            client.close();
            server.close();
        }
    }

    /** A listener on {@code bindTo} (e.g. {@code "127.0.0.1:0"}), with SO_REUSEADDR, listening. */
    static Socket listener(String bindTo) throws SocketException {
        Socket s = new Socket();
        try {
            assertEquals(0, s.bind(bindTo, true), () -> "bind(" + bindTo + ") failed, errno " + Socket.errno());
            assertEquals(0, s.listen(), () -> "listen() failed, errno " + Socket.errno());
            return s;
        } catch (Throwable t) {
            s.close();
            throw t;
        }
    }

    /** The PAIR fixture over 127.0.0.1. */
    static Pair pair() throws SocketException {
        Socket s = listener("127.0.0.1:0");
        Socket c = new Socket();
        try {
            int port = s.getSocketInfo(false).port();
            c.connect("127.0.0.1:" + port, 2000);
            Socket a = s.accept(2000);
            assertNotNull(a, "accept timed out");
            return new Pair(s, c, a, port);
        } catch (Throwable t) {
            c.close();
            s.close();
            throw t;
        }
    }

    /** A RAW listener: a JDK ServerSocket on 127.0.0.1 with an ephemeral port. */
    static ServerSocket rawListener() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** An ffsock client connected to a RAW peer, and that peer. */
    record RawPair(Socket socket, java.net.Socket raw, ServerSocket listener) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
            try {
                raw.close();
            } finally {
                listener.close();
            }
        }
    }

    /** An ffsock socket connected to a JDK socket: the JDK side reads and writes exact bytes. */
    static RawPair rawPair() throws IOException {
        ServerSocket ss = rawListener();
        Socket s = new Socket();
        try {
            s.connect("127.0.0.1:" + ss.getLocalPort(), 2000);
            ss.setSoTimeout(2000);
            java.net.Socket raw = ss.accept();
            raw.setSoTimeout(2000);
            raw.setTcpNoDelay(true);
            return new RawPair(s, raw, ss);
        } catch (Throwable t) {
            s.close();
            ss.close();
            throw t;
        }
    }

    /** A JDK socket connected to an ffsock listener on 127.0.0.1, and the socket the listener accepted. */
    record RawClient(Socket server, Socket accepted, java.net.Socket raw) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (accepted != null) {
                accepted.close();
            }
            server.close();
            raw.close();
        }
    }

    static RawClient rawClient() throws IOException {
        Socket s = listener("127.0.0.1:0");
        java.net.Socket raw = new java.net.Socket();
        try {
            raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getSocketInfo(false).port()), 2000);
            raw.setSoTimeout(2000);
            raw.setTcpNoDelay(true);
            Socket a = s.accept(2000);
            assertNotNull(a, "accept timed out");
            return new RawClient(s, a, raw);
        } catch (Throwable t) {
            raw.close();
            s.close();
            throw t;
        }
    }

    /**
     * Asserts that {@code call} throws a {@link SocketException} with {@code error}'s Qore code and, when
     * {@code method} is given (e.g. {@code "Socket::recv"}), that the message names {@code method + "()"}.
     */
    static SocketException expect(SocketError error, String method, Executable call) {
        SocketException e = assertThrows(SocketException.class, call);
        assertEquals(error.code(), e.error().code(), () -> "wrong code: " + e);
        assertEquals(error.code(), e.getErr());
        assertEquals(e.getMessage(), e.getDesc());
        if (method != null) {
            assertTrue(e.getMessage().contains(method + "()"), () -> "message does not name " + method + "(): " + e);
        }
        return e;
    }

    /** Runs {@code action} on another thread after {@code delayMs}; join the result to see its failure. */
    static CompletableFuture<Void> later(long delayMs, Executable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delayMs);
                action.execute();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "contract-peer");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** Waits for a {@link #later} action and rethrows its failure. */
    static void join(CompletableFuture<Void> f) throws Exception {
        f.get(5, TimeUnit.SECONDS);
    }

    /** Milliseconds since {@code startNanos}. */
    static long since(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** {@code n} bytes of a fixed pseudo-random sequence. */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** {@code n} printable ASCII characters, so that the string survives any charset. */
    static String randomAscii(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (' ' + r.nextInt(95)));
        }
        return sb.toString();
    }

    /** Hex of {@code b} as "0a 14 01". */
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }
}
