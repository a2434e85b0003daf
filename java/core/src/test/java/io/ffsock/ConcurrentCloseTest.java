package io.ffsock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * close() from a third thread while a reader and a writer are blocked in the socket: both wake with SOCKET-CLOSED
 * (or SOCKET-NOT-OPEN if they had not started), and neither touches the descriptor number afterwards, even though
 * other threads keep opening sockets that would be given that number the moment it was freed.
 */
class ConcurrentCloseTest {
    private static final int ROUNDS = 2000;

    @TempDir
    Path dir;

    /** A connected pair: {@code client} connected to {@code server}, accepted from a listener. */
    private record Pair(Socket client, Socket server) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    private static Pair pair(Socket listener, String dest) throws SocketException {
        Socket c = new Socket();
        c.connect(dest, 2000);
        Socket a = listener.accept(2000);
        assertNotNull(a, "accept timed out");
        return new Pair(c, a);
    }

    /**
     * Opens sockets without pause and pushes a known byte stream through each: if a closed socket's blocked reader
     * or writer ever operated on a reused descriptor number, it would take or inject bytes here and the stream
     * check fails.
     */
    private static final class Churn implements Runnable {
        final Socket listener;
        final String dest;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong pairs = new AtomicLong();
        volatile Throwable failure;

        Churn(Socket listener, String dest) {
            this.listener = listener;
            this.dest = dest;
        }

        @Override
        public void run() {
            long seq = 0;
            try {
                while (!stop.get()) {
                    try (Pair p = pair(listener, dest)) {
                        for (int i = 0; i < 4; i++, seq++) {
                            p.client.sendi8(seq);
                            assertEquals(seq, p.server.recvi8(2000), "a byte stream on a fresh socket was corrupted");
                        }
                    }
                    pairs.incrementAndGet();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @DisplayName("close() under a blocked reader and writer, thousands of times, with fd numbers being reused")
    void closeUnderBlockedReaderAndWriterTcp() throws Exception {
        try (Socket listener = new Socket(); Socket churnListener = new Socket()) {
            assertEquals(0, listener.bind("127.0.0.1:0", true));
            assertEquals(0, listener.listen());
            assertEquals(0, churnListener.bind("127.0.0.1:0", true));
            assertEquals(0, churnListener.listen());
            run(listener, "127.0.0.1:" + listener.getSocketInfo().port(),
                    churnListener, "127.0.0.1:" + churnListener.getSocketInfo().port());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @DisplayName("the same over AF_UNIX")
    void closeUnderBlockedReaderAndWriterUnix() throws Exception {
        try (Socket listener = new Socket(); Socket churnListener = new Socket()) {
            String p1 = dir.resolve("l.sock").toString();
            String p2 = dir.resolve("c.sock").toString();
            listener.bindUNIX(p1);
            assertEquals(0, listener.listen());
            churnListener.bindUNIX(p2);
            assertEquals(0, churnListener.listen());
            run(listener, p1, churnListener, p2);
        }
    }

    private void run(Socket listener, String dest, Socket churnListener, String churnDest) throws Exception {
        Churn churn = new Churn(churnListener, churnDest);
        Thread churner = new Thread(churn, "churn");
        churner.start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Random random = new Random(42);
        byte[] big = new byte[1 << 20];
        int closedWhileBlocked = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Pair p = pair(listener, dest);
                Socket victim = p.server;
                Future<SocketException> reader = pool.submit(() -> expectFailure(() -> victim.recv(1)));
                // the peer never reads, so the writer fills the buffers and blocks
                Future<SocketException> writer = pool.submit(() -> expectFailure(() -> {
                    for (;;) {
                        victim.send(big);
                    }
                }));
                if (random.nextInt(4) != 0) {
                    Thread.sleep(0, random.nextInt(300_000));
                }
                victim.close();
                SocketException r = result(reader);
                SocketException w = result(writer);
                for (SocketException e : List.of(r, w)) {
                    String code = e.error().code();
                    assertTrue(code.equals("SOCKET-CLOSED") || code.equals("SOCKET-NOT-OPEN"),
                            "expected SOCKET-CLOSED or SOCKET-NOT-OPEN, got " + e);
                    assertEquals(0, e.partialData().length, "nothing was sent to the victim");
                }
                if (r.error() == SocketError.CLOSED) {
                    closedWhileBlocked++;
                }
                assertFalse(victim.isOpen());
                assertEquals(-1, victim.getSocket());
                p.client.close();
                assertNull(churn.failure, () -> "the churn thread saw a corrupted stream: " + churn.failure);
            }
        } finally {
            churn.stop.set(true);
            churner.join(10_000);
            pool.shutdownNow();
        }
        assertNull(churn.failure, () -> "the churn thread failed: " + churn.failure);
        assertTrue(churn.pairs.get() > 0, "the churn thread opened no sockets");
        assertTrue(closedWhileBlocked > ROUNDS / 10,
                "too few rounds closed a socket while its reader was blocked: " + closedWhileBlocked);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static SocketException expectFailure(Body body) {
        try {
            body.run();
        } catch (SocketException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a SocketException", e);
        }
        throw new AssertionError("the call returned although the socket was closed under it");
    }

    private static SocketException result(Future<SocketException> f) throws Exception {
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("a blocked call failed the wrong way", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a call blocked in the socket did not wake up when it was closed", e);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    @DisplayName("close() wakes a thread blocked in accept(), TCP and UNIX")
    void closeWakesAccept() throws Exception {
        List<Socket> listeners = new ArrayList<>();
        try {
            Socket tcp = new Socket();
            listeners.add(tcp);
            assertEquals(0, tcp.bind("127.0.0.1:0", true));
            assertEquals(0, tcp.listen());
            Socket unix = new Socket();
            listeners.add(unix);
            unix.bindUNIX(dir.resolve("a.sock").toString());
            assertEquals(0, unix.listen());
            ExecutorService pool = Executors.newCachedThreadPool();
            try {
                for (Socket l : listeners) {
                    Future<SocketException> f = pool.submit(() -> expectFailure(l::accept));
                    Thread.sleep(100);
                    l.close();
                    assertEquals(SocketError.CLOSED, result(f).error());
                }
            } finally {
                pool.shutdownNow();
            }
        } finally {
            listeners.forEach(Socket::close);
        }
    }
}
