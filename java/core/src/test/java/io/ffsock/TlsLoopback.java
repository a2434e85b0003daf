package io.ffsock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * TLS fixtures: the contract's TLS PAIR (a listener with the server certificate, a client that trusts the test CA,
 * and the socket {@code acceptSSL} returned), on the engines given, over 127.0.0.1 or a UNIX socket.
 */
public final class TlsLoopback {
    private TlsLoopback() {}

    /** Threads of the fixtures' own: the common pool can have a single worker on a 2-core machine. */
    static final java.util.concurrent.ExecutorService PEERS = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "tls-fixture-peer");
                t.setDaemon(true);
                return t;
            });

    /** A listener on {@code bindTo} serving {@code certs}' server certificate, on {@code engine}. */
    public static Socket server(TestCerts certs, String engine, String bindTo) throws SocketException {
        Socket s = Loopback.listener(bindTo);
        try {
            certs.serve(s);
            s.setTlsEngine(engine);
            return s;
        } catch (Throwable t) {
            s.close();
            throw t;
        }
    }

    /** A client on {@code engine} that trusts the test CA. */
    public static Socket client(TestCerts certs, String engine) throws SocketException {
        Socket c = new Socket();
        certs.trust(c);
        c.setTlsEngine(engine);
        return c;
    }

    /** TLS PAIR over 127.0.0.1: server on {@code serverEngine}, client on {@code clientEngine}. */
    public static Loopback.Pair pair(TestCerts certs, String serverEngine, String clientEngine) throws Exception {
        Socket s = server(certs, serverEngine, "127.0.0.1:0");
        Socket c = null;
        try {
            c = client(certs, clientEngine);
            int port = s.getSocketInfo(false).port();
            Socket a = handshake(s, c, "127.0.0.1:" + port);
            return new Loopback.Pair(s, c, a, port);
        } catch (Throwable t) {
            if (c != null) {
                c.close();
            }
            s.close();
            throw t;
        }
    }

    /**
     * Runs {@code client.connectSSL(dest)} on another thread and {@code listener.acceptSSL} here; returns the
     * accepted socket. The client's failure is rethrown as it was; the server's too, after the client finished.
     */
    public static Socket handshake(Socket listener, Socket client, String dest) throws Exception {
        CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
            try {
                client.connectSSL(dest, 5000);
            } catch (SocketException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, PEERS);
        Socket a;
        try {
            a = listener.acceptSSL(5000);
        } catch (SocketException e) {
            try {
                c.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException ignored) {
                // the server's failure is the one to report
            }
            throw e;
        }
        try {
            c.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (a != null) {
                a.close();
            }
            if (e.getCause() instanceof SocketException se) {
                throw se;
            }
            throw e;
        }
        assertNotNull(a, "acceptSSL timed out");
        return a;
    }

    /** The client side's failure of a handshake the server completes or fails too; the server's is ignored. */
    public static SocketException clientFailure(Socket listener, Socket client, String dest) throws Exception {
        CompletableFuture<Socket> srv = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.acceptSSL(5000);
            } catch (SocketException e) {
                return null;
            }
        }, PEERS);
        try {
            client.connectSSL(dest, 5000);
            throw new AssertionError("connectSSL succeeded");
        } catch (SocketException e) {
            return e;
        } finally {
            Socket a = srv.get(10, TimeUnit.SECONDS);
            if (a != null) {
                a.close();
            }
        }
    }

    /** The server side's failure of a handshake; the client's result is ignored. */
    public static SocketException serverFailure(Socket listener, Socket client, String dest) throws Exception {
        CompletableFuture<Void> cli = CompletableFuture.runAsync(() -> {
            try {
                client.connectSSL(dest, 5000);
            } catch (SocketException e) {
                // expected: the server refuses
            }
        }, PEERS);
        try {
            listener.acceptSSL(5000);
            throw new AssertionError("acceptSSL succeeded");
        } catch (SocketException e) {
            return e;
        } finally {
            try {
                cli.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException ignored) {
                // reported above
            }
            client.close();
        }
    }
}
