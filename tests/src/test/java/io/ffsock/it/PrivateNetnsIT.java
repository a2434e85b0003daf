package io.ffsock.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What loopback cannot show, shown in a network namespace of this test's own: {@code unshare --net} starts a
 * shell in a new, empty namespace (deleted by the kernel when its last process exits — nothing to clean up, and no
 * route out of it), which brings up {@code lo} and a veth pair, enables TCP Fast Open for servers in that
 * namespace only, and execs a JVM running {@link NetnsChild}. Its checks: IPv6 multicast, any-source and
 * source-specific, over the veth pair; the effect of the multicast loop option for IPv4 and IPv6; TCP Fast Open
 * with data in the SYN on the second connection, seen in TCP_INFO and the namespace's TcpExt counters.
 * <p>
 * Needs root (or user namespaces), {@code unshare} and {@code ip}; skipped with the reason otherwise.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class PrivateNetnsIT {
    private static final String SETUP = String.join("; ",
            "set -e",
            "ip link set lo up",
            "ip link add ffa type veth peer name ffb",
            "ip link set ffa up",
            "ip link set ffb up",
            "ip -6 addr add fd00:ff::1/64 dev ffa nodad",
            "ip -6 addr add fd00:ff::3/64 dev ffa nodad",
            "ip -6 addr add fd00:ff::2/64 dev ffb nodad",
            "ip addr add 169.254.42.1/16 dev ffa",
            "echo 3 > /proc/sys/net/ipv4/tcp_fastopen",
            "exec \"$@\"");
    private static List<String> output;
    private static String stderr;

    @BeforeAll
    static void runInNamespace() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare"))
                        && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                        || Files.isExecutable(Path.of("/usr/bin/ip"))),
                "unshare (util-linux) or ip (iproute2) is missing: namespace checks skipped");
        Process probe = new ProcessBuilder("unshare", "--net", "true").redirectErrorStream(true).start();
        boolean ok = probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        Assumptions.assumeTrue(ok, "this process may not create a network namespace (needs root or user "
                + "namespaces): IPv6 multicast traffic and TCP Fast Open checks skipped");
        List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "sh", "-c", SETUP, "sh"));
        cmd.addAll(ChildProcess.javaCommand(NetnsChild.class.getName()));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            child.lineStartingWith("end", 45_000);
            child.waitFor(10_000);
            output = child.output();
            stderr = child.stderr();
        }
    }

    @AfterAll
    static void forget() {
        output = null;
    }

    private static void assertOk(String name) {
        assertTrue(output.contains("ok " + name), name + " failed in the namespace: " + output + "\nstderr:\n"
                + stderr);
    }

    @Test
    void ipv6AnySourceMulticastOverVeth() {
        assertOk("ipv6-any-source-multicast");
    }

    @Test
    void ipv6SourceSpecificMulticastOverVeth() {
        assertOk("ipv6-source-specific-multicast");
    }

    @Test
    void multicastLoopOptionDecidesLocalDeliveryForIpv6() {
        assertOk("ipv6-multicast-loop");
    }

    @Test
    void multicastLoopOptionDecidesLocalDeliveryForIpv4() {
        assertOk("ipv4-multicast-loop");
    }

    @Test
    void tcpFastOpenCarriesTheRequestInTheSyn() {
        assertOk("tcp-fast-open");
    }
}
