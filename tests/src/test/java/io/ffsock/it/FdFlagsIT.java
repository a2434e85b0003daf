package io.ffsock.it;

import io.ffsock.Socket;
import jnr.constants.platform.IPProto;
import jnr.constants.platform.OpenFlags;
import jnr.constants.platform.Sock;
import jnr.constants.platform.SocketLevel;
import jnr.constants.platform.SocketOption;
import jnr.constants.platform.TCP;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ffsock's descriptors checked from outside, on the number {@link Socket#getSocket()} returns: fcntl and fstat
 * through jnr-posix, getsockopt through jnr-ffi, constants from jnr-constants. None of it goes through ffsock's
 * bindings or constants, so a wrong flag or a wrong constant on ffsock's side shows here.
 */
@ExtendWith(FdBaseline.class)
@Timeout(30)
class FdFlagsIT {
    private static final int T = 10_000;
    private static final int SOL_SOCKET = SocketLevel.SOL_SOCKET.intValue();
    private static final int IPPROTO_TCP = IPProto.IPPROTO_TCP.intValue();

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
    }

    private Socket track(Socket s) {
        assertNotNull(s);
        resources.push(s);
        return s;
    }

    private static int fd(Socket s) {
        int fd = s.getSocket();
        assertTrue(fd >= 0, "getSocket() of an open socket: " + fd);
        return fd;
    }

    /** O_NONBLOCK and FD_CLOEXEC set, and the number is a stream socket, as the kernel reports it. */
    private static void assertFlags(String what, Socket s) {
        int fd = fd(s);
        assertTrue(JnrPosix.isSocket(fd), what + ": fd " + fd + " is not a socket according to fstat");
        int fl = JnrPosix.fcntlFlags(fd);
        assertTrue(fl >= 0, what + ": fcntl(F_GETFL) failed, errno " + JnrPosix.errno());
        assertTrue((fl & OpenFlags.O_NONBLOCK.intValue()) != 0,
                what + ": O_NONBLOCK is not set (F_GETFL = 0x" + Integer.toHexString(fl) + ")");
        int fdfl = JnrPosix.fcntlFdFlags(fd);
        assertTrue(fdfl >= 0, what + ": fcntl(F_GETFD) failed, errno " + JnrPosix.errno());
        assertTrue((fdfl & JnrPosix.FD_CLOEXEC) != 0,
                what + ": FD_CLOEXEC is not set (F_GETFD = 0x" + Integer.toHexString(fdfl) + ")");
        assertEquals(Sock.SOCK_STREAM.intValue(), JnrPosix.sockOpt(fd, SOL_SOCKET, SocketOption.SO_TYPE.intValue()),
                what + ": SO_TYPE");
    }

    private static int acceptConn(Socket s) {
        return JnrPosix.sockOpt(fd(s), SOL_SOCKET, SocketOption.SO_ACCEPTCONN.intValue());
    }

    private static void assumeIpv6() {
        boolean ok;
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            ok = true;
        } catch (IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "IPv6 loopback ::1 is not configured on this host: IPv6 cases skipped");
    }

    /** Listener, connected client and accepted socket of one family, each checked. */
    private void checkTriple(String family, String bindTo, String connectTo) throws Exception {
        Socket listener = track(new Socket());
        assertEquals(0, listener.bind(bindTo, true), () -> "bind(" + bindTo + ") errno " + Socket.errno());
        assertFlags(family + " bound socket", listener);
        assertEquals(0, acceptConn(listener), family + ": SO_ACCEPTCONN before listen()");
        assertEquals(0, listener.listen());
        assertFlags(family + " listening socket", listener);
        assertEquals(1, acceptConn(listener), family + ": listen() did not put the socket into the listening state");

        String target = connectTo != null ? connectTo + listener.getSocketInfo(false).port() : bindTo;
        Socket client = track(new Socket());
        client.connect(target, T);
        assertFlags(family + " connected socket", client);
        assertEquals(0, acceptConn(client));

        Socket accepted = track(listener.accept(T));
        assertFlags(family + " accepted socket", accepted);
        assertEquals(0, acceptConn(accepted));
        assertNotEquals(fd(listener), fd(accepted));
        assertNotEquals(fd(client), fd(accepted));
    }

    @Test
    void tcp4DescriptorsAreNonBlockingAndCloseOnExec() throws Exception {
        checkTriple("TCP/IPv4", "127.0.0.1:0", "127.0.0.1:");
    }

    @Test
    void tcp6DescriptorsAreNonBlockingAndCloseOnExec() throws Exception {
        assumeIpv6();
        checkTriple("TCP/IPv6", "[::1]:0", "[::1]:");
    }

    @Test
    void unixDescriptorsAreNonBlockingAndCloseOnExec() throws Exception {
        checkTriple("AF_UNIX", dir.resolve("flags.sock").toString(), null);
    }

    @Test
    void everyWayOfOpeningSetsTheFlags() throws Exception {
        Socket a = track(new Socket());
        assertEquals(0, a.bind(0, true));
        assertFlags("bind(int)", a);
        Socket b = track(new Socket());
        b.bindINET("127.0.0.1", "0", true);
        assertFlags("bindINET()", b);
        assertEquals(0, b.listen());
        Socket c = track(new Socket());
        c.connectINET("127.0.0.1", b.getSocketInfo(false).port(), T);
        assertFlags("connectINET()", c);
        Socket u = track(new Socket());
        u.bindUNIX(dir.resolve("u.sock").toString());
        assertFlags("bindUNIX()", u);
        assertEquals(0, u.listen());
        Socket uc = track(new Socket());
        uc.connectUNIX(dir.resolve("u.sock").toString());
        assertFlags("connectUNIX()", uc);
        // a socket connected again gets a new descriptor with the same flags
        uc.connect("127.0.0.1:" + b.getSocketInfo(false).port(), T);
        assertFlags("re-connected socket", uc);
        track(b.accept(T));
        track(b.accept(T));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "[::1]"})
    void tcpNoDelayAsTheKernelSeesIt(String host) throws Exception {
        if (host.startsWith("[")) {
            assumeIpv6();
        }
        Socket listener = track(new Socket());
        assertEquals(0, listener.bind(host + ":0", true));
        assertEquals(0, listener.listen());
        Socket client = track(new Socket());
        client.connect(host + ":" + listener.getSocketInfo(false).port(), T);
        Socket accepted = track(listener.accept(T));
        int nodelay = TCP.TCP_NODELAY.intValue();
        for (Socket s : new Socket[] {client, accepted}) {
            String what = (s == client ? "connected" : "accepted") + " socket on " + host;
            int initial = JnrPosix.sockOpt(fd(s), IPPROTO_TCP, nodelay);
            assertEquals(initial != 0, s.getNoDelay(), what + ": getNoDelay() disagrees with the kernel");
            assertEquals(0, s.setNoDelay(true));
            assertNotEquals(0, JnrPosix.sockOpt(fd(s), IPPROTO_TCP, nodelay), what + ": setNoDelay(true)");
            assertTrue(s.getNoDelay());
            assertEquals(0, s.setNoDelay(false));
            assertEquals(0, JnrPosix.sockOpt(fd(s), IPPROTO_TCP, nodelay), what + ": setNoDelay(false)");
            assertFalse(s.getNoDelay());
            assertEquals(0, s.setNoDelay());
            assertNotEquals(0, JnrPosix.sockOpt(fd(s), IPPROTO_TCP, nodelay), what + ": setNoDelay()");
        }
    }

    @Test
    void setNoDelayOnAnUnopenedSocketFails() {
        Socket s = new Socket();
        assertEquals(-1, s.setNoDelay(true));
        assertNotEquals(0, Socket.errno());
        assertFalse(s.getNoDelay());
    }

    @Test
    void soReuseAddrAsTheKernelSeesIt() throws Exception {
        int reuse = SocketOption.SO_REUSEADDR.intValue();
        Socket on = track(new Socket());
        assertEquals(0, on.bind("127.0.0.1:0", true));
        assertNotEquals(0, JnrPosix.sockOpt(fd(on), SOL_SOCKET, reuse), "bind(..., true) must set SO_REUSEADDR");

        Socket off = track(new Socket());
        assertEquals(0, off.bind("127.0.0.1:0", false));
        assertEquals(0, JnrPosix.sockOpt(fd(off), SOL_SOCKET, reuse), "bind(..., false) must not set SO_REUSEADDR");

        Socket dflt = track(new Socket());
        assertEquals(0, dflt.bind("127.0.0.1:0"));
        assertEquals(0, JnrPosix.sockOpt(fd(dflt), SOL_SOCKET, reuse), "bind(String) must not set SO_REUSEADDR");

        Socket port = track(new Socket());
        assertEquals(0, port.bind(0, true));
        assertNotEquals(0, JnrPosix.sockOpt(fd(port), SOL_SOCKET, reuse), "bind(int, true)");

        Socket inet = track(new Socket());
        inet.bindINET("127.0.0.1", "0", true);
        assertNotEquals(0, JnrPosix.sockOpt(fd(inet), SOL_SOCKET, reuse), "bindINET(..., true)");
        Socket inetOff = track(new Socket());
        inetOff.bindINET("127.0.0.1", "0", false);
        assertEquals(0, JnrPosix.sockOpt(fd(inetOff), SOL_SOCKET, reuse), "bindINET(..., false)");
    }

    @Test
    void soReuseAddrOnIpv6() throws Exception {
        assumeIpv6();
        int reuse = SocketOption.SO_REUSEADDR.intValue();
        Socket on = track(new Socket());
        assertEquals(0, on.bind("[::1]:0", true));
        assertNotEquals(0, JnrPosix.sockOpt(fd(on), SOL_SOCKET, reuse));
        Socket off = track(new Socket());
        assertEquals(0, off.bind("[::1]:0", false));
        assertEquals(0, JnrPosix.sockOpt(fd(off), SOL_SOCKET, reuse));
    }
}
