package io.ffsock.it;

import io.ffsock.Datagram;
import io.ffsock.DatagramSocket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.SocketOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Multicast and broadcast that never leave this machine: groups are joined on the loopback interface, senders
 * leave by {@code lo} from 127.0.0.x with TTL 0 (the kernel delivers TTL-0 multicast to local members only) and
 * broadcast goes to 127.255.255.255. Memberships are checked from outside in {@code /proc/net/igmp},
 * {@code /proc/net/igmp6} and {@code /proc/net/mcfilter}, option values through jnr, and traffic against socat
 * and python3. (IPv6 multicast traffic cannot be looped through {@code lo} on Linux; PrivateNetnsIT sends it over
 * a veth pair in a network namespace of its own.)
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class MulticastIT {
    private static final int T = 5_000;
    private static final int IPPROTO_IP = 0;
    private static final int IP_MULTICAST_TTL = 33;
    private static final int IP_MULTICAST_LOOP = 34;
    private static final int SOL_SOCKET = 1;
    private static final int SO_BROADCAST = 6;

    /** Groups in 239.255.0.0/16, the IPv4 organisation-local scope, varied per test so that runs do not mix. */
    private static String group(int n) {
        return "239.255." + (100 + n) + "." + (ProcessHandle.current().pid() % 200 + 1);
    }

    /** /proc/net/igmp prints a group as the host-order hex of its network-order bytes. */
    private static String igmpHex(String group) {
        String[] p = group.split("\\.");
        return String.format(Locale.ROOT, "%02X%02X%02X%02X", Integer.parseInt(p[3]), Integer.parseInt(p[2]),
                Integer.parseInt(p[1]), Integer.parseInt(p[0]));
    }

    /** /proc/net/mcfilter prints a group as 0x and the hex of its address in network order. */
    private static String mcfilter(String group) {
        String[] p = group.split("\\.");
        return String.format(Locale.ROOT, "0x%02x%02x%02x%02x", Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                Integer.parseInt(p[2]), Integer.parseInt(p[3]));
    }

    /** The IPv4 groups /proc/net/igmp lists for interface {@code dev}. */
    private static List<String> igmpGroups(String dev) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        boolean in = false;
        for (String l : Files.readAllLines(Path.of("/proc/net/igmp"))) {
            if (!l.startsWith("\t") && !l.startsWith(" ") && !l.startsWith("Idx")) {
                in = l.split("\\s+").length > 1 && l.split("\\s+")[1].equals(dev);
            } else if (in && l.startsWith("\t")) {
                out.add(l.trim().split("\\s+")[0]);
            }
        }
        return out;
    }

    private static DatagramSocket receiver(String group) throws SocketException {
        DatagramSocket r = new DatagramSocket();
        r.setOption(SocketOptions.SO_REUSEADDR, true);
        r.bind(group + ":0"); // bound to the group: only its datagrams arrive
        return r;
    }

    /** A sender that cannot reach past this host: from 127.0.0.x, out of lo, TTL 0, looped to local members. */
    private static DatagramSocket sender(String from) throws SocketException {
        DatagramSocket s = new DatagramSocket();
        s.bind(from + ":0");
        s.setMulticastInterface("lo");
        s.setMulticastTtl(0);
        s.setMulticastLoop(true);
        return s;
    }

    private static void assertNothing(DatagramSocket r, String why) {
        SocketException e = assertThrows(SocketException.class, () -> r.receiveFrom(200), why);
        assertEquals(SocketError.TIMEOUT, e.error(), why);
    }

    @Test
    void joinOnLoopbackReceivesOnceAndLeaveStops() throws Exception {
        String g = group(1);
        try (DatagramSocket r = receiver(g); DatagramSocket s = sender("127.0.0.1")) {
            assertFalse(igmpGroups("lo").contains(igmpHex(g)));
            r.joinGroup(g, "lo");
            assertTrue(igmpGroups("lo").contains(igmpHex(g)), "the kernel lists the membership on lo: "
                    + igmpGroups("lo"));
            assertEquals(0, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IP, IP_MULTICAST_TTL), "TTL 0 seen from outside");
            assertEquals(1, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IP, IP_MULTICAST_LOOP));
            assertEquals("0.0.0.0", s.getOption(SocketOptions.IP_MULTICAST_IF), "set by interface name, not address");

            s.sendTo("to the group".getBytes(StandardCharsets.UTF_8), g + ":" + r.getPort());
            Datagram d = r.receiveFrom(T);
            assertEquals("to the group", new String(d.data(), StandardCharsets.UTF_8));
            assertEquals("127.0.0.1", d.from().address());
            assertEquals(s.getPort(), d.from().port());
            assertNothing(r, "TTL 0 and loop: exactly one copy");

            r.leaveGroup(g, "lo");
            assertFalse(igmpGroups("lo").contains(igmpHex(g)), "leave removed the membership");
            s.sendTo("after leaving".getBytes(StandardCharsets.UTF_8), g + ":" + r.getPort());
            assertNothing(r, "no member, no delivery");
        }
    }

    @Test
    void pythonSendsToFfsockAndSocatReceivesFromFfsock() throws Exception {
        DatagramInteropIT.assumePython();
        DatagramInteropIT.assumeSocat();
        String g = group(2);
        try (DatagramSocket r = receiver(g)) {
            r.joinGroup(g, "127.0.0.1"); // the interface given by its address
            String py = String.join("\n",
                    "import socket, sys",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.bind(('127.0.0.1', 0))",
                    "s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('127.0.0.1'))",
                    "s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)",
                    "s.sendto(b'from python', (sys.argv[1], int(sys.argv[2])))",
                    "print(s.getsockname()[1], flush=True)");
            try (ChildProcess p = DatagramInteropIT.python(py, g, Integer.toString(r.getPort()))) {
                Datagram d = r.receiveFrom(T);
                assertEquals("from python", new String(d.data(), StandardCharsets.UTF_8));
                assertEquals(Integer.parseInt(p.line(T)), d.from().port());
                assertEquals(0, p.waitFor(T), p.stderr());
            }
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.bind("127.0.0.1:0");
            port = probe.getPort();
        }
        try (ChildProcess socat = ChildProcess.start(List.of("socat", "-u", "UDP4-RECVFROM:" + port
                + ",ip-add-membership=" + g + ":lo,bind=" + g + ",reuseaddr", "STDOUT"));
             DatagramSocket s = sender("127.0.0.1")) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!igmpGroups("lo").contains(igmpHex(g))) {
                assertTrue(System.nanoTime() < deadline, "socat did not join: " + socat.stderr());
                Thread.sleep(20);
            }
            s.sendTo("to socat\n".getBytes(StandardCharsets.UTF_8), g + ":" + port);
            assertEquals("to socat", socat.line(T));
        }
    }

    /**
     * IP_MULTICAST_LOOP as the kernel holds it. (On {@code lo} the datagram comes back through the device itself,
     * so one copy arrives whatever the setting; PrivateNetnsIT shows the setting's effect on a veth pair.)
     */
    @Test
    void multicastLoopIsSetAsTheKernelSeesIt() throws Exception {
        try (DatagramSocket s = sender("127.0.0.1")) {
            s.setMulticastLoop(false);
            assertEquals(0, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IP, IP_MULTICAST_LOOP));
            assertFalse(s.getOption(SocketOptions.IP_MULTICAST_LOOP));
            s.setMulticastLoop(true);
            assertEquals(1, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IP, IP_MULTICAST_LOOP));
            s.setMulticastTtl(1);
            assertEquals(1, JnrPosix.sockOpt(s.getSocket(), IPPROTO_IP, IP_MULTICAST_TTL));
            s.setMulticastInterface("127.0.0.1");
            assertEquals("127.0.0.1", s.getOption(SocketOptions.IP_MULTICAST_IF), "set by address, read back");
        }
    }

    @Test
    void sourceSpecificJoinsTakeOnlyTheirSource() throws Exception {
        String g = group(4);
        String h = group(5);
        try (DatagramSocket byName = receiver(g); DatagramSocket byAddr = receiver(h);
             DatagramSocket good = sender("127.0.0.1"); DatagramSocket other = sender("127.0.0.2")) {
            byName.joinGroup(g, "lo", "127.0.0.1");   // MCAST_JOIN_SOURCE_GROUP (group_source_req)
            byAddr.joinGroup(h, "127.0.0.1", "127.0.0.1"); // IP_ADD_SOURCE_MEMBERSHIP (ip_mreq_source)
            String filters = Files.readString(Path.of("/proc/net/mcfilter"));
            assertTrue(filters.contains(mcfilter(g) + " 0x7f000001") && filters.contains(mcfilter(h) + " 0x7f000001"),
                    "the kernel lists both source filters for 127.0.0.1:\n" + filters);
            for (DatagramSocket[] pair : new DatagramSocket[][] {{byName}, {byAddr}}) {
                DatagramSocket r = pair[0];
                String grp = r == byName ? g : h;
                other.sendTo("wrong source".getBytes(StandardCharsets.UTF_8), grp + ":" + r.getPort());
                good.sendTo("right source".getBytes(StandardCharsets.UTF_8), grp + ":" + r.getPort());
                Datagram d = r.receiveFrom(T);
                assertEquals("right source", new String(d.data(), StandardCharsets.UTF_8),
                        "the datagram from 127.0.0.2 was filtered out");
                assertEquals("127.0.0.1", d.from().address());
                assertNothing(r, "nothing else came through");
            }
            byName.leaveGroup(g, "lo", "127.0.0.1");
            byAddr.leaveGroup(h, "127.0.0.1", "127.0.0.1");
            String after = Files.readString(Path.of("/proc/net/mcfilter"));
            assertFalse(after.contains(mcfilter(g)) || after.contains(mcfilter(h)), after);
        }
    }

    @Test
    void broadcastToLoopbackNeedsSoBroadcast() throws Exception {
        try (DatagramSocket r = new DatagramSocket(); DatagramSocket s = new DatagramSocket()) {
            r.bind("127.255.255.255:0");
            s.bind("127.0.0.1:0");
            String to = "127.255.255.255:" + r.getPort();
            SocketException e = assertThrows(SocketException.class,
                    () -> s.sendTo("b".getBytes(StandardCharsets.UTF_8), to));
            assertEquals(13, e.errno(), e.getMessage()); // EACCES
            assertTrue(e.getMessage().contains("SO_BROADCAST"), e.getMessage());
            s.setBroadcast(true);
            assertEquals(1, JnrPosix.sockOpt(s.getSocket(), SOL_SOCKET, SO_BROADCAST));
            s.sendTo("broadcast".getBytes(StandardCharsets.UTF_8), to);
            assertEquals("broadcast", new String(r.recv(T), StandardCharsets.UTF_8));
        }
    }

    @Test
    void badGroupsAndInterfacesFailClearlyAndLeakNothing() throws Exception {
        String g = group(6);
        NoNewFds.check("bad multicast requests", () -> {
            try (DatagramSocket r = receiver(g)) {
                SocketException e = assertThrows(SocketException.class, () -> r.joinGroup("10.1.2.3", "lo"));
                assertEquals(22, e.errno());
                assertTrue(e.getMessage().contains("invalid group address '10.1.2.3'"), e.getMessage());
                assertThrows(SocketException.class, () -> r.joinGroup("not-an-address", "lo"));
                assertThrows(SocketException.class, () -> r.joinGroup(null, "lo"));
                assertThrows(SocketException.class, () -> r.joinGroup(g, "lo", "239.1.1.1"));
                SocketException dev = assertThrows(SocketException.class, () -> r.joinGroup(g, "nosuch0"));
                assertEquals(19, dev.errno(), dev.getMessage()); // ENODEV
                assertTrue(dev.getMessage().contains("'nosuch0'"), dev.getMessage());
                SocketException v6 = assertThrows(SocketException.class, () -> r.joinGroup("ff02::1:2", "lo"));
                assertTrue(v6.getMessage().contains("IPv6 group needs an IPv6 socket"), v6.getMessage());
                SocketException notMember = assertThrows(SocketException.class, () -> r.leaveGroup(g, "lo"));
                assertEquals(99, notMember.errno(), notMember.getMessage()); // EADDRNOTAVAIL
                r.joinGroup(g, "lo");
                SocketException twice = assertThrows(SocketException.class, () -> r.joinGroup(g, "lo"));
                assertEquals(98, twice.errno(), twice.getMessage()); // EADDRINUSE
                assertTrue(twice.getMessage().contains("joined already"), twice.getMessage());
                SocketException ttl = assertThrows(SocketException.class, () -> r.setMulticastTtl(256));
                assertEquals(SocketError.ERROR, ttl.error());
                SocketException ifc = assertThrows(SocketException.class, () -> r.setMulticastInterface("nosuch0"));
                assertEquals(19, ifc.errno(), ifc.getMessage());
            }
            try (DatagramSocket unopened = new DatagramSocket()) {
                assertEquals(SocketError.NOT_OPEN,
                        assertThrows(SocketException.class, () -> unopened.joinGroup(g, "lo")).error());
            }
        });
    }

    @Test
    void ipv6MembershipOnLoopbackIsVisibleFromOutside() throws Exception {
        Assumptions.assumeTrue(DatagramInteropIT.ipv6(), "IPv6 loopback is not configured: skipped");
        String g = "ff02::1:ff00:" + Integer.toHexString((int) (ProcessHandle.current().pid() % 0xffff) + 1);
        StringBuilder hex = new StringBuilder();
        for (byte b : java.net.InetAddress.getByName(g).getAddress()) {
            hex.append(String.format(Locale.ROOT, "%02x", b & 0xff));
        }
        try (DatagramSocket r = new DatagramSocket()) {
            r.bind("[::1]:0");
            r.joinGroup(g, "lo");
            assertTrue(Files.readString(Path.of("/proc/net/igmp6")).lines()
                    .anyMatch(l -> l.contains(" lo ") && l.contains(hex)), "/proc/net/igmp6 lists " + g + " on lo");
            r.setMulticastTtl(0);
            assertEquals(0, r.getOption(SocketOptions.IPV6_MULTICAST_HOPS));
            r.setMulticastInterface("lo");
            assertEquals("lo", r.getOption(SocketOptions.IPV6_MULTICAST_IF));
            r.leaveGroup(g, "lo");
            assertFalse(Files.readString(Path.of("/proc/net/igmp6")).lines()
                    .anyMatch(l -> l.contains(" lo ") && l.contains(hex)), "leave removed " + g);
        }
    }
}
