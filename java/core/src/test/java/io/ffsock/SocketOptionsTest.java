package io.ffsock;

import io.ffsock.internal.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The typed options on real sockets: each value written is read back through getsockopt, values out of range are
 * refused before any system call, and options set before a socket is open reach its descriptor before bind or
 * connect. (tests/…/it/SocketOptionsIT reads the same options from outside, through jnr.)
 */
@Timeout(30)
class SocketOptionsTest {
    private static final int T = 5_000;

    @TempDir
    Path dir;

    @Test
    void tcpOptionsReadBackWhatWasSet() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            c.setOption(SocketOptions.SO_KEEPALIVE, true);
            c.setOption(SocketOptions.TCP_KEEPIDLE, 45);
            c.setOption(SocketOptions.TCP_KEEPINTVL, 7);
            c.setOption(SocketOptions.TCP_KEEPCNT, 4);
            c.setOption(SocketOptions.TCP_NODELAY, true);
            c.setOption(SocketOptions.TCP_CORK, true);
            c.setOption(SocketOptions.TCP_USER_TIMEOUT, 12_345);
            c.setOption(SocketOptions.SO_LINGER, 3);
            c.setOption(SocketOptions.IP_TOS, 0x10);
            c.setOption(SocketOptions.SO_RCVBUF, 65_536);
            assertTrue(c.getOption(SocketOptions.SO_KEEPALIVE));
            assertEquals(45, c.getOption(SocketOptions.TCP_KEEPIDLE));
            assertEquals(7, c.getOption(SocketOptions.TCP_KEEPINTVL));
            assertEquals(4, c.getOption(SocketOptions.TCP_KEEPCNT));
            assertTrue(c.getOption(SocketOptions.TCP_NODELAY));
            assertTrue(c.getNoDelay(), "the Qore getter sees the same option");
            assertTrue(c.getOption(SocketOptions.TCP_CORK));
            assertEquals(12_345, c.getOption(SocketOptions.TCP_USER_TIMEOUT));
            assertEquals(3, c.getOption(SocketOptions.SO_LINGER));
            assertEquals(0x10, c.getOption(SocketOptions.IP_TOS));
            assertEquals(2 * 65_536, c.getOption(SocketOptions.SO_RCVBUF), "Linux doubles the buffer size set");
            c.setOption(SocketOptions.SO_LINGER, -1);
            assertEquals(-1, c.getOption(SocketOptions.SO_LINGER), "-1 is linger off");
            c.setOption(SocketOptions.TCP_CORK, false);
            assertFalse(c.getOption(SocketOptions.TCP_CORK));
            c.setOption(SocketOptions.TCP_QUICKACK, true); // the kernel may clear it again by itself: only set

            assertEquals(1, c.getOption(SocketOptions.SO_TYPE));
            assertEquals(SocketInfo.AF_INET, c.getOption(SocketOptions.SO_DOMAIN));
            assertEquals(6, c.getOption(SocketOptions.SO_PROTOCOL));
            assertFalse(c.getOption(SocketOptions.SO_ACCEPTCONN));
            assertTrue(p.server().getOption(SocketOptions.SO_ACCEPTCONN));
            assertEquals(0, c.getOption(SocketOptions.SO_ERROR));
        }
    }

    @Test
    void valuesOutOfRangeFailClearlyBeforeAnySystemCall() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            int before = c.getOption(SocketOptions.SO_RCVBUF);
            SocketException e = assertThrows(SocketException.class, () -> c.setOption(SocketOptions.SO_RCVBUF, -1));
            assertEquals(SocketError.ERROR, e.error());
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("SO_RCVBUF = -1 is out of range"), e.getMessage());
            assertEquals(before, c.getOption(SocketOptions.SO_RCVBUF), "nothing reached the kernel");
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.SO_SNDBUF, Integer.MIN_VALUE));
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.TCP_KEEPCNT, 0));
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.IP_TOS, 256));
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.SO_LINGER, -2));
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.SO_BINDTODEVICE,
                    "an-interface-name-far-too-long"));
            SocketException ro = assertThrows(SocketException.class,
                    () -> c.setOption(SocketOptions.SO_TYPE, 2));
            assertTrue(ro.getMessage().contains("can be read but not set"), ro.getMessage());
            assertThrows(SocketException.class, () -> c.setOption(SocketOptions.TCP_NODELAY, null));
            // a TCP option on a UNIX socket: the kernel's refusal, named
            Socket[] pair = Socket.socketPair();
            try (Socket a = pair[0]; Socket b = pair[1]) {
                SocketException k = assertThrows(SocketException.class,
                        () -> a.setOption(SocketOptions.TCP_NODELAY, true));
                assertTrue(k.getMessage().contains("TCP_NODELAY"), k.getMessage());
                assertNotEquals(0, k.errno());
            }
        }
        SocketException notOpen = assertThrows(SocketException.class,
                () -> new Socket().getOption(SocketOptions.SO_TYPE));
        assertEquals(SocketError.NOT_OPEN, notOpen.error());
    }

    @Test
    void tcpInfoDescribesAnEstablishedConnection() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            p.client().send(new byte[1000]);
            p.accepted().recvBinary(1000, T);
            p.accepted().send(new byte[10]);
            p.client().recvBinary(10, T);
            TcpInfo ti = p.client().getTcpInfo();
            assertEquals("ESTABLISHED", ti.stateName());
            assertEquals(1, ti.state());
            assertTrue(ti.length() >= 104, "the kernel reported " + ti.length() + " bytes of tcp_info");
            assertTrue(ti.sndCwnd() > 0, "cwnd " + ti.sndCwnd());
            assertTrue(ti.rtt() > 0, "rtt " + ti.rtt());
            assertTrue(ti.sndMss() > 0);
            if (ti.bytesAcked() >= 0) {
                assertTrue(ti.bytesAcked() >= 1000, "bytes acked " + ti.bytesAcked());
                assertTrue(ti.bytesReceived() >= 10, "bytes received " + ti.bytesReceived());
            }
            assertEquals(0, ti.totalRetrans());
            TcpInfo listening = p.server().getTcpInfo();
            assertEquals("LISTEN", listening.stateName());
        }
    }

    /** SO_REUSEPORT set before bind on several listeners: the kernel spreads incoming connections over them. */
    @Test
    void reusePortSpreadsConnectionsOverListeners() throws Exception {
        int listeners = 4;
        Socket[] ls = new Socket[listeners];
        try {
            int port = 0;
            for (int i = 0; i < listeners; i++) {
                ls[i] = new Socket();
                ls[i].setOption(SocketOptions.SO_REUSEPORT, true);
                assertEquals(0, ls[i].bind("127.0.0.1:" + port), "bind errno " + Socket.errno());
                assertEquals(0, ls[i].listen());
                port = ls[i].getPort();
            }
            Map<Integer, Integer> hits = new HashMap<>();
            int connections = 200;
            for (int k = 0; k < connections; k++) {
                try (Socket c = new Socket()) {
                    c.connect("127.0.0.1:" + port, T);
                    for (int i = 0; i < listeners; i++) {
                        Socket a = ls[i].accept(0);
                        if (a != null) {
                            a.close();
                            hits.merge(i, 1, Integer::sum);
                        }
                    }
                }
            }
            int total = hits.values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(connections, total, "every connection went to one listener: " + hits);
            assertEquals(listeners, hits.size(), "each listener got connections: " + hits);
            for (int n : hits.values()) {
                assertTrue(n >= connections / listeners / 4, "the spread is lopsided: " + hits);
            }
            // without SO_REUSEPORT the port is taken
            try (Socket other = new Socket()) {
                assertEquals(-1, other.bind("127.0.0.1:" + port));
                assertEquals(Errno.EADDRINUSE, Socket.errno());
            }
        } finally {
            for (Socket s : ls) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    @Test
    void rememberedOptionsReachEachNewDescriptorAndSkipOtherKinds() throws Exception {
        try (Socket s = new Socket(); Socket listener = Loopback.listener("127.0.0.1:0")) {
            s.setOption(SocketOptions.TCP_NODELAY, true);
            s.setOption(SocketOptions.SO_SNDBUF, 32_768);
            s.connect("127.0.0.1:" + listener.getPort(), T);
            assertTrue(s.getOption(SocketOptions.TCP_NODELAY));
            assertEquals(65_536, s.getOption(SocketOptions.SO_SNDBUF));
            // a reconnect opens a new descriptor: the options are applied again
            int fd1 = s.getSocket();
            s.connect("127.0.0.1:" + listener.getPort(), T);
            assertTrue(s.getOption(SocketOptions.TCP_NODELAY));
            // a UNIX socket skips the TCP option instead of failing
            String path = dir.resolve("opt.sock").toString();
            s.bindUNIX(path);
            assertEquals(65_536, s.getOption(SocketOptions.SO_SNDBUF));
            assertNotEquals(-1, fd1);
        }
    }

    @Test
    void bindToDeviceIsGatedOnPrivilege() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            try {
                c.setOption(SocketOptions.SO_BINDTODEVICE, "lo");
            } catch (SocketException e) {
                org.junit.jupiter.api.Assumptions.assumeFalse(e.errno() == Errno.EPERM,
                        "SO_BINDTODEVICE needs CAP_NET_RAW, which this process lacks: skipped");
                throw e;
            }
            assertEquals("lo", c.getOption(SocketOptions.SO_BINDTODEVICE));
            SocketException e = assertThrows(SocketException.class,
                    () -> c.setOption(SocketOptions.SO_BINDTODEVICE, "nosuchif0"));
            assertEquals(Errno.ENODEV, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("no network interface"), e.getMessage());
            c.setOption(SocketOptions.SO_BINDTODEVICE, "");
            assertEquals("", c.getOption(SocketOptions.SO_BINDTODEVICE));
        }
    }
}
