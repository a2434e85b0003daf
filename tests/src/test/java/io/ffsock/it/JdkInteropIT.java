package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.SocketInfo;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ffsock against the JDK's own sockets, the JDK being the reference: every test runs for each address family
 * ({@link Transport}: TCP over 127.0.0.1, TCP over ::1, AF_UNIX) and for each side ffsock plays ({@link Side}:
 * the client of a JDK server, or the server of a JDK client). TCP peers are {@code java.net.ServerSocket} and
 * {@code java.net.Socket}; UNIX peers are {@code ServerSocketChannel} / {@code SocketChannel} with
 * {@code UnixDomainSocketAddress}.
 */
@ExtendWith(FdBaseline.class)
@Timeout(30)
class JdkInteropIT {
    /** Longest a single blocking step may take before the test counts as failed. */
    private static final int T = 10_000;

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>(); // peer threads add too
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jdk-peer");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void closeAll() throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(T, TimeUnit.MILLISECONDS), "peer threads did not stop");
        if (first != null) {
            throw first;
        }
    }

    private <C extends AutoCloseable> C track(C c) {
        resources.push(c);
        return c;
    }

    // =============================================================================================================
    // the address strategies
    // =============================================================================================================

    /** The JDK's end of a connection. */
    interface JdkEnd extends Closeable {
        InputStream in();

        OutputStream out();

        void shutdownOutput() throws IOException;

        /** The JDK's local address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
        SocketAddress local() throws IOException;

        SocketAddress remote() throws IOException;
    }

    /** A JDK listening socket. */
    interface JdkListener extends Closeable {
        /** The string ffsock's {@code connect()} takes to reach it. */
        String target();

        SocketAddress local() throws IOException;

        JdkEnd accept() throws IOException;
    }

    enum Transport {
        TCP4("127.0.0.1"), TCP6("::1"), UNIX(null);

        private final String loopback;

        Transport(String loopback) {
            this.loopback = loopback;
        }

        /** Skips the test when this family cannot be used here. */
        void assume() {
            if (this == TCP6) {
                Assumptions.assumeTrue(IPV6_LOOPBACK,
                        "IPv6 loopback ::1 is not configured on this host: TCP/IPv6 interop skipped");
            }
        }

        InetAddress loopback() throws IOException {
            return InetAddress.getByName(loopback);
        }

        /** What ffsock's {@code bind()} takes for a listener of this family in {@code dir}. */
        String bindTarget(Path dir) {
            return switch (this) {
                case TCP4 -> "127.0.0.1:0";
                case TCP6 -> "[::1]:0";
                case UNIX -> dir.resolve("ff.sock").toString();
            };
        }

        JdkListener listen(Path dir) throws IOException {
            if (this == UNIX) {
                Path p = dir.resolve("jdk.sock");
                ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ch.bind(UnixDomainSocketAddress.of(p));
                return new JdkListener() {
                    public String target() {
                        return p.toString();
                    }

                    public SocketAddress local() throws IOException {
                        return ch.getLocalAddress();
                    }

                    public JdkEnd accept() throws IOException {
                        return unixEnd(ch.accept());
                    }

                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }
            ServerSocket ss = new ServerSocket();
            ss.bind(new InetSocketAddress(loopback(), 0));
            ss.setSoTimeout(T);
            String host = this == TCP6 ? "[" + loopback + "]" : loopback;
            return new JdkListener() {
                public String target() {
                    return host + ":" + ss.getLocalPort();
                }

                public SocketAddress local() {
                    return ss.getLocalSocketAddress();
                }

                public JdkEnd accept() throws IOException {
                    return tcpEnd(ss.accept());
                }

                public void close() throws IOException {
                    ss.close();
                }
            };
        }

        /** Connects a JDK client to the ffsock listener {@code server}. */
        JdkEnd connect(Socket server) throws IOException {
            SocketInfo si = server.getSocketInfo(false);
            if (this == UNIX) {
                return unixEnd(SocketChannel.open(UnixDomainSocketAddress.of(si.address())));
            }
            java.net.Socket s = new java.net.Socket();
            try {
                s.connect(new InetSocketAddress(loopback(), si.port()), T);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            return tcpEnd(s);
        }
    }

    private static final boolean IPV6_LOOPBACK = ipv6Loopback();

    private static boolean ipv6Loopback() {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static JdkEnd tcpEnd(java.net.Socket s) throws IOException {
        s.setSoTimeout(T);
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        return new JdkEnd() {
            public InputStream in() {
                return in;
            }

            public OutputStream out() {
                return out;
            }

            public void shutdownOutput() throws IOException {
                s.shutdownOutput();
            }

            public SocketAddress local() {
                return s.getLocalSocketAddress();
            }

            public SocketAddress remote() {
                return s.getRemoteSocketAddress();
            }

            public void close() throws IOException {
                s.close();
            }
        };
    }

    /** A blocking UNIX channel; reads are bounded by the test's timeout, which interrupts and so closes it. */
    static JdkEnd unixEnd(SocketChannel ch) {
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch);
        return new JdkEnd() {
            public InputStream in() {
                return in;
            }

            public OutputStream out() {
                return out;
            }

            public void shutdownOutput() throws IOException {
                ch.shutdownOutput();
            }

            public SocketAddress local() throws IOException {
                return ch.getLocalAddress();
            }

            public SocketAddress remote() throws IOException {
                return ch.getRemoteAddress();
            }

            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** Which end ffsock is. */
    enum Side {
        /** ffsock {@code connect()}s to a JDK listener. */
        FFSOCK_CLIENT,
        /** A JDK client connects to an ffsock listener and ffsock {@code accept()}s it. */
        FFSOCK_SERVER
    }

    /** A connected pair: ffsock's end and the JDK's, plus what the JDK sees as the server's address. */
    record Pair(Socket ff, JdkEnd jdk, SocketAddress server) {}

    private Pair open(Transport t, Side side) throws Exception {
        t.assume();
        if (side == Side.FFSOCK_CLIENT) {
            JdkListener l = track(t.listen(dir));
            Socket ff = track(new Socket());
            ff.connect(l.target(), T);
            JdkEnd jdk = track(l.accept());
            return new Pair(ff, jdk, l.local());
        }
        Socket server = track(new Socket());
        assertEquals(0, server.bind(t.bindTarget(dir), true), () -> "bind errno " + Socket.errno());
        assertEquals(0, server.listen());
        JdkEnd jdk = track(t.connect(server));
        Socket ff = server.accept(T);
        assertNotNull(ff, "ffsock accept() returned no connection within " + T + " ms");
        track(ff);
        return new Pair(ff, jdk, jdk.remote());
    }

    static Stream<Arguments> cases() {
        return Arrays.stream(Transport.values())
                .flatMap(t -> Arrays.stream(Side.values()).map(s -> Arguments.of(t, s)));
    }

    /** Runs the test once per address family and side. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.ffsock.it.JdkInteropIT#cases")
    @interface EachCase {}

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    // =============================================================================================================
    // the contract
    // =============================================================================================================

    @EachCase
    void stringsBothWays(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        String toJdk = "hello from ffsock: grüße, 日本語, ✓\n";
        byte[] toJdkBytes = toJdk.getBytes(UTF_8);
        assertEquals(0, p.ff().send(toJdk, T));
        byte[] got = new DataInputStream(p.jdk().in()).readNBytes(toJdkBytes.length);
        assertEquals(toJdk, new String(got, UTF_8), "the JDK decodes what ffsock sent as UTF-8");

        String toFf = "and back from the JDK: ÅÄÖ €\r\n";
        p.jdk().out().write(toFf.getBytes(UTF_8));
        p.jdk().out().flush();
        assertEquals(toFf, p.ff().recv(toFf.getBytes(UTF_8).length, T));

        // recv(0): what is there, at least one byte; loop until the whole string arrived
        String more = "some more, read with recv(0)";
        p.jdk().out().write(more.getBytes(UTF_8));
        p.jdk().out().flush();
        StringBuilder sb = new StringBuilder();
        while (sb.length() < more.length()) {
            String chunk = p.ff().recv(0, T);
            assertFalse(chunk.isEmpty(), "recv(0) returned nothing on an open connection");
            sb.append(chunk);
        }
        assertEquals(more, sb.toString());

        // another charset: the JDK sees the ISO-8859-1 byte for é, and ffsock decodes the JDK's Latin-1 bytes
        p.ff().setCharset("latin1");
        assertEquals("ISO-8859-1", p.ff().getCharset());
        assertEquals(0, p.ff().send("é", T));
        assertEquals(0xE9, p.jdk().in().read());
        p.jdk().out().write("ñ".getBytes(StandardCharsets.ISO_8859_1));
        p.jdk().out().flush();
        assertEquals("ñ", p.ff().recv(1, T));
    }

    @EachCase
    void oneMebibyteEachWayAtOnce(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        byte[] toJdk = random(1 << 20, 1);
        byte[] toFf = random(1 << 20, 2);
        // both directions at the same time: one ffsock writer thread and one ffsock reader thread
        Future<byte[]> jdkRead = pool.submit(() -> p.jdk().in().readNBytes(toJdk.length));
        Future<Integer> ffSend = pool.submit(() -> p.ff().send(toJdk, T));
        Future<?> jdkWrite = pool.submit(() -> {
            p.jdk().out().write(toFf);
            p.jdk().out().flush();
            return null;
        });
        byte[] ffGot = p.ff().recvBinary(toFf.length, T);
        assertEquals(0, ffSend.get(T, TimeUnit.MILLISECONDS));
        jdkWrite.get(T, TimeUnit.MILLISECONDS);
        byte[] jdkGot = jdkRead.get(T, TimeUnit.MILLISECONDS);
        assertEquals(toJdk.length, jdkGot.length);
        assertArrayEquals(toJdk, jdkGot, "ffsock -> JDK: 1 MiB differs");
        assertArrayEquals(toFf, ffGot, "JDK -> ffsock: 1 MiB differs");
    }

    @EachCase
    void integersFromFfsockReadByTheJdk(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        Socket ff = p.ff();
        assertEquals(0, ff.sendi1(10));
        assertEquals(0, ff.sendi1(0x1FF)); // the low 8 bits: 0xff
        assertEquals(0, ff.sendi2(5121));
        assertEquals(0, ff.sendi2(-2));
        assertEquals(0, ff.sendi4(2393921));
        assertEquals(0, ff.sendi4(0x1_0000_0001L)); // the low 32 bits: 1
        assertEquals(0, ff.sendi8(12309309203932L));
        assertEquals(0, ff.sendi8(Long.MIN_VALUE));
        assertEquals(0, ff.sendi2LSB(5121));
        assertEquals(0, ff.sendi4LSB(2393921));
        assertEquals(0, ff.sendi4LSB(-123456789));
        assertEquals(0, ff.sendi8LSB(12309309203932L));
        assertEquals(0, ff.sendi8LSB(-2L));

        DataInputStream in = new DataInputStream(p.jdk().in());
        assertEquals(10, in.readByte());
        assertEquals(-1, in.readByte());
        assertEquals(5121, in.readShort());
        assertEquals(-2, in.readShort());
        assertEquals(2393921, in.readInt());
        assertEquals(1, in.readInt());
        assertEquals(12309309203932L, in.readLong());
        assertEquals(Long.MIN_VALUE, in.readLong());
        ByteBuffer le = ByteBuffer.wrap(in.readNBytes(2 + 4 + 4 + 8 + 8)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5121, le.getShort());
        assertEquals(2393921, le.getInt());
        assertEquals(-123456789, le.getInt());
        assertEquals(12309309203932L, le.getLong());
        assertEquals(-2L, le.getLong());
    }

    @EachCase
    void integersFromTheJdkReadByFfsock(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.writeByte(-5);
        out.writeByte(0xFF);
        out.writeShort(0xFFFF);
        out.writeShort(5121);
        out.writeInt(-1);
        out.writeInt(0xFFFF_FFFF);
        out.writeLong(12309309203932L);
        ByteBuffer le = ByteBuffer.allocate(2 + 2 + 4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        le.putShort((short) -300).putShort((short) 0xFFFF).putInt(-123456789).putInt(0xFFFF_FFFE).putLong(-2L);
        out.write(le.array());
        p.jdk().out().write(bos.toByteArray());
        p.jdk().out().flush();

        Socket ff = p.ff();
        assertEquals(-5, ff.recvi1(T));
        assertEquals(255, ff.recvu1(T));
        assertEquals(65535, ff.recvu2(T));
        assertEquals(5121, ff.recvi2(T));
        assertEquals(-1, ff.recvi4(T));
        assertEquals(4294967295L, ff.recvu4(T));
        assertEquals(12309309203932L, ff.recvi8(T));
        assertEquals(-300, ff.recvi2LSB(T));
        assertEquals(65535, ff.recvu2LSB(T));
        assertEquals(-123456789, ff.recvi4LSB(T));
        assertEquals(4294967294L, ff.recvu4LSB(T));
        assertEquals(-2L, ff.recvi8LSB(T));

        // a value that arrives one byte at a time is assembled from several receives, not just the last one
        Future<?> dribble = pool.submit(() -> {
            byte[] v = ByteBuffer.allocate(8 + 4).putLong(0x0102030405060708L)
                    .order(ByteOrder.LITTLE_ENDIAN).putInt(0x0A0B0C0D).array();
            for (byte b : v) {
                p.jdk().out().write(b);
                p.jdk().out().flush();
                Thread.sleep(3);
            }
            return null;
        });
        assertEquals(0x0102030405060708L, ff.recvi8(T));
        assertEquals(0x0A0B0C0D, ff.recvi4LSB(T));
        dribble.get(T, TimeUnit.MILLISECONDS);
    }

    @EachCase
    void javaIoAndNioViewsTalkToTheJdk(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        // ffsock's OutputStream under a DataOutputStream, read by the JDK's DataInputStream, and back
        DataOutputStream ffOut = new DataOutputStream(new java.io.BufferedOutputStream(p.ff().getOutputStream()));
        ffOut.writeUTF("modified UTF-8: ∀x");
        ffOut.writeDouble(Math.PI);
        ffOut.writeLong(-1234567890123L);
        ffOut.flush();
        DataInputStream jdkIn = new DataInputStream(p.jdk().in());
        assertEquals("modified UTF-8: ∀x", jdkIn.readUTF());
        assertEquals(Math.PI, jdkIn.readDouble());
        assertEquals(-1234567890123L, jdkIn.readLong());

        DataOutputStream jdkOut = new DataOutputStream(p.jdk().out());
        jdkOut.writeUTF("zurück");
        jdkOut.writeInt(0xCAFEBABE);
        jdkOut.flush();
        DataInputStream ffIn = new DataInputStream(p.ff().getInputStream());
        assertEquals("zurück", ffIn.readUTF());
        assertEquals(0xCAFEBABE, ffIn.readInt());

        // the channel view with a direct buffer one way and a heap buffer the other
        byte[] data = random(256 * 1024, 5);
        Future<byte[]> jdkRead = pool.submit(() -> p.jdk().in().readNBytes(data.length));
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        while (direct.hasRemaining()) {
            p.ff().channel().write(direct);
        }
        assertArrayEquals(data, jdkRead.get(T, TimeUnit.MILLISECONDS));
        Future<?> jdkWrite = pool.submit(() -> {
            p.jdk().out().write(data);
            p.jdk().out().flush();
            return null;
        });
        ByteBuffer heap = ByteBuffer.allocate(data.length);
        while (heap.hasRemaining()) {
            assertTrue(p.ff().channel().read(heap) > 0);
        }
        jdkWrite.get(T, TimeUnit.MILLISECONDS);
        assertArrayEquals(data, heap.array());

        // end of stream through the views: -1, and the socket stays open until closed
        p.jdk().shutdownOutput();
        assertEquals(-1, p.ff().getInputStream().read());
        assertEquals(-1, p.ff().channel().read(ByteBuffer.allocate(1)));
        assertTrue(p.ff().isOpen());
    }

    @EachCase
    void ffsockShutdownIsEndOfStreamForTheJdk(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        byte[] last = random(100_000, 3);
        Future<byte[]> jdkRead = pool.submit(() -> p.jdk().in().readAllBytes()); // returns only at end of stream
        assertEquals(0, p.ff().send(last, T));
        assertEquals(0, p.ff().shutdown());
        assertArrayEquals(last, jdkRead.get(T, TimeUnit.MILLISECONDS),
                "the JDK reads everything ffsock sent and then end of stream");
        assertTrue(p.ff().isOpen(), "shutdown() keeps the descriptor until close()");
        assertTrue(p.ff().getSocket() >= 0);
        p.ff().close();
        assertFalse(p.ff().isOpen());
        assertEquals(0, p.ff().shutdown(), "shutdown() of a closed socket is harmless");
    }

    @EachCase
    void jdkShutdownOutputEndsFfsockRecvAll(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        byte[] a = "first part|".getBytes(UTF_8);
        byte[] b = random(300_000, 4);
        byte[] c = "|the end".getBytes(UTF_8);
        Future<?> jdkWrite = pool.submit(() -> {
            OutputStream out = p.jdk().out();
            out.write(a);
            out.flush();
            Thread.sleep(20); // the first part arrives on its own: recv(-1) must not stop at a pause
            out.write(b);
            out.write(c);
            out.flush();
            p.jdk().shutdownOutput();
            return null;
        });
        byte[] all = p.ff().recvBinary(-1, T);
        jdkWrite.get(T, TimeUnit.MILLISECONDS);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        expected.write(c);
        assertEquals(expected.size(), all.length, "recv(-1) returns everything up to the peer's end of stream");
        assertArrayEquals(expected.toByteArray(), all);
        // end of stream reached: ffsock closed its end (as Qore does), and the JDK sees that as end of stream
        assertFalse(p.ff().isOpen());
        assertEquals(-1, p.jdk().in().read());
    }

    @EachCase
    void aReadThatTimesOutLosesNothing(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        OutputStream out = p.jdk().out();
        out.write("abc".getBytes(UTF_8));
        out.flush();
        // recv(10) gets 3 bytes, then times out: the 3 bytes stay for the next read
        SocketException e = assertThrows(SocketException.class, () -> p.ff().recv(10, 100));
        assertEquals(SocketError.TIMEOUT, e.error(), e::toString);
        assertTrue(p.ff().isOpen(), "a timeout keeps the socket open");
        out.write("defghij".getBytes(UTF_8));
        out.flush();
        assertEquals("abcdefghij", p.ff().recv(10, T));

        // recv(-1) gets some bytes, then times out while the peer is still open: they stay too
        out.write("klm".getBytes(UTF_8));
        out.flush();
        SocketException e2 = assertThrows(SocketException.class, () -> p.ff().recv(-1, 100));
        assertEquals(SocketError.TIMEOUT, e2.error(), e2::toString);
        out.write("nop".getBytes(UTF_8));
        out.flush();
        p.jdk().shutdownOutput();
        assertEquals("klmnop", p.ff().recv(-1, T));
    }

    @EachCase
    void sendingToAClosedJdkPeerFailsAndCloses(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        p.jdk().close();
        byte[] chunk = new byte[64 * 1024];
        // the first sends may still be buffered (TCP learns of the close from the RST its data provokes)
        SocketException e = assertThrows(SocketException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                p.ff().send(chunk, T);
                Thread.sleep(1);
            }
        });
        assertEquals(SocketError.SEND_ERROR, e.error(), e::toString);
        assertTrue(e.errno() == Errno.EPIPE.intValue() || e.errno() == Errno.ECONNRESET.intValue(), e::toString);
        assertTrue(e.getMessage().contains(e.strerror()), e::getMessage);
        assertFalse(p.ff().isOpen(), "a send error closes the socket");
    }

    @EachCase
    void recvAllOfAnEmptyStreamIsEmpty(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        p.jdk().shutdownOutput();
        assertEquals("", p.ff().recv(-1, T));
        assertFalse(p.ff().isOpen());
    }

    @EachCase
    void infoMatchesTheJdksView(Transport t, Side side) throws Exception {
        Pair p = open(t, side);
        // /etc/hosts names 127.0.0.1 but not ::1: a reverse lookup of ::1 would ask a DNS server, so it is skipped
        boolean lookup = t != Transport.TCP6;
        SocketInfo peer = p.ff().getPeerInfo(lookup);
        SocketInfo self = p.ff().getSocketInfo(lookup);
        if (t == Transport.UNIX) {
            String path = ((UnixDomainSocketAddress) p.server()).getPath().toString();
            // the peer of a UNIX client is the server's path; an accepted socket reports its listener's path too
            assertEquals(new SocketInfo(null, null, path, "unix:" + path, -1, SocketInfo.AF_UNIX, "unix"), peer);
            assertEquals(-1, self.port());
            assertEquals(SocketInfo.AF_UNIX, self.family());
            assertEquals(-1, p.ff().getPort());
            return;
        }
        InetSocketAddress jdkLocal = (InetSocketAddress) p.jdk().local();
        InetSocketAddress jdkRemote = (InetSocketAddress) p.jdk().remote();
        int family = t == Transport.TCP4 ? SocketInfo.AF_INET : SocketInfo.AF_INET6;
        String familyStr = t == Transport.TCP4 ? "ipv4" : "ipv6";
        assertEquals(jdkLocal.getPort(), peer.port(), "ffsock's peer port is the JDK's local port");
        assertEquals(jdkRemote.getPort(), self.port(), "ffsock's local port is the JDK's remote port");
        assertEquals(jdkLocal.getAddress(), InetAddress.getByName(peer.address()));
        assertEquals(jdkRemote.getAddress(), InetAddress.getByName(self.address()));
        assertEquals(family, peer.family());
        assertEquals(family, self.family());
        assertEquals(familyStr, peer.familyStr());
        assertEquals(t == Transport.TCP4 ? "ipv4(127.0.0.1)" : "ipv6[::1]", peer.addressDesc());
        if (peer.hostname() != null) {
            assertEquals(t == Transport.TCP4 ? "ipv4(" + peer.hostname() + ")" : "ipv6[" + peer.hostname() + "]",
                    peer.hostnameDesc());
        } else {
            assertNull(peer.hostnameDesc());
        }
        // getPort() is the server's port whichever end ffsock is: the remote one when it connected, the
        // listener's when it accepted
        int serverPort = ((InetSocketAddress) p.server()).getPort();
        assertEquals(serverPort, p.ff().getPort());
        SocketInfo noLookup = p.ff().getPeerInfo(false);
        assertNull(noLookup.hostname());
        assertEquals(peer.port(), noLookup.port());
    }

    // =============================================================================================================
    // AF_UNIX specifics, the JDK listener as the reference
    // =============================================================================================================

    @Test
    void aFullUnixBacklogIsNeverReportedAsConnected() throws Exception {
        Path p = dir.resolve("backlog.sock");
        ServerSocketChannel ss = track(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        ss.bind(UnixDomainSocketAddress.of(p), 1); // and it never accepts until the end
        int connected = 0;
        SocketException full = null;
        for (int i = 0; i < 64 && full == null; i++) {
            Socket s = track(new Socket());
            try {
                s.connect(p.toString(), 100);
            } catch (SocketException e) {
                full = e;
                assertFalse(s.isOpen());
                break;
            }
            // connect() returned: the kernel must agree that it is connected
            assertEquals(p.toString(), s.getPeerInfo().address()); // getpeername(2) fails on an unconnected socket
            assertEquals(0, s.send("q"));
            connected++;
        }
        assertNotNull(full, "64 connects to a listener with backlog 1 that never accepts all returned normally");
        assertEquals(SocketError.CONNECT_ERROR, full.error(), full::toString);
        assertTrue(full.getMessage().contains("timeout"), full::getMessage);

        // a connect that may wait gets in once the JDK makes room by accepting
        Future<?> waiting = pool.submit(() -> {
            Socket s = track(new Socket());
            s.connect(p.toString(), T);
            s.send("in");
            return null;
        });
        SocketChannel last = null;
        for (int i = 0; i <= connected; i++) {
            last = track(ss.accept());
        }
        waiting.get(T, TimeUnit.MILLISECONDS);
        assertEquals("in", new String(Channels.newInputStream(last).readNBytes(2), UTF_8));
    }

    @Test
    void nonAsciiUnixPathsNameTheSameFileForBoth() throws Exception {
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "the JVM encodes file names in " + System.getProperty("sun.jnu.encoding")
                        + ", not UTF-8 as ffsock does: non-ASCII UNIX path interop skipped");
        // ffsock binds, the JDK finds the file by the same name and connects
        Path ffPath = dir.resolve("sœur-ünï-日本.sock");
        Socket server = track(new Socket());
        server.bindUNIX(ffPath.toString());
        assertTrue(Files.exists(ffPath), "the file ffsock created has the name the JDK expects");
        assertEquals(0, server.listen());
        JdkEnd jdk = track(unixEnd(SocketChannel.open(UnixDomainSocketAddress.of(ffPath))));
        Socket a = track(server.accept(T));
        jdk.out().write(5);
        jdk.out().flush();
        assertEquals(5, a.recvi1(T));
        assertEquals(ffPath.toString(), a.getPeerInfo().address());

        // the JDK binds, ffsock connects by name
        Path jdkPath = dir.resolve("ĉapelo-😀.sock");
        ServerSocketChannel ss = track(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        ss.bind(UnixDomainSocketAddress.of(jdkPath));
        Socket c = track(new Socket());
        c.connectUNIX(jdkPath.toString());
        JdkEnd accepted = track(unixEnd(ss.accept()));
        c.sendi1(6);
        assertEquals(6, accepted.in().read());
    }
}
