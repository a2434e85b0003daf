package io.ffsock.it;

import io.ffsock.PeerCredentials;
import io.ffsock.Socket;
import io.ffsock.SocketException;
import io.ffsock.SocketOption;
import io.ffsock.SocketOptions;
import io.ffsock.TcpInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every typed option ffsock sets, read back from outside: getsockopt through jnr-ffi on the descriptor number, with
 * the option numbers written here from the Linux headers (not taken from ffsock), so a wrong constant or a wrong
 * struct layout on ffsock's side shows. SO_PEERCRED is checked against a python3 process.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class SocketOptionsIT {
    private static final int T = 10_000;
    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_IPV6 = 41;

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!open.isEmpty()) {
            open.pop().close();
        }
    }

    private <T extends AutoCloseable> T track(T t) {
        open.push(t);
        return t;
    }

    /** One int option: set through ffsock, read through jnr, compared with the value the kernel should hold. */
    private static void check(Socket s, SocketOption<Integer> o, int value, int level, int name, int expected) {
        try {
            s.setOption(o, value);
        } catch (SocketException e) {
            throw new AssertionError(o + " = " + value + ": " + e.getMessage(), e);
        }
        assertEquals(expected, JnrPosix.sockOpt(s.getSocket(), level, name), o + " seen from outside");
    }

    private static void checkBool(Socket s, SocketOption<Boolean> o, int level, int name) throws SocketException {
        s.setOption(o, true);
        assertNotEquals(0, JnrPosix.sockOpt(s.getSocket(), level, name), o + " on, seen from outside");
        s.setOption(o, false);
        assertEquals(0, JnrPosix.sockOpt(s.getSocket(), level, name), o + " off, seen from outside");
    }

    private Socket[] tcpPair(String bindTo, String connectPrefix) throws SocketException {
        Socket l = track(new Socket());
        assertEquals(0, l.bind(bindTo, true));
        assertEquals(0, l.listen());
        Socket c = track(new Socket());
        c.connect(connectPrefix + l.getPort(), T);
        Socket a = track(l.accept(T));
        return new Socket[] {l, c, a};
    }

    @Test
    void tcpAndSocketLevelOptionsAsTheKernelHoldsThem() throws Exception {
        Socket[] p = tcpPair("127.0.0.1:0", "127.0.0.1:");
        Socket c = p[1];
        checkBool(c, SocketOptions.SO_REUSEADDR, SOL_SOCKET, 2);
        checkBool(c, SocketOptions.SO_KEEPALIVE, SOL_SOCKET, 9);
        checkBool(c, SocketOptions.SO_OOBINLINE, SOL_SOCKET, 10);
        checkBool(c, SocketOptions.TCP_NODELAY, IPPROTO_TCP, 1);
        checkBool(c, SocketOptions.TCP_CORK, IPPROTO_TCP, 3);
        checkBool(p[0], SocketOptions.SO_REUSEPORT, SOL_SOCKET, 15);
        check(c, SocketOptions.TCP_KEEPIDLE, 600, IPPROTO_TCP, 4, 600);
        check(c, SocketOptions.TCP_KEEPINTVL, 30, IPPROTO_TCP, 5, 30);
        check(c, SocketOptions.TCP_KEEPCNT, 5, IPPROTO_TCP, 6, 5);
        check(c, SocketOptions.TCP_USER_TIMEOUT, 30_000, IPPROTO_TCP, 18, 30_000);
        check(c, SocketOptions.SO_SNDBUF, 100_000, SOL_SOCKET, 7, 200_000);
        check(c, SocketOptions.SO_RCVBUF, 100_000, SOL_SOCKET, 8, 200_000);
        check(c, SocketOptions.IP_TOS, 0x28, IPPROTO_IP, 1, 0x28);
        check(c, SocketOptions.IP_TTL, 17, IPPROTO_IP, 2, 17);
        check(p[0], SocketOptions.TCP_FASTOPEN, 32, IPPROTO_TCP, 23, 32);
        c.setOption(SocketOptions.TCP_QUICKACK, true);
        assertEquals(1, JnrPosix.sockOpt(c.getSocket(), IPPROTO_TCP, 12), "TCP_QUICKACK on, seen from outside");
        c.setOption(SocketOptions.TCP_QUICKACK, false);
        assertEquals(0, JnrPosix.sockOpt(c.getSocket(), IPPROTO_TCP, 12), "TCP_QUICKACK off, seen from outside");

        // struct linger { int l_onoff; int l_linger; }
        c.setOption(SocketOptions.SO_LINGER, 7);
        ByteBuffer l = JnrSockOpts.get(c.getSocket(), SOL_SOCKET, 13, 8);
        assertEquals(8, l.remaining());
        assertEquals(1, l.getInt(0), "l_onoff");
        assertEquals(7, l.getInt(4), "l_linger");
        c.setOption(SocketOptions.SO_LINGER, -1);
        assertEquals(0, JnrSockOpts.get(c.getSocket(), SOL_SOCKET, 13, 8).getInt(0), "linger off");
        c.setOption(SocketOptions.SO_LINGER, 0);
        l = JnrSockOpts.get(c.getSocket(), SOL_SOCKET, 13, 8);
        assertEquals(1, l.getInt(0), "linger on with 0 s: close resets");
        assertEquals(0, l.getInt(4));
    }

    @Test
    void ipv6OptionsAsTheKernelHoldsThem() throws Exception {
        Assumptions.assumeTrue(DatagramInteropIT.ipv6(), "IPv6 loopback is not configured: skipped");
        Socket[] p = tcpPair("[::1]:0", "[::1]:");
        check(p[1], SocketOptions.IPV6_TCLASS, 0xb8, IPPROTO_IPV6, 67, 0xb8);
        // IPV6_V6ONLY decides what a socket binds to, so the kernel takes it before bind only: remembered, it is
        // applied when the socket opens; on a bound socket the refusal says so
        for (boolean v : new boolean[] {true, false}) {
            try (Socket s = new Socket()) {
                s.setOption(SocketOptions.IPV6_V6ONLY, v);
                // the wildcard: a bind to ::1 would make the kernel set IPV6_V6ONLY itself (a v6-only address);
                // the socket never listens, so nothing can come in
                s.bindINET("::", "0", true, 10, 1, 0);
                assertEquals(v ? 1 : 0, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IPV6, 26), "IPV6_V6ONLY " + v);
            }
        }
        SocketException e = assertThrows(SocketException.class,
                () -> p[1].setOption(SocketOptions.IPV6_V6ONLY, true));
        assertTrue(e.getMessage().contains("only change before bind"), e.getMessage());
    }

    @Test
    void bindToDeviceAsTheKernelHoldsIt() throws Exception {
        Socket[] p = tcpPair("127.0.0.1:0", "127.0.0.1:");
        try {
            p[1].setOption(SocketOptions.SO_BINDTODEVICE, "lo");
        } catch (SocketException e) {
            Assumptions.assumeFalse(e.errno() == 1, "SO_BINDTODEVICE needs CAP_NET_RAW: skipped");
            throw e;
        }
        ByteBuffer b = JnrSockOpts.get(p[1].getSocket(), SOL_SOCKET, 25, 16);
        byte[] name = new byte[b.remaining()];
        b.get(name);
        assertEquals("lo", new String(name, StandardCharsets.US_ASCII).replace("\0", ""));
    }

    /** struct tcp_info decoded here from linux/tcp.h's order: 8 one-byte fields, then __u32s from offset 8. */
    @Test
    void tcpInfoMatchesTheKernelsStruct() throws Exception {
        Socket[] p = tcpPair("127.0.0.1:0", "127.0.0.1:");
        p[1].send(new byte[5000]);
        p[2].recvBinary(5000, T);
        TcpInfo ours = p[1].getTcpInfo();
        ByteBuffer k = JnrSockOpts.get(p[1].getSocket(), IPPROTO_TCP, 11, 512);
        assertEquals(1, k.get(0), "tcpi_state ESTABLISHED");
        assertEquals(k.get(0), ours.state());
        assertEquals(Integer.toUnsignedLong(k.getInt(16)), ours.sndMss(), "tcpi_snd_mss at offset 16");
        assertEquals(Integer.toUnsignedLong(k.getInt(20)), ours.rcvMss(), "tcpi_rcv_mss at offset 20");
        assertEquals(Integer.toUnsignedLong(k.getInt(60)), ours.pmtu(), "tcpi_pmtu at offset 60");
        assertEquals(Integer.toUnsignedLong(k.getInt(84)), ours.advmss(), "tcpi_advmss at offset 84");
        assertEquals(k.get(5) & 0xff, ours.options(), "tcpi_options at offset 5");
        assertEquals(Integer.toUnsignedLong(k.getInt(100)), ours.totalRetrans(), "tcpi_total_retrans");
        if (k.remaining() >= 136) {
            long acked = k.getLong(120);
            assertTrue(acked >= 5000 && Math.abs(ours.bytesAcked() - acked) <= 1, "tcpi_bytes_acked at 120: " + acked
                    + " vs " + ours.bytesAcked());
        }
        assertEquals(Math.min(k.remaining(), 232), ours.length());
    }

    @Test
    void peerCredentialsNameThePythonProcessAtTheOtherEnd() throws Exception {
        DatagramInteropIT.assumePython();
        Path path = dir.resolve("cred.sock");
        try (Socket listener = new Socket()) {
            listener.bindUNIX(path.toString());
            assertEquals(0, listener.listen());
            String py = String.join("\n",
                    "import os, socket, struct, sys",
                    "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
                    "s.connect(sys.argv[1])",
                    "pid, uid, gid = struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))",
                    "print(os.getpid(), os.geteuid(), os.getegid(), pid, flush=True)",
                    "s.recv(1)");
            try (ChildProcess p = DatagramInteropIT.python(py, path.toString())) {
                try (Socket a = listener.accept(T)) {
                    String[] f = p.line(T).split(" ");
                    PeerCredentials pc = a.getPeerCredentials();
                    assertEquals(Long.parseLong(f[0]), pc.pid(), "the python process's pid");
                    assertEquals(p.pid(), pc.pid());
                    assertEquals(Long.parseLong(f[1]), pc.uid());
                    assertEquals(Long.parseLong(f[2]), pc.gid());
                    assertEquals(ProcessHandle.current().pid(), Long.parseLong(f[3]),
                            "python sees this JVM as its peer");
                    a.send("x");
                }
                assertEquals(0, p.waitFor(T), p.stderr());
            }
        }
    }
}
