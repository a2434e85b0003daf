package io.ffsock.it;

import io.ffsock.Datagram;
import io.ffsock.DatagramSocket;
import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.SocketOptions;
import io.ffsock.TcpInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@link PrivateNetnsIT} runs inside a network namespace of its own (made by {@code unshare --net}, gone when
 * this process exits), where a veth pair {@code ffa}/{@code ffb} carries IPv6 multicast that {@code lo} cannot,
 * and where net.ipv4.tcp_fastopen can be turned on for servers without touching the host. Addresses: ffa has
 * fd00:ff::1 and fd00:ff::3 and 169.254.42.1; ffb has fd00:ff::2. Nothing here can reach another host.
 * <p>
 * Prints "ok NAME" or "fail NAME: why" per check, then "end".
 */
public final class NetnsChild {
    private NetnsChild() {}

    private static final int T = 5_000;
    private static int failures;

    @FunctionalInterface
    private interface Check {
        void run() throws Exception;
    }

    private static void check(String name, Check c) {
        try {
            c.run();
            System.out.println("ok " + name);
        } catch (Throwable t) {
            failures++;
            System.out.println("fail " + name + ": " + t);
        }
        System.out.flush();
    }

    private static void expect(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void nothing(DatagramSocket r, String why) throws SocketException {
        try {
            Datagram d = r.receiveFrom(200);
            throw new AssertionError(why + ": got '" + text(d.data()) + "' from " + d.from().address());
        } catch (SocketException e) {
            if (e.error() != SocketError.TIMEOUT) {
                throw e;
            }
        }
    }

    public static void main(String[] args) {
        check("ipv6-any-source-multicast", NetnsChild::ipv6AnySource);
        check("ipv6-source-specific-multicast", NetnsChild::ipv6SourceSpecific);
        check("ipv6-multicast-loop", NetnsChild::ipv6Loop);
        check("ipv4-multicast-loop", NetnsChild::ipv4Loop);
        check("tcp-fast-open", NetnsChild::fastOpen);
        System.out.println("end " + failures);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static DatagramSocket sender6(String from, boolean loop) throws SocketException {
        DatagramSocket s = new DatagramSocket();
        s.bind("[" + from + "]:0");
        s.setMulticastInterface("ffa");
        s.setMulticastTtl(1);
        s.setMulticastLoop(loop);
        return s;
    }

    private static void ipv6AnySource() throws Exception {
        try (DatagramSocket r = new DatagramSocket(); DatagramSocket s = sender6("fd00:ff::1", true)) {
            r.bind("[::]:0");
            r.joinGroup("ff15::4242", "ffa");
            expect(Files.readString(Path.of("/proc/net/igmp6")).contains("ff150000000000000000000000004242"),
                    "/proc/net/igmp6 lists the group");
            expect(r.getSocketInfo().family() == 10, "an IPv6 socket");
            s.sendTo("six".getBytes(StandardCharsets.UTF_8), "[ff15::4242]:" + r.getPort());
            Datagram d = r.receiveFrom(T);
            expect(text(d.data()).equals("six"), "payload " + text(d.data()));
            expect(d.from().address().equals("fd00:ff::1"), "from " + d.from().address());
            expect(d.from().port() == s.getPort(), "port " + d.from().port());
            r.leaveGroup("ff15::4242", "ffa");
            s.sendTo("gone".getBytes(StandardCharsets.UTF_8), "[ff15::4242]:" + r.getPort());
            nothing(r, "after leaving");
        }
    }

    private static void ipv6SourceSpecific() throws Exception {
        try (DatagramSocket r = new DatagramSocket(); DatagramSocket good = sender6("fd00:ff::1", true);
             DatagramSocket other = sender6("fd00:ff::3", true)) {
            r.bind("[::]:0");
            r.joinGroup("ff35::4242", "ffa", "fd00:ff::1");
            other.sendTo("wrong".getBytes(StandardCharsets.UTF_8), "[ff35::4242]:" + r.getPort());
            good.sendTo("right".getBytes(StandardCharsets.UTF_8), "[ff35::4242]:" + r.getPort());
            Datagram d = r.receiveFrom(T);
            expect(text(d.data()).equals("right"), "the datagram from fd00:ff::3 got through: " + text(d.data()));
            nothing(r, "only the chosen source");
            r.leaveGroup("ff35::4242", "ffa", "fd00:ff::1");
        }
    }

    /** The receiver is a member on ffa only: what goes out of ffa reaches it through the loop, or not at all. */
    private static void ipv6Loop() throws Exception {
        try (DatagramSocket r = new DatagramSocket(); DatagramSocket s = sender6("fd00:ff::1", false)) {
            r.bind("[::]:0");
            r.joinGroup("ff15::4343", "ffa");
            expect(!s.getOption(SocketOptions.IPV6_MULTICAST_LOOP), "loop off");
            s.sendTo("off".getBytes(StandardCharsets.UTF_8), "[ff15::4343]:" + r.getPort());
            nothing(r, "IPV6_MULTICAST_LOOP off");
            s.setMulticastLoop(true);
            s.sendTo("on".getBytes(StandardCharsets.UTF_8), "[ff15::4343]:" + r.getPort());
            expect(text(r.recv(T)).equals("on"), "loop on delivers");
            nothing(r, "exactly one copy");
        }
    }

    private static void ipv4Loop() throws Exception {
        try (DatagramSocket r = new DatagramSocket(); DatagramSocket s = new DatagramSocket()) {
            r.setOption(SocketOptions.SO_REUSEADDR, true);
            r.bind("239.255.77.1:0");
            r.joinGroup("239.255.77.1", "ffa");
            s.bind("169.254.42.1:0");
            s.setMulticastInterface("ffa");
            s.setMulticastTtl(1);
            s.setMulticastLoop(false);
            s.sendTo("off".getBytes(StandardCharsets.UTF_8), "239.255.77.1:" + r.getPort());
            nothing(r, "IP_MULTICAST_LOOP off");
            s.setMulticastLoop(true);
            s.sendTo("on".getBytes(StandardCharsets.UTF_8), "239.255.77.1:" + r.getPort());
            Datagram d = r.receiveFrom(T);
            expect(text(d.data()).equals("on"), "loop on delivers");
            expect(d.from().address().equals("169.254.42.1"), "from " + d.from().address());
        }
    }

    /** TcpExtTCPFastOpenPassive from /proc/net/netstat: SYNs with data this namespace's servers accepted. */
    private static long passiveFastOpens() throws Exception {
        String[] lines = Files.readAllLines(Path.of("/proc/net/netstat")).toArray(new String[0]);
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("TcpExt:")) {
                String[] names = lines[i].split(" ");
                String[] values = lines[i + 1].split(" ");
                for (int k = 0; k < names.length; k++) {
                    if (names[k].equals("TCPFastOpenPassive")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new AssertionError("no TCPFastOpenPassive in /proc/net/netstat");
    }

    private static void fastOpen() throws Exception {
        try (Socket listener = new Socket()) {
            listener.setOption(SocketOptions.TCP_FASTOPEN, 16); // remembered: applied before bind and listen
            expect(listener.bind("127.0.0.1:0", true) == 0, "bind");
            expect(listener.listen() == 0, "listen");
            expect(JnrPosix.sockOpt(listener.getSocket(), 6, 23) == 16, "TCP_FASTOPEN queue seen from outside");
            String dest = "127.0.0.1:" + listener.getPort();
            long before = passiveFastOpens();
            boolean[] synData = new boolean[2];
            for (int round = 0; round < 2; round++) {
                String req = "GET" + round;
                try (Socket c = new Socket()) {
                    c.connectFastOpen(dest, req.getBytes(StandardCharsets.UTF_8), T);
                    try (Socket a = listener.accept(T)) {
                        expect(a != null, "accept");
                        expect(a.recv(4, T).equals(req), "the server got the request");
                        a.send("OK" + round);
                        expect(c.recv(3, T).equals("OK" + round), "the answer");
                        TcpInfo ci = c.getTcpInfo();
                        TcpInfo ai = a.getTcpInfo();
                        synData[round] = ci.synData();
                        expect(ci.synData() == ai.synData(), "both ends agree on SYN data: " + ci.options() + " / "
                                + ai.options());
                    }
                }
            }
            expect(!synData[0], "the first connection has no cookie yet, so no data in its SYN");
            expect(synData[1], "the second connection carried its request in the SYN (TCPI_OPT_SYN_DATA)");
            long after = passiveFastOpens();
            expect(after - before == 1, "TcpExtTCPFastOpenPassive went from " + before + " to " + after);
        }
    }
}
