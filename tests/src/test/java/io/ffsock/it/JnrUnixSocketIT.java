package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketInfo;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_UNIX against jnr-unixsocket, a binding of the same system calls written independently of ffsock (jnr-ffi over
 * libc), in both directions: a jnr client of an ffsock listener, and ffsock as the client of a jnr listener. The
 * jnr side also reads what the kernel says about ffsock's end: the path ffsock bound ({@code getsockname} /
 * {@code getpeername} through jnr) and the peer credentials ({@code SO_PEERCRED}).
 */
@ExtendWith(FdBaseline.class)
@Timeout(30)
class JnrUnixSocketIT {
    private static final int T = 10_000;

    @TempDir
    Path dir;

    private int pairs;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jnr-peer");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void closeAll() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(T, TimeUnit.MILLISECONDS), "peer threads did not stop");
    }

    private <C extends AutoCloseable> C track(C c) {
        resources.push(c);
        return c;
    }

    /** A jnr channel: shut down before closing, so that a peer thread blocked in a native read wakes up. */
    private UnixSocketChannel track(UnixSocketChannel ch) {
        resources.push(() -> {
            try {
                ch.shutdownInput();
                ch.shutdownOutput();
            } catch (IOException ignored) {
                // not connected any more
            }
            ch.close();
        });
        return ch;
    }

    enum Side {
        /** ffsock connects to a jnr listener. */
        FFSOCK_CLIENT,
        /** jnr connects to an ffsock listener. */
        FFSOCK_SERVER
    }

    /** A connected pair, the listener's path, and the ffsock listener ({@code null} when jnr listens). */
    record Pair(Socket ff, UnixSocketChannel jnr, InputStream jnrIn, OutputStream jnrOut, String path,
                Socket listener) {}

    private Pair open(Side side) throws Exception {
        Path path = dir.resolve((side == Side.FFSOCK_CLIENT ? "jnr-" : "ff-") + (++pairs) + ".sock");
        UnixSocketChannel jnr;
        Socket ff;
        Socket listener = null;
        if (side == Side.FFSOCK_CLIENT) {
            UnixServerSocketChannel server = track(UnixServerSocketChannel.open());
            server.socket().bind(new UnixSocketAddress(path.toFile()));
            ff = track(new Socket());
            ff.connectUNIX(path.toString());
            jnr = track(server.accept());
        } else {
            Socket server = track(new Socket());
            listener = server;
            server.bindUNIX(path.toString());
            assertEquals(0, server.listen());
            jnr = track(UnixSocketChannel.open(new UnixSocketAddress(path.toFile())));
            ff = server.accept(T);
            assertNotNull(ff, "ffsock accept() returned no connection within " + T + " ms");
            track(ff);
        }
        assertNotNull(jnr);
        return new Pair(ff, jnr, Channels.newInputStream(jnr), Channels.newOutputStream(jnr), path.toString(),
                listener);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(Side.class)
    void stringsAndIntegers(Side side) throws Exception {
        Pair p = open(side);
        String s = "über jnr → ffsock ✓";
        p.jnrOut().write(s.getBytes(UTF_8));
        p.jnrOut().flush();
        assertEquals(s, p.ff().recv(s.getBytes(UTF_8).length, T));

        String back = "ffsock → jnr: ça va";
        assertEquals(0, p.ff().send(back, T));
        assertEquals(back, new String(p.jnrIn().readNBytes(back.getBytes(UTF_8).length), UTF_8));

        assertEquals(0, p.ff().sendi4(-7));
        assertEquals(0, p.ff().sendi8LSB(0x1122334455667788L));
        DataInputStream in = new DataInputStream(p.jnrIn());
        assertEquals(-7, in.readInt());
        assertEquals(0x1122334455667788L, Long.reverseBytes(in.readLong()));
    }

    @ParameterizedTest
    @EnumSource(Side.class)
    void quarterMebibyteEachWay(Side side) throws Exception {
        Pair p = open(side);
        byte[] toJnr = random(256 * 1024, 11);
        byte[] toFf = random(256 * 1024, 12);
        Future<byte[]> jnrRead = pool.submit(() -> p.jnrIn().readNBytes(toJnr.length));
        Future<Integer> ffSend = pool.submit(() -> p.ff().send(toJnr, T));
        Future<?> jnrWrite = pool.submit(() -> {
            p.jnrOut().write(toFf);
            p.jnrOut().flush();
            return null;
        });
        byte[] ffGot = p.ff().recvBinary(toFf.length, T);
        assertEquals(0, ffSend.get(T, TimeUnit.MILLISECONDS));
        jnrWrite.get(T, TimeUnit.MILLISECONDS);
        assertArrayEquals(toJnr, jnrRead.get(T, TimeUnit.MILLISECONDS), "ffsock -> jnr differs");
        assertArrayEquals(toFf, ffGot, "jnr -> ffsock differs");
    }

    @ParameterizedTest
    @EnumSource(Side.class)
    void halfCloseBothWays(Side side) throws Exception {
        Pair p = open(side);
        // ffsock shutdown(): jnr reads what was sent, then end of stream
        byte[] last = random(50_000, 13);
        Future<byte[]> jnrRead = pool.submit(() -> p.jnrIn().readAllBytes());
        assertEquals(0, p.ff().send(last, T));
        assertEquals(0, p.ff().shutdown());
        assertArrayEquals(last, jnrRead.get(T, TimeUnit.MILLISECONDS));
        assertTrue(p.ff().isOpen());

        // and the other way, on a new pair: jnr shutdownOutput() ends ffsock's recv(-1) with everything sent
        Pair q = open(side);
        byte[] data = random(200_000, 14);
        Future<?> w = pool.submit(() -> {
            q.jnrOut().write(data, 0, 1000);
            q.jnrOut().flush();
            Thread.sleep(20);
            q.jnrOut().write(data, 1000, data.length - 1000);
            q.jnrOut().flush();
            q.jnr().shutdownOutput();
            return null;
        });
        byte[] got = q.ff().recvBinary(-1, T);
        w.get(T, TimeUnit.MILLISECONDS);
        assertArrayEquals(data, got);
        assertFalse(q.ff().isOpen(), "end of stream closes the socket");
    }

    @ParameterizedTest
    @EnumSource(Side.class)
    void theKernelAgreesOnNamesAndCredentials(Side side) throws Exception {
        Pair p = open(side);
        if (side == Side.FFSOCK_SERVER) {
            // getpeername through jnr: the path ffsock bound, byte for byte, NUL-terminated where it should be
            UnixSocketAddress remote = p.jnr().getRemoteSocketAddress();
            assertNotNull(remote);
            assertEquals(p.path(), remote.path());
            assertTrue(Files.exists(Path.of(p.path())));
        } else {
            // the ffsock client did not bind, so jnr sees an unnamed peer; ffsock names the jnr listener's path
            assertEquals(p.path(), p.jnr().getLocalSocketAddress().path());
        }
        SocketInfo peer = p.ff().getPeerInfo();
        assertEquals(p.path(), peer.address());
        assertEquals("unix:" + p.path(), peer.addressDesc());
        assertEquals(SocketInfo.AF_UNIX, peer.family());
        assertEquals("unix", peer.familyStr());
        assertEquals(-1, peer.port());

        // SO_PEERCRED as jnr reads it: ffsock's end belongs to this process
        Credentials cred = p.jnr().socket().getCredentials();
        assertEquals(ProcessHandle.current().pid(), cred.getPid());
        assertEquals(JnrPosix.posix().getuid(), cred.getUid());
    }

    @ParameterizedTest
    @EnumSource(Side.class)
    void closingDeletesOnlyTheListenersFile(Side side) throws Exception {
        Pair p = open(side);
        Path path = Path.of(p.path());
        p.ff().close();
        // a connected or accepted socket never deletes the file; only the socket that bound it does
        assertTrue(Files.exists(path), "closing a connection must not delete the listener's socket file");
        assertEquals(-1, p.jnrIn().read(), "jnr sees end of stream when ffsock closes");
        if (p.listener() != null) {
            p.listener().close();
            assertFalse(Files.exists(path), "closing the ffsock listener deletes the file it bound");
            // and a jnr client cannot reach it any more
            assertThrows(IOException.class, () -> UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))
                    .close());
        }
    }
}
