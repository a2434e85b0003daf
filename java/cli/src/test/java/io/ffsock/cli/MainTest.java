package io.ffsock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verb dispatch: the exit codes the ./ffsock launcher passes through. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noVerbRunsTheDemo() {
        String saved = System.setProperty("ffsock.demo.rounds", "200");
        try {
            assertEquals(0, Main.run(new String[0]), out());
        } finally {
            if (saved == null) {
                System.clearProperty("ffsock.demo.rounds");
            } else {
                System.setProperty("ffsock.demo.rounds", saved);
            }
        }
        assertTrue(out().startsWith("ffsock demo"), out());
        assertTrue(out().contains("200 per batch"), out());
    }

    @Test
    void demoShowsEachFamilyIntegersATimeoutAndTheNioComparison() {
        assertEquals(0, Main.run(new String[] {"demo", "--rounds", "500"}), out());
        String o = out();
        for (String expected : new String[] {
                "== TCP/IPv4", "client getPeerInfo():   ipv4(127.0.0.1) port ", "\"hello over TCP/IPv4\"",
                "== AF_UNIX", "unix:/", "\"hello over AF_UNIX\"",
                "sendi4/recvi4 2393921, sendi4LSB/recvi4LSB 2393921, sendi8/recvi8 12309309203932",
                "SOCKET-TIMEOUT: timed out after 50 milliseconds in Socket::recv() call",
                "ffsock (Socket.read/write, MemorySegment)", "java.nio SocketChannel", "ffsock / NIO time ratio"}) {
            assertTrue(o.contains(expected), () -> "the demo did not print '" + expected + "':\n" + o);
        }
        assertTrue(o.contains("== TCP/IPv6") , o);
        if (Ipv6.loopbackConfigured()) {
            assertTrue(o.contains("client getPeerInfo(false):   ipv6[::1] port "), o);
        }
    }

    @Test
    void helpPrintsUsageOnStdout() {
        for (String verb : new String[] {"help", "-h", "--help"}) {
            assertEquals(0, Main.run(new String[] {verb}), verb);
        }
        assertTrue(out().contains("usage: ffsock"), out());
        assertEquals("", err());
    }

    @Test
    void unknownVerbPrintsUsageOnStderrAndExits2() {
        assertEquals(Main.EXIT_USAGE, Main.run(new String[] {"no-such-verb", "x"}));
        assertTrue(err().contains("unknown verb 'no-such-verb'"), err());
        assertTrue(err().contains("usage: ffsock"), err());
        assertEquals("", out());
    }
}
