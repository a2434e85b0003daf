package io.ffsock.it;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.loop.EventLoop;
import io.ffsock.loop.EventLoopGroup;
import io.ffsock.loop.TcpSocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@link LoopScaleIT}, run in a JVM of its own so that each process holds one end of every
 * connection: opens {@code connections} sockets to {@code port} on 127.0.0.1 (at most 1,000 connecting at a time),
 * waits until every one of them is connected at the same time, then has each send {@code messages} numbered
 * messages with a window of {@code window} in flight, checking that every echo comes back whole and in order.
 * <p>
 * Prints one {@code RESULT ...} line and exits 0 when everything came back, 1 otherwise.
 * <pre>
 *   message (64 bytes, big-endian):
 *   0          4          8                                              64
 *   +----------+----------+-----------------------------------------------+
 *   | conn id  |   seq    | 56 bytes: (conn id * 31 + seq + i) mod 256     |
 *   +----------+----------+-----------------------------------------------+
 * </pre>
 */
public final class LoopScaleClient {
    static final int MESSAGE = 64;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int messages = Integer.parseInt(args[2]);
        int window = Integer.parseInt(args[3]);
        int loops = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        long limit = Epoll.raiseFdLimit(connections + 512L);
        if (limit >= 0 && limit < connections + 64L) {
            System.out.println("RESULT skipped: descriptor limit " + limit + " is too low for " + connections);
            System.exit(2);
        }
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong verified = new AtomicLong();
        AtomicInteger finished = new AtomicInteger();
        StringBuffer firstError = new StringBuffer();
        CountDownLatch allConnected = new CountDownLatch(connections);
        CountDownLatch allDone = new CountDownLatch(connections);
        java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(1000);
        long t0 = System.nanoTime();
        try (EventLoopGroup group = new EventLoopGroup(loops)) {
            Conn[] conns = new Conn[connections];
            for (int i = 0; i < connections; i++) {
                connecting.acquire();
                EventLoop loop = group.next();
                Conn c = new Conn(i, new TcpSocket(loop), messages, window, verified, failed, finished, firstError,
                        allDone);
                conns[i] = c;
                c.s.onConnected(x -> {
                    connecting.release();
                    connected.incrementAndGet();
                    allConnected.countDown();
                });
                c.s.onError((x, e) -> {
                    if (x.state() != TcpSocket.State.CONNECTED && x.state() != TcpSocket.State.CLOSING) {
                        connecting.release();
                    }
                    if (!c.done) {
                        c.fail("socket error " + e + ": " + x.errorString());
                    }
                });
                c.s.connect("127.0.0.1", port);
            }
            if (!allConnected.await(60, TimeUnit.SECONDS)) {
                System.out.println("RESULT failed: only " + connected.get() + " of " + connections + " connected; "
                        + firstError);
                System.exit(1);
            }
            long t1 = System.nanoTime();
            // every connection is open now, at the same time: start talking
            for (Conn c : conns) {
                c.s.loop().execute(c::start);
            }
            boolean done = allDone.await(120, TimeUnit.SECONDS);
            long t2 = System.nanoTime();
            for (Conn c : conns) {
                c.s.disconnect();
            }
            System.out.printf("RESULT connected=%d verified=%d failed=%d done=%s connectMs=%d echoMs=%d first=%s%n",
                    connected.get(), verified.get(), failed.get(), done, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, firstError.length() == 0 ? "-" : firstError);
            System.out.flush();
            System.exit(done && failed.get() == 0 && verified.get() == (long) connections * messages ? 0 : 1);
        }
    }

    private static final class Conn {
        final int id;
        final TcpSocket s;
        final int messages;
        final int window;
        final AtomicLong verified;
        final AtomicInteger failed;
        final AtomicInteger finished;
        final StringBuffer firstError;
        final CountDownLatch allDone;
        final ByteBuffer out = ByteBuffer.allocate(MESSAGE).order(ByteOrder.BIG_ENDIAN);
        final ByteBuffer in = ByteBuffer.allocate(MESSAGE).order(ByteOrder.BIG_ENDIAN);
        int sent;
        int received;
        boolean done;

        Conn(int id, TcpSocket s, int messages, int window, AtomicLong verified, AtomicInteger failed,
             AtomicInteger finished, StringBuffer firstError, CountDownLatch allDone) {
            this.id = id;
            this.s = s;
            this.messages = messages;
            this.window = window;
            this.verified = verified;
            this.failed = failed;
            this.finished = finished;
            this.firstError = firstError;
            this.allDone = allDone;
        }

        void start() {
            s.onReadyRead(x -> receive());
            for (int i = 0; i < window && sent < messages; i++) {
                send();
            }
            receive();
        }

        void send() {
            out.clear();
            out.putInt(id).putInt(sent);
            for (int i = 8; i < MESSAGE; i++) {
                out.put((byte) (id * 31 + sent + i));
            }
            out.flip();
            s.write(out);
            sent++;
        }

        void receive() {
            while (!done && s.bytesAvailable() >= MESSAGE) {
                in.clear();
                s.read(in);
                in.flip();
                int cid = in.getInt();
                int seq = in.getInt();
                if (cid != id || seq != received) {
                    fail("connection " + id + " got message " + cid + "/" + seq + ", expected " + id + "/" + received);
                    return;
                }
                for (int i = 8; i < MESSAGE; i++) {
                    if (in.get() != (byte) (id * 31 + seq + i)) {
                        fail("connection " + id + " message " + seq + " corrupted at byte " + i);
                        return;
                    }
                }
                received++;
                verified.incrementAndGet();
                if (sent < messages) {
                    send();
                }
                if (received == messages) {
                    done = true;
                    finished.incrementAndGet();
                    allDone.countDown();
                }
            }
        }

        void fail(String why) {
            if (done) {
                return;
            }
            done = true;
            if (failed.getAndIncrement() == 0) {
                firstError.append(why);
            }
            allDone.countDown();
        }
    }
}
