package io.ffsock.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Socket activation for real: a JVM is started by {@code native/peer/ffsock-activate}, which opens the sockets,
 * puts them at descriptors 3, 4, 5 (or the connection at 0, inetd style), sets LISTEN_FDS / LISTEN_PID /
 * LISTEN_FDNAMES with the pid that exec keeps, and execs java. The child ({@link ActivatedChild}) adopts them with
 * {@link io.ffsock.SocketActivation}; this test talks to it through the JDK's own sockets.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class SocketActivationIT {
    private static final int T = 20_000;
    private static final Pattern PORTS = Pattern.compile("ports tcp=(\\d+) udp=(\\d+)");
    private static Path launcher;

    @TempDir
    Path dir;

    @BeforeAll
    static void findLauncher() {
        String p = System.getProperty("ffsock.activate");
        assertNotNull(p, "system property ffsock.activate is not set: run through Maven (tests/pom.xml sets it)");
        launcher = Path.of(p);
        assertTrue(Files.isExecutable(launcher), launcher + " was not built: CMake builds native/peer with the "
                + "tests module");
    }

    private static String exchange(java.net.Socket s, String msg, int replyLen) throws Exception {
        s.setSoTimeout(T);
        OutputStream out = s.getOutputStream();
        out.write(msg.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(replyLen), StandardCharsets.UTF_8);
    }

    @Test
    void systemdStyleSocketsAreAdoptedByNameAndServe() throws Exception {
        Path ctl = dir.resolve("ctl.sock");
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "--unix", ctl.toString(), "--"));
        cmd.addAll(ChildProcess.javaCommand(ActivatedChild.class.getName(), "systemd"));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            Matcher m = PORTS.matcher(child.line(T));
            assertTrue(m.matches(), "launcher's first line: " + child.output());
            int tcp = Integer.parseInt(m.group(1));
            int udp = Integer.parseInt(m.group(2));
            String ready = child.lineStartingWith("ready", T);
            assertEquals("ready", ready);
            List<String> facts = child.output();
            assertTrue(facts.contains("passed fd=3 name=web family=2 type=1 listening=true"), facts.toString());
            assertTrue(facts.contains("passed fd=4 name=dns family=2 type=2 listening=false"), facts.toString());
            assertTrue(facts.contains("passed fd=5 name=ctl family=1 type=1 listening=true"), facts.toString());
            assertTrue(facts.contains("adopted web=3 port=" + tcp + " listening=true dns=4 port=" + udp + " ctl=5 path="
                    + ctl), facts.toString());
            for (String l : facts) {
                if (l.startsWith("fdinfo ")) {
                    long flags = Long.parseLong(l.split(" ")[2], 8);
                    assertTrue((flags & 04000) != 0, "adopted descriptor not non-blocking: " + l);
                    assertTrue((flags & 02000000) != 0, "adopted descriptor not close-on-exec: " + l);
                }
            }

            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), tcp)) {
                assertEquals("web:hello", exchange(s, "hello", 9));
            }
            try (java.net.DatagramSocket d = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                d.setSoTimeout(T);
                byte[] q = "query".getBytes(StandardCharsets.UTF_8);
                d.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), udp));
                DatagramPacket r = new DatagramPacket(new byte[64], 64);
                d.receive(r);
                assertEquals("dns:query", new String(r.getData(), 0, r.getLength(), StandardCharsets.UTF_8));
            }
            try (SocketChannel u = SocketChannel.open(UnixDomainSocketAddress.of(ctl))) {
                u.write(ByteBuffer.wrap("state".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer r = ByteBuffer.allocate(9);
                while (r.hasRemaining() && u.read(r) >= 0) {
                    // until the whole reply is in
                }
                assertEquals("ctl:state", new String(r.array(), StandardCharsets.UTF_8));
            }
            assertEquals("done", child.lineStartingWith("done", T));
            assertEquals(0, child.waitFor(T), child.stderr());
        }
    }

    @Test
    void socketsMeantForAnotherProcessAreNotTaken() throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "--wrong-pid", "--"));
        cmd.addAll(ChildProcess.javaCommand(ActivatedChild.class.getName(), "foreign"));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            assertTrue(PORTS.matcher(child.line(T)).matches());
            assertEquals("passed count=0", child.lineStartingWith("passed", T));
            String refused = child.lineStartingWith("refused", T);
            assertTrue(refused.contains("not socket-activated"), refused);
            assertEquals(0, child.waitFor(T), child.stderr());
        }
    }

    @Test
    void inetdStyleConnectionOnStdinIsAdopted() throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "--inetd", "--"));
        cmd.addAll(ChildProcess.javaCommand(ActivatedChild.class.getName(), "inetd"));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            Matcher m = Pattern.compile("ports inetd=(\\d+)").matcher(child.line(T));
            assertTrue(m.matches(), child.output().toString());
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(m.group(1)))) {
                String info = child.lineStartingWith("inetd", T);
                assertEquals("inetd fd=0 peer=127.0.0.1", info);
                assertEquals("inetd:hello", exchange(s, "hello", 11));
            }
            assertEquals(0, child.waitFor(T), child.stderr());
        }
    }

    @Test
    void systemdSocketActivateFromDebianToo() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-socket-activate");
        Assumptions.assumeTrue(Files.isExecutable(tool), "systemd-socket-activate (Debian package systemd) is not "
                + "installed: the check with systemd's own launcher is skipped; ffsock-activate covered it");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString(), "-l", "127.0.0.1:" + port,
                "--fdname=web"));
        cmd.addAll(ChildProcess.javaCommand(ActivatedChild.class.getName(), "systemd-one"));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            // systemd-socket-activate waits for the first connection before it starts the program
            long deadline = System.nanoTime() + 10_000_000_000L;
            java.net.Socket s = null;
            while (s == null) {
                try {
                    s = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
                } catch (java.net.ConnectException e) {
                    if (System.nanoTime() > deadline) {
                        fail("systemd-socket-activate did not listen on " + port + ": " + child.stderr());
                    }
                    Thread.sleep(50);
                }
            }
            try (java.net.Socket c = s) {
                assertEquals("web:hello", exchange(c, "hello", 9));
            }
            assertEquals("passed fd=3 name=web family=2 type=1 listening=true",
                    child.lineStartingWith("passed", T));
            assertEquals(0, child.waitFor(T), child.stderr());
        }
    }
}
