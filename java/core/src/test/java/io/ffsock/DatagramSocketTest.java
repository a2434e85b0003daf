package io.ffsock;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DatagramSocket} over real kernel sockets on loopback: UDP over IPv4 and IPv6 and AF_UNIX datagrams, with
 * the errors users meet in practice (too large, truncated, refused, timed out, closed under a blocked receive).
 */
@Timeout(20)
class DatagramSocketTest {
    private static final int T = 5_000;

    @TempDir
    Path dir;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static void assumeIpv6() {
        boolean ok;
        try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
            c.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            ok = true;
        } catch (IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "IPv6 loopback ::1 is not configured on this host: IPv6 datagram cases skipped");
    }

    @Test
    void udp4SendToAndReceiveFromReportTheSender() throws Exception {
        try (DatagramSocket server = new DatagramSocket(); DatagramSocket client = new DatagramSocket()) {
            server.bind("127.0.0.1:0");
            int port = server.getPort();
            assertTrue(port > 0);
            assertFalse(client.isOpen());
            assertEquals(5, client.sendTo(bytes("hello"), "127.0.0.1:" + port)); // opens the client
            assertTrue(client.isOpen());

            Datagram d = server.receiveFrom(T);
            assertEquals("hello", text(d.data()));
            assertEquals("127.0.0.1", d.from().address());
            assertEquals("ipv4(127.0.0.1)", d.from().addressDesc());
            assertEquals(client.getPort(), d.from().port(), "the sender's port is the client's ephemeral port");
            assertNull(d.from().hostname(), "no reverse lookup is made");

            // answer the sender at the address it came from
            server.sendTo(bytes("world"), d.from().address() + ":" + d.from().port());
            Datagram back = client.receiveFrom(T);
            assertEquals("world", text(back.data()));
            assertEquals(port, back.from().port());

            // senders alternate: each datagram names its own (the last sender's info is reused only for itself)
            try (DatagramSocket other = new DatagramSocket()) {
                other.bind("127.0.0.2:0");
                for (DatagramSocket from : new DatagramSocket[] {client, client, other, client, other, other}) {
                    from.sendTo(bytes("x"), "127.0.0.1:" + port);
                    Datagram x = server.receiveFrom(T);
                    assertEquals(from.getPort(), x.from().port());
                    assertEquals(from == other ? "127.0.0.2" : "127.0.0.1", x.from().address());
                }
            }
        }
    }

    @Test
    void datagramBoundariesAreKeptAndAnEmptyDatagramIsOne() throws Exception {
        try (DatagramSocket a = new DatagramSocket(); DatagramSocket b = new DatagramSocket()) {
            a.bind("127.0.0.1:0");
            b.bind("127.0.0.1:0");
            String to = "127.0.0.1:" + a.getPort();
            b.sendTo(bytes("one"), to);
            b.sendTo(new byte[0], to);
            b.sendTo(bytes("three!"), to);
            assertEquals("one", text(a.receiveFrom(T).data()));
            assertEquals(0, a.receiveFrom(T).data().length, "the empty datagram arrives as one");
            assertEquals("three!", text(a.receiveFrom(T).data()));
        }
    }

    @Test
    void connectedUdpSendsAndReceivesWithoutAddresses() throws Exception {
        try (DatagramSocket server = new DatagramSocket(); DatagramSocket client = new DatagramSocket();
             DatagramSocket stranger = new DatagramSocket()) {
            server.bind("127.0.0.1:0");
            client.connect("127.0.0.1:" + server.getPort());
            assertEquals(server.getPort(), client.getPeerInfo().port());
            client.send(bytes("ping"));
            Datagram d = server.receiveFrom(T);
            assertEquals("ping", text(d.data()));

            // a connected socket only takes its peer's datagrams
            stranger.sendTo(bytes("noise"), "127.0.0.1:" + client.getPort());
            server.sendTo(bytes("pong"), "127.0.0.1:" + client.getPort());
            assertEquals("pong", text(client.recv(T)));
            SocketException e = assertThrows(SocketException.class, () -> client.recv(100));
            assertEquals(SocketError.TIMEOUT, e.error(), "the stranger's datagram must have been dropped");

            client.disconnect();
            assertThrows(SocketException.class, client::getPeerInfo);
        }
    }

    @Test
    void udp6RoundTrip() throws Exception {
        assumeIpv6();
        try (DatagramSocket server = new DatagramSocket(); DatagramSocket client = new DatagramSocket()) {
            server.bind("[::1]:0");
            assertEquals(SocketInfo.AF_INET6, server.getSocketInfo().family());
            client.sendTo(bytes("v6"), "[::1]:" + server.getPort());
            Datagram d = server.receiveFrom(T);
            assertEquals("v6", text(d.data()));
            assertEquals("::1", d.from().address());
            assertEquals("ipv6[::1]", d.from().addressDesc());
            assertEquals(client.getPort(), d.from().port());
        }
    }

    @Test
    void unixDatagramsWithPathsAbstractNamesAndUnnamedSenders() throws Exception {
        Path p = dir.resolve("dg.sock");
        String abs = "@ffsock-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (DatagramSocket server = new DatagramSocket(); DatagramSocket named = new DatagramSocket();
             DatagramSocket anon = new DatagramSocket()) {
            server.bind(p.toString());
            assertTrue(Files.exists(p), "bind created the socket file");
            named.bind(abs);
            assertFalse(Files.exists(Path.of(abs)), "an abstract name is no file");
            assertEquals(abs, named.getSocketInfo().address());

            named.sendTo(bytes("from abstract"), p.toString());
            Datagram d = server.receiveFrom(T);
            assertEquals("from abstract", text(d.data()));
            assertEquals(abs, d.from().address(), "the abstract sender reads back with its '@'");

            server.sendTo(bytes("reply"), d.from().address());
            assertEquals("reply", text(named.receiveFrom(T).data()));

            anon.open(SocketInfo.AF_UNIX);
            anon.sendTo(bytes("anon"), p.toString());
            Datagram a = server.receiveFrom(T);
            assertEquals("anon", text(a.data()));
            assertEquals("", a.from().address(), "an unbound UNIX sender has no address");
            assertEquals(-1, a.from().port());
        }
        assertFalse(Files.exists(p), "close() deleted the socket file it created");
    }

    @Test
    void largeUnixDatagramsArriveWholeAndTheMaximumIsEnforced() throws Exception {
        DatagramSocket[] pair = DatagramSocket.pair();
        try (DatagramSocket a = pair[0]; DatagramSocket b = pair[1]) {
            a.setOption(SocketOptions.SO_SNDBUF, 1 << 20);
            byte[] big = new byte[150_000];
            new java.util.Random(7).nextBytes(big);
            a.send(big);
            assertArrayEquals(big, b.recv(T), "a UNIX datagram larger than 64 KiB arrives whole");

            b.setMaxDatagramSize(1000);
            a.send(Arrays.copyOf(big, 1001));
            SocketException e = assertThrows(SocketException.class, () -> b.recv(T));
            assertEquals(SocketError.RECV_ERROR, e.error());
            assertTrue(e.getMessage().contains("datagram truncated: 1001 bytes"), e.getMessage());
            assertEquals(1000, e.partialData().length);
            assertArrayEquals(Arrays.copyOf(big, 1000), e.partialData());
        }
    }

    @Test
    void aDatagramTooLargeForUdpNamesTheLimit() throws Exception {
        try (DatagramSocket s = new DatagramSocket(); DatagramSocket r = new DatagramSocket()) {
            r.bind("127.0.0.1:0");
            s.bind("127.0.0.1:0");
            SocketException e = assertThrows(SocketException.class,
                    () -> s.sendTo(new byte[70_000], "127.0.0.1:" + r.getPort()));
            assertEquals(SocketError.SEND_ERROR, e.error());
            assertEquals(io.ffsock.internal.sys.Errno.EMSGSIZE, e.errno());
            assertTrue(e.getMessage().contains("datagram too large: 70000 bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("65507"), e.getMessage());
            assertTrue(s.isOpen(), "the socket stays usable");
            // the largest legal one goes through, whole
            byte[] max = new byte[DatagramSocket.UDP4_MAX];
            max[max.length - 1] = 42;
            s.sendTo(max, "127.0.0.1:" + r.getPort());
            byte[] got = r.recv(T);
            assertEquals(max.length, got.length);
            assertEquals(42, got[got.length - 1]);
        }
    }

    @Test
    void aTruncatedReceiveIsReportedNeverSilentlyCut() throws Exception {
        try (DatagramSocket s = new DatagramSocket(); DatagramSocket r = new DatagramSocket();
             Arena arena = Arena.ofConfined()) {
            r.bind("127.0.0.1:0");
            s.sendTo(bytes("0123456789"), "127.0.0.1:" + r.getPort());
            MemorySegment small = arena.allocate(4);
            SocketException e = assertThrows(SocketException.class, () -> r.receive(small, T));
            assertEquals(SocketError.RECV_ERROR, e.error());
            assertTrue(e.getMessage().contains("datagram truncated: 10 bytes"), e.getMessage());
            assertEquals("0123", text(e.partialData()));

            s.sendTo(bytes("abcd"), "127.0.0.1:" + r.getPort());
            ByteBuffer bb = ByteBuffer.allocateDirect(4);
            assertEquals(4, r.receive(bb, T), "an exact fit is no truncation");
            assertEquals(4, bb.position());
        }
    }

    @Test
    void icmpPortUnreachableSurfacesAsConnectionRefusedOnTheNextCall() throws Exception {
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.bind("127.0.0.1:0");
            closedPort = probe.getPort();
        }
        try (DatagramSocket c = new DatagramSocket()) {
            c.connect("127.0.0.1:" + closedPort);
            c.send(bytes("anyone?"));
            SocketException e = assertThrows(SocketException.class, () -> c.recv(T));
            assertEquals(io.ffsock.internal.sys.Errno.ECONNREFUSED, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
            assertTrue(c.isOpen(), "the socket stays open");
            // the error was consumed: the next call waits as usual
            assertEquals(SocketError.TIMEOUT, assertThrows(SocketException.class, () -> c.recv(50)).error());
        }
    }

    @Test
    void portZeroIsNoDestination() throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            SocketException e = assertThrows(SocketException.class, () -> s.sendTo(bytes("x"), "127.0.0.1:0"));
            assertEquals(SocketError.SEND_ERROR, e.error());
            assertTrue(e.getMessage().contains("port 0"), e.getMessage());
            assertFalse(s.isOpen(), "nothing was opened for a target that was refused");
            assertEquals(SocketError.CONNECT_ERROR,
                    assertThrows(SocketException.class, () -> s.connect("127.0.0.1:0")).error());
        }
    }

    @Test
    void receiveTimesOutAndCloseWakesABlockedReceiver() throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.bind("127.0.0.1:0");
            long t0 = System.nanoTime();
            SocketException e = assertThrows(SocketException.class, () -> s.receiveFrom(100));
            assertEquals(SocketError.TIMEOUT, e.error());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(90));

            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    s.receiveFrom(-1);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            assertFalse(blocked.isDone(), "the receive should be waiting");
            s.close();
            Throwable t = blocked.get(5, TimeUnit.SECONDS);
            assertInstanceOf(SocketException.class, t);
            assertEquals(SocketError.CLOSED, ((SocketException) t).error(), t.toString());
        }
    }

    @Test
    void optionsSetBeforeOpeningApplyToTheNextDescriptor() throws Exception {
        try (DatagramSocket a = new DatagramSocket(); DatagramSocket b = new DatagramSocket()) {
            a.setOption(SocketOptions.SO_REUSEPORT, true);
            b.setOption(SocketOptions.SO_REUSEPORT, true);
            a.bind("127.0.0.1:0");
            assertTrue(a.getOption(SocketOptions.SO_REUSEPORT));
            // without SO_REUSEPORT on both before bind, the second bind fails with EADDRINUSE
            b.bind("127.0.0.1:" + a.getPort());
            assertEquals(a.getPort(), b.getPort());
        }
    }

    @Test
    void fromFdAdoptsADatagramSocketAndDetachGivesItBack() throws Exception {
        try (DatagramSocket s = new DatagramSocket(); DatagramSocket peer = new DatagramSocket()) {
            s.bind("127.0.0.1:0");
            int port = s.getPort();
            int fd = s.detach();
            assertFalse(s.isOpen());
            try (DatagramSocket adopted = DatagramSocket.fromFd(fd)) {
                assertEquals(fd, adopted.getSocket());
                assertEquals(port, adopted.getPort());
                peer.sendTo(bytes("still here"), "127.0.0.1:" + port);
                assertEquals("still here", text(adopted.recv(T)));
                SocketException e = assertThrows(SocketException.class, () -> Socket.fromFd(fd));
                assertEquals(io.ffsock.internal.sys.Errno.EPROTOTYPE, e.errno());
                assertTrue(e.getMessage().contains("DatagramSocket.fromFd"), e.getMessage());
            }
        }
    }

    @Test
    void nativeAndBufferSendsAllocateNoCopies() throws Exception {
        try (DatagramSocket s = new DatagramSocket(); DatagramSocket r = new DatagramSocket();
             Arena arena = Arena.ofConfined()) {
            r.bind("127.0.0.1:0");
            s.connect("127.0.0.1:" + r.getPort());
            MemorySegment seg = arena.allocateFrom("segment", StandardCharsets.US_ASCII);
            s.send(seg.asSlice(0, 7));
            ByteBuffer bb = ByteBuffer.wrap(bytes("xxbufferxx"), 2, 6);
            assertEquals(6, s.send(bb));
            assertEquals(8, bb.position());
            assertEquals("segment", text(r.recv(T)));
            assertEquals("buffer", text(r.recv(T)));
            MemorySegment into = arena.allocate(64);
            s.send(bytes("direct"));
            int n = r.receive(into, T);
            assertEquals("direct", new String(into.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII));
        }
    }
}
