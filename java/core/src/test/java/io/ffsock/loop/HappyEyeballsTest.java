package io.ffsock.loop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 8305 on loopback, with name resolution under the test's control: a resolver that answers {@code ::1} and
 * {@code 127.0.0.1} for a made-up name (no DNS is ever asked), and listeners on one family or both.
 * <p>
 * An IPv6 attempt that hangs is made by a listener on {@code [::1]} whose accept queue is full (backlog 0 and a
 * connection nobody accepts): the kernel drops further SYNs, so a connect there stays in progress.
 */
@Timeout(30)
@SuppressWarnings("try") // peers are held open by try-with-resources for the whole test, some closed early on purpose
class HappyEyeballsTest {
    private static final Resolver DUAL = host -> List.of(InetAddress.getByName("::1"),
            InetAddress.getByName("127.0.0.1"));
    private static final Resolver DUAL_V4_FIRST = host -> List.of(InetAddress.getByName("127.0.0.1"),
            InetAddress.getByName("::1"));

    private EventLoop loop;
    private int fdsBefore;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @BeforeAll
    static void ipv6() throws IOException {
        boolean v6;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            v6 = s.getLocalPort() > 0;
        } catch (IOException e) {
            v6 = false;
        }
        Assumptions.assumeTrue(v6, "skipped: this machine has no IPv6 loopback (::1)");
        OpenFds.warmUpJdkSockets();
    }

    @BeforeEach
    void setUp() {
        fdsBefore = OpenFds.count();
        loop = new EventLoop("he-test");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeMe) {
            c.close();
        }
        loop.close();
        OpenFds.assertBackTo(fdsBefore, "descriptors after the test");
    }

    private <T extends AutoCloseable> T later(T c) {
        closeMe.add(c);
        return c;
    }

    /** A listener on [::1] whose SYNs are dropped: returns its port. */
    private int hangingIpv6Listener() throws Exception {
        io.ffsock.Socket six = later(new io.ffsock.Socket());
        assertEquals(0, six.bind("[::1]:0", true));
        assertEquals(0, six.listen(0));
        int port = six.getSocketInfo(false).port();
        for (int i = 0; i < 8; i++) {
            SocketChannel c = later(SocketChannel.open());
            c.configureBlocking(false);
            if (!c.connect(new InetSocketAddress("::1", port))) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (!c.finishConnect() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                if (!c.isConnected()) {
                    return port; // this one hangs: the queue is full
                }
            }
        }
        throw new AssertionError("could not fill the accept queue of [::1]:" + port);
    }

    private static ServerSocket listener(String address, int port) throws IOException {
        return new ServerSocket(port, 50, InetAddress.getByName(address));
    }

    @Test
    void ipv6IsTriedFirstAndIpv4StartsAfterTheAttemptDelayWhenIpv6Hangs() throws Exception {
        int port = hangingIpv6Listener();
        ServerSocket four = later(listener("127.0.0.1", port));
        TcpSocket s = new TcpSocket(loop);
        s.setResolver(DUAL);
        Recorder r = new Recorder(s);
        long start = System.nanoTime();
        s.connect("dual.test", port);
        r.until("connected");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("127.0.0.1", s.remoteAddress(), "IPv4 won");
        assertTrue(ms >= TcpSocket.ATTEMPT_DELAY_MS, "IPv4 started after " + ms + " ms, before the 250 ms delay");
        four.setSoTimeout(5000);
        try (Socket peer = four.accept()) {
            assertEquals(1, loop.registeredCount(), "the losing IPv6 attempt is closed");
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void aFailedIpv6AttemptStartsIpv4AtOnce() throws Exception {
        ServerSocket four = later(listener("127.0.0.1", 0)); // IPv4 only: ::1 refuses
        TcpSocket s = new TcpSocket(loop);
        s.setResolver(DUAL);
        s.setConnectionAttemptDelay(Duration.ofSeconds(20)); // only a failure can move on before this
        Recorder r = new Recorder(s);
        long start = System.nanoTime();
        s.connect("dual.test", four.getLocalPort());
        r.until("connected");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 10_000, "IPv4 waited for the attempt delay (" + ms + " ms) although IPv6 had failed");
        assertEquals("127.0.0.1", s.remoteAddress());
        four.setSoTimeout(5000);
        try (Socket peer = four.accept()) {
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void ipv6ComesFirstWhateverTheResolverOrderAndTheLoserIsNeverTried() throws Exception {
        ServerSocket six = later(listener("::1", 0));
        int port = six.getLocalPort();
        ServerSocket four = later(listener("127.0.0.1", port));
        TcpSocket s = new TcpSocket(loop);
        s.setResolver(DUAL_V4_FIRST);
        Recorder r = new Recorder(s);
        s.connect("dual.test", port);
        r.until("connected");
        assertEquals("::1", s.remoteAddress(), "IPv6 is preferred (RFC 8305 section 4)");
        six.setSoTimeout(5000);
        try (Socket peer = six.accept()) {
            four.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, four::accept, "an IPv4 attempt was made after IPv6 won");
            s.abort();
            r.until("disconnected");
        }
    }

    @Test
    void whenEveryAddressFailsTheLastErrorIsReported() throws Exception {
        int port;
        try (ServerSocket gone = listener("127.0.0.1", 0)) {
            port = gone.getLocalPort();
        }
        TcpSocket s = new TcpSocket(loop);
        s.setResolver(DUAL);
        Recorder r = new Recorder(s);
        s.connect("dual.test", port);
        assertEquals(List.of("state HOST_LOOKUP", "hostFound", "state CONNECTING",
                "error CONNECTION_REFUSED in CONNECTING", "state UNCONNECTED"), r.until("state UNCONNECTED"));
        assertEquals(0, loop.registeredCount());
    }

    @Test
    void theOrderInterleavesTheFamiliesStartingWithIpv6() throws Exception {
        List<io.ffsock.internal.sys.SockAddr> in = new ArrayList<>();
        for (String a : new String[] {"10.0.0.1", "10.0.0.2", "::1", "::2", "::3"}) {
            in.add(io.ffsock.internal.sys.SockAddr.inet(InetAddress.getByName(a).getAddress(), 1, 0));
        }
        List<String> order = TcpSocket.happyEyeballsOrder(in).stream()
                .map(io.ffsock.internal.sys.SockAddr::address).toList();
        assertEquals(List.of("::1", "10.0.0.1", "::2", "10.0.0.2", "::3"), order);
    }
}
