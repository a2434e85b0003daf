package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Descriptor-level control on {@link Socket}: socketpair, adopting and detaching descriptors, half-close, urgent
 * data, vectored I/O, binding before connecting, AF_UNIX extras (descriptor passing, peer credentials, the
 * abstract namespace) and SOCK_DGRAM through Qore's socktype argument. All over real kernel sockets.
 */
@Timeout(30)
class FdControlTest {
    private static final int T = 5_000;

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isOpenFd(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    @Test
    void socketPairIsAConnectedUnixStreamPair() throws Exception {
        Socket[] p = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]) {
            a.send("ping");
            assertEquals("ping", b.recv(4, T));
            b.sendi4(42);
            assertEquals(42, a.recvi4(T));
            assertEquals(SocketInfo.AF_UNIX, a.getOption(SocketOptions.SO_DOMAIN));
            PeerCredentials pc = a.getPeerCredentials();
            assertEquals(ProcessHandle.current().pid(), pc.pid(), "the peer of a socketpair is this process");
        }
    }

    @Test
    void fromFdAdoptsAListenerAndDetachHandsItBack() throws Exception {
        try (Socket listener = Loopback.listener("127.0.0.1:0")) {
            int port = listener.getPort();
            String inode = link(listener.getSocket());
            int fd = listener.detach();
            assertFalse(listener.isOpen());
            assertEquals(-1, listener.getSocket());
            assertTrue(isOpenFd(fd), "detach must not close the descriptor");
            try (Socket adopted = Socket.fromFd(fd); Socket c = new Socket()) {
                assertEquals(fd, adopted.getSocket());
                assertEquals(port, adopted.getPort());
                assertTrue(adopted.getOption(SocketOptions.SO_ACCEPTCONN), "still listening");
                c.connect("127.0.0.1:" + port, T);
                try (Socket a = adopted.accept(T)) {
                    assertNotNull(a);
                    c.send("via adopted listener");
                    assertEquals("via adopted listener", a.recv(20, T));
                }
            }
            assertNotEquals(inode, link(fd), "closing the adopted socket closed the descriptor");
        }
    }

    /** What /proc/self/fd says descriptor {@code fd} is ({@code socket:[inode]}), or "" when it is not open. */
    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void fromFdRefusesWhatIsNoStreamSocket() throws Exception {
        SocketException bad = assertThrows(SocketException.class, () -> Socket.fromFd(999_999));
        assertEquals(Errno.EBADF, bad.errno());
        assertTrue(bad.getMessage().contains("not an open descriptor"), bad.getMessage());
        assertEquals(Errno.EBADF, assertThrows(SocketException.class, () -> Socket.fromFd(-3)).errno());
        DatagramSocket[] dp = DatagramSocket.pair();
        try (DatagramSocket a = dp[0]; DatagramSocket b = dp[1]) {
            int fd = a.getSocket();
            SocketException e = assertThrows(SocketException.class, () -> Socket.fromFd(fd));
            assertEquals(Errno.EPROTOTYPE, e.errno());
            assertTrue(a.isOpen(), "a refused descriptor is left as it was");
            a.send(bytes("x"));
            assertEquals("x", new String(b.recv(T), StandardCharsets.UTF_8));
        }
    }

    @Test
    void detachIsRefusedWhileAnotherThreadIsInACall() throws Exception {
        Socket[] p = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]) {
            CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.recv(3, T);
                } catch (SocketException e) {
                    return e.toString();
                }
            });
            Thread.sleep(100);
            SocketException e = assertThrows(SocketException.class, a::detach);
            assertEquals(Errno.EBUSY, e.errno(), e.getMessage());
            b.send("end");
            assertEquals("end", reader.get(5, TimeUnit.SECONDS));
            int fd = a.detach();
            Sys.closeQuietly(fd);
        }
    }

    @Test
    void halfCloseLetsThePeerSeeEndOfStreamWhileTheOtherDirectionFlows() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            Socket s = p.accepted();
            c.send("request");
            assertEquals(0, c.shutdownOutput());
            assertEquals("request", s.recv(-1, T), "the server reads to end of stream");
            // the server's socket closed itself at EOF (Qore's rule); answer through a fresh pair instead
        }
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            Socket s = p.accepted();
            c.send("request");
            assertEquals(0, c.shutdownOutput());
            assertEquals("request", s.recv(7, T));
            ByteBuffer eof = ByteBuffer.allocate(1);
            assertEquals(-1, s.read(eof), "the server sees end of stream");
            s.send("response after the client's half-close");
            assertEquals("response after the client's half-close", c.recv(38, T), "the other way still flows");
            assertEquals(0, s.shutdownInput());
            assertEquals(-1, s.read(eof), "after shutdownInput reads end at once");
        }
    }

    @Test
    void urgentDataTravelsApartFromTheStreamAndTheMarkIsFound() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            Socket s = p.accepted();
            SocketException none = assertThrows(SocketException.class, () -> s.recvUrgent(50));
            assertEquals(SocketError.TIMEOUT, none.error());
            c.send("abc");
            c.sendUrgent('!');
            c.send("def");
            assertEquals('!', s.recvUrgent(T));
            assertFalse(s.atMark(), "the bytes before the urgent one are still unread");
            assertEquals("abc", s.recv(3, T), "a read stops at the mark");
            assertTrue(s.atMark(), "the next byte is the one after the urgent byte");
            assertEquals("def", s.recv(3, T), "the urgent byte is not in the stream");
            assertFalse(s.atMark());
        }
    }

    @Test
    void writevGathersAndContinuesShortWrites() throws Exception {
        Socket[] p = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]; Arena arena = Arena.ofConfined()) {
            a.setOption(SocketOptions.SO_SNDBUF, 4096);
            b.setOption(SocketOptions.SO_RCVBUF, 4096);
            Random rnd = new Random(11);
            MemorySegment[] parts = new MemorySegment[1500];
            java.io.ByteArrayOutputStream expect = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < parts.length; i++) {
                byte[] v = new byte[1 + rnd.nextInt(1500)];
                rnd.nextBytes(v);
                expect.write(v);
                // native and heap segments mixed, and more entries than one writev takes (IOV_MAX)
                parts[i] = i % 3 == 0 ? MemorySegment.ofArray(v) : arena.allocateFrom(ValueLayout.JAVA_BYTE, v);
            }
            byte[] want = expect.toByteArray();
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.recvBinary(want.length, T);
                } catch (SocketException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(want.length, a.writev(parts), "all bytes of " + want.length + " through a 4 KiB buffer");
            assertArrayEquals(want, reader.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void readvScattersInOrderAndTakesBufferedBytesFirst() throws Exception {
        Socket[] p = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]; Arena arena = Arena.ofConfined()) {
            a.send("headBODY-and-more");
            MemorySegment head = arena.allocate(4);
            byte[] body = new byte[13];
            long n = b.readv(head, MemorySegment.ofArray(body));
            assertEquals(17, n);
            assertEquals("head", new String(head.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            assertEquals("BODY-and-more", new String(body, StandardCharsets.US_ASCII));

            a.send("0123456789");
            assertEquals("01", b.recv(2, T));
            // recv(2) may have buffered the rest: readv must hand those bytes out first, in order
            ByteBuffer x = ByteBuffer.allocate(3);
            ByteBuffer y = ByteBuffer.allocateDirect(10);
            long k = b.readv(x, y);
            assertTrue(k >= 3);
            x.flip();
            y.flip();
            byte[] yy = new byte[y.remaining()];
            y.get(yy);
            String got = StandardCharsets.US_ASCII.decode(x) + new String(yy, StandardCharsets.US_ASCII);
            assertTrue("23456789".startsWith(got) && got.length() == k, "got '" + got + "'");
            a.close();
            while (k < 8) {
                long m = b.readv(MemorySegment.ofArray(new byte[8]));
                assertTrue(m > 0);
                k += m;
            }
            assertEquals(-1, b.readv(MemorySegment.ofArray(new byte[8])), "end of stream");
        }
    }

    @Test
    void connectFromBindsTheLocalAddressFirst() throws Exception {
        try (Socket listener = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            c.connectFrom("127.0.0.1:" + listener.getPort(), "127.0.0.2:0", T);
            try (Socket a = listener.accept(T)) {
                SocketInfo peer = a.getPeerInfo(false);
                assertEquals("127.0.0.2", peer.address(), "the server sees the chosen local address");
                assertEquals(c.getSocketInfo(false).port(), peer.port());
            }
            // a chosen port too, reused across reconnects with SO_REUSEADDR
            int localPort;
            try (Socket probe = new Socket()) {
                probe.bind("127.0.0.3:0");
                localPort = probe.getPort();
            }
            c.setOption(SocketOptions.SO_REUSEADDR, true);
            c.connectFrom("127.0.0.1:" + listener.getPort(), "127.0.0.3:" + localPort, T);
            assertEquals(localPort, c.getSocketInfo(false).port());
            try (Socket a = listener.accept(T)) {
                assertEquals(localPort, a.getPeerInfo(false).port());
            }
            // a plain connect afterwards binds nothing
            c.connect("127.0.0.1:" + listener.getPort(), T);
            assertEquals("127.0.0.1", c.getSocketInfo(false).address());
            try (Socket a = listener.accept(T)) {
                assertNotNull(a);
            }
            SocketException e = assertThrows(SocketException.class,
                    () -> c.connectFrom("127.0.0.1:" + listener.getPort(), "[::1]:0", T));
            assertEquals(SocketError.CONNECT_ERROR, e.error());
        }
    }

    @Test
    void descriptorsPassOverAUnixSocketAndUntakenOnesAreClosed() throws Exception {
        Socket[] p = Socket.socketPair();
        Socket[] carried = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]; Socket c0 = carried[0]; Socket c1 = carried[1]) {
            a.sendFds(bytes("two fds"), c0.getSocket(), c1.getSocket());
            int taken;
            int dropped;
            try (ReceivedFds r = b.recvFds(100, 4, T)) {
                assertEquals("two fds", new String(r.data(), StandardCharsets.UTF_8));
                assertEquals(2, r.count());
                assertFalse(r.descriptorsTruncated());
                try (Socket got = r.takeSocket(0)) {
                    taken = got.getSocket();
                    assertNotEquals(c0.getSocket(), taken, "the receiver gets a new descriptor");
                    got.send("through the passed socket");
                    assertEquals("through the passed socket", c1.recv(25, T));
                }
                // peek at the second without taking it: it is open until the result is closed
                dropped = -1;
                String c1Inode = link(c1.getSocket());
                for (int fd = 3; fd < 4096 && dropped < 0; fd++) {
                    if (fd != taken && fd != c1.getSocket() && link(fd).equals(c1Inode)) {
                        dropped = fd;
                    }
                }
                assertTrue(dropped >= 0, "the untaken descriptor is open while the result is");
                assertThrows(IllegalStateException.class, () -> r.take(0));
            }
            assertNotEquals(link(c1.getSocket()), link(dropped), "closing the result closed the descriptor nobody took");
        }
    }

    @Test
    void moreDescriptorsThanAskedForAreClosedByTheKernelAndReported() throws Exception {
        Socket[] p = Socket.socketPair();
        try (Socket a = p[0]; Socket b = p[1]) {
            int[] fds = new int[5];
            Arrays.fill(fds, a.getSocket());
            a.sendFds(bytes("five"), fds);
            try (ReceivedFds r = b.recvFds(10, 3, T)) {
                assertTrue(r.descriptorsTruncated(), "MSG_CTRUNC must be reported");
                // 3 is odd: CMSG_SPACE's padding would hold a 4th, which must not be installed
                assertEquals(3, r.count(), "exactly as many descriptors as asked for");
            }
            assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                    () -> a.sendFds(new byte[0], a.getSocket())).error());
            assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                    () -> a.sendFds(bytes("x"), new int[254])).error());
            SocketException e = assertThrows(SocketException.class, () -> a.sendFds(bytes("x"), 999_999));
            assertEquals(Errno.EBADF, e.errno(), e.getMessage());
        }
    }

    @Test
    void abstractNamesBindAndConnectAndLeaveNoFile() throws Exception {
        String name = "@ffsock-abs-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Socket listener = new Socket()) {
            listener.bindUNIX(name);
            assertEquals(0, listener.listen());
            assertEquals(name, listener.getSocketInfo().address());
            try (Socket c = new Socket()) {
                c.connect(name, T);
                try (Socket a = listener.accept(T)) {
                    c.send("abstract");
                    assertEquals("abstract", a.recv(8, T));
                    assertEquals(ProcessHandle.current().pid(), a.getPeerCredentials().pid());
                }
            }
            // a file named like the abstract socket is not touched by close()
            Path decoy = dir.resolve(name);
            Files.writeString(decoy, "keep me");
            listener.close();
            assertTrue(Files.exists(decoy));
        }
    }

    @Test
    void qoreSocktypeDgramGivesDatagramSemanticsOnSocket() throws Exception {
        try (Socket server = new Socket(); Socket client = new Socket()) {
            server.bindINET("127.0.0.1", "0", false, SocketInfo.AF_INET, 2, 0);
            int port = server.getSocketInfo(false).port();
            client.connectINET("127.0.0.1", Integer.toString(port), T, SocketInfo.AF_INET, 2);
            assertEquals(2, client.getOption(SocketOptions.SO_TYPE));
            client.send("first");
            client.send("second!");
            client.sendi4(7);
            assertEquals("first", server.recv(0, T), "recv(0) is one whole datagram");
            assertEquals("seco", server.recv(4, T), "recv(n) takes n bytes out of whole datagrams");
            assertEquals("nd!", server.recv(0, T), "the rest of the datagram stays for the next read");
            assertEquals(7, server.recvi4(T));
            SocketException e = assertThrows(SocketException.class, () -> server.recv(-1, T));
            assertTrue(e.getMessage().contains("no end of stream"), e.getMessage());
            SocketException big = assertThrows(SocketException.class, () -> client.sendBinary(new byte[70_000]));
            assertTrue(big.getMessage().contains("datagram too large"), big.getMessage());
            assertTrue(client.isOpen(), "the socket stays open after EMSGSIZE");
        }
    }
}
