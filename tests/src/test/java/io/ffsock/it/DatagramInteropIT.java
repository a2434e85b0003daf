package io.ffsock.it;

import io.ffsock.Datagram;
import io.ffsock.DatagramSocket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DatagramSocket} against independent implementations on this machine: python3's {@code socket} module,
 * socat, and the JDK's {@link DatagramChannel}. Each side checks what the other sent and who sent it, so that a
 * wrong port, address or length on ffsock's side cannot pass as long as both sides are ffsock.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class DatagramInteropIT {
    private static final int T = 10_000;

    /** A python3 UDP or UNIX datagram echo: prints "port N", then "from ADDR LEN" per datagram, echoing each. */
    static final String PY_ECHO = String.join("\n",
            "import socket, sys",
            "fam = {'4': socket.AF_INET, '6': socket.AF_INET6, 'u': socket.AF_UNIX}[sys.argv[1]]",
            "s = socket.socket(fam, socket.SOCK_DGRAM)",
            "s.bind(sys.argv[2] if fam == socket.AF_UNIX else (sys.argv[2], 0))",
            "print('port', 0 if fam == socket.AF_UNIX else s.getsockname()[1], flush=True)",
            "for i in range(int(sys.argv[3])):",
            "    data, frm = s.recvfrom(70000)",
            "    who = frm if fam == socket.AF_UNIX else '%s %d' % (frm[0], frm[1])",
            "    print('from', who if isinstance(who, str) else who.decode('latin-1').replace('\\0', '@'), len(data),"
                    + " flush=True)",
            "    s.sendto(b'echo:' + data, frm)");

    /** A python3 UDP client: sends argv[3] to argv[1]:argv[2], prints "sent-from PORT" and "got DATA FROM-PORT". */
    static final String PY_CLIENT = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.bind(('127.0.0.1', 0))",
            "s.settimeout(10)",
            "s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))",
            "print('sent-from', s.getsockname()[1], flush=True)",
            "data, frm = s.recvfrom(1000)",
            "print('got', data.decode(), frm[1], flush=True)");

    static void assumePython() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import socket").start();
            ok = p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 is not installed (.ci/run installs it): python peer cases skipped");
    }

    static void assumeSocat() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")),
                "socat is not installed (.ci/run installs it): socat peer cases skipped");
    }

    static boolean ipv6() {
        try (DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            c.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static ChildProcess python(String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        return ChildProcess.start(cmd);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void pythonEchoesFfsockDatagramsAndSeesTheRightSenderOverIpv4AndIpv6() throws Exception {
        assumePython();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"4", "127.0.0.1", "127.0.0.1:"});
        if (ipv6()) {
            cases.add(new String[] {"6", "::1", "[::1]:"});
        }
        for (String[] c : cases) {
            try (ChildProcess py = python(PY_ECHO, c[0], c[1], "3"); DatagramSocket ds = new DatagramSocket()) {
                int port = Integer.parseInt(py.line(T).split(" ")[1]);
                ds.bind(c[2] + "0");
                String to = c[2] + port;
                ds.sendTo("alpha".getBytes(StandardCharsets.UTF_8), to);
                ds.sendTo(new byte[0], to);
                byte[] big = new byte[60_000];
                big[59_999] = 9;
                ds.sendTo(big, to);
                assertEquals("from " + c[1] + " " + ds.getPort() + " 5", py.line(T), "python saw our address");
                assertEquals("from " + c[1] + " " + ds.getPort() + " 0", py.line(T), "an empty datagram is one");
                assertEquals("from " + c[1] + " " + ds.getPort() + " 60000", py.line(T));
                Datagram d = ds.receiveFrom(T);
                assertEquals("echo:alpha", text(d.data()));
                assertEquals(port, d.from().port());
                assertEquals(c[1], d.from().address());
                assertEquals("echo:", text(ds.receiveFrom(T).data()));
                byte[] back = ds.receiveFrom(T).data();
                assertEquals(60_005, back.length);
                assertEquals(9, back[back.length - 1]);
                assertEquals(0, py.waitFor(T), py.stderr());
            }
        }
    }

    @Test
    void ffsockAnswersAPythonClientAtItsAddress() throws Exception {
        assumePython();
        try (DatagramSocket ds = new DatagramSocket()) {
            ds.bind("127.0.0.1:0");
            try (ChildProcess py = python(PY_CLIENT, "127.0.0.1", Integer.toString(ds.getPort()), "question")) {
                Datagram d = ds.receiveFrom(T);
                assertEquals("question", text(d.data()));
                int pyPort = Integer.parseInt(py.line(T).split(" ")[1]);
                assertEquals(pyPort, d.from().port(), "receiveFrom reports the python socket's port");
                ds.sendTo("answer".getBytes(StandardCharsets.UTF_8), d.from().address() + ":" + d.from().port());
                assertEquals("got answer " + ds.getPort(), py.line(T));
                assertEquals(0, py.waitFor(T), py.stderr());
            }
        }
    }

    @Test
    void unixDatagramsWithPythonIncludingTheAbstractNamespace() throws Exception {
        assumePython();
        Path pyPath = Files.createTempDirectory("ffsock-dg").resolve("py.sock");
        try {
            String abs = "@ffsock-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            try (ChildProcess py = python(PY_ECHO, "u", pyPath.toString(), "1"); DatagramSocket ds = new DatagramSocket()) {
                py.line(T);
                ds.bind(abs);
                ds.sendTo("unix".getBytes(StandardCharsets.UTF_8), pyPath.toString());
                assertEquals("from " + abs + " 4", py.line(T), "python sees the abstract name with its NUL");
                Datagram d = ds.receiveFrom(T);
                assertEquals("echo:unix", text(d.data()));
                assertEquals(pyPath.toString(), d.from().address());
                assertEquals(0, py.waitFor(T), py.stderr());
            }
        } finally {
            Files.deleteIfExists(pyPath);
            Files.deleteIfExists(pyPath.getParent());
        }
    }

    @Test
    void socatEchoesAndSendsToFfsock() throws Exception {
        assumeSocat();
        int port;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.bind("127.0.0.1:0");
            port = probe.getPort();
        }
        try (ChildProcess socat = ChildProcess.start(List.of("socat", "-T", "10",
                "UDP4-LISTEN:" + port + ",bind=127.0.0.1", "PIPE")); DatagramSocket ds = new DatagramSocket()) {
            ds.connect("127.0.0.1:" + port);
            // socat may not be listening yet: send until the echo comes back
            byte[] got = null;
            for (int i = 0; i < 100 && got == null; i++) {
                ds.send("via socat".getBytes(StandardCharsets.UTF_8));
                try {
                    got = ds.recv(100);
                } catch (SocketException e) {
                    if (e.error() != SocketError.TIMEOUT && e.errno() != 111) {
                        throw e;
                    }
                    if (e.errno() == 111) {
                        Thread.sleep(50); // refused at once: socat is not listening yet, give it time to start
                    }
                }
            }
            assertNotNull(got, "socat never echoed; stderr: " + socat.stderr());
            assertEquals("via socat", text(got));
        }
        try (DatagramSocket ds = new DatagramSocket()) {
            ds.bind("127.0.0.1:0");
            try (ChildProcess socat = ChildProcess.start(List.of("sh", "-c", "printf 'from socat' | socat -u - "
                    + "UDP4-SENDTO:127.0.0.1:" + ds.getPort() + ",bind=127.0.0.1"))) {
                Datagram d = ds.receiveFrom(T);
                assertEquals("from socat", text(d.data()));
                assertEquals("127.0.0.1", d.from().address());
                assertEquals(0, socat.waitFor(T), socat.stderr());
            }
        }
    }

    @Test
    void jdkDatagramChannelBothWaysAndConnectedRefusalsAgree() throws Exception {
        List<String> hosts = new ArrayList<>(List.of("127.0.0.1"));
        if (ipv6()) {
            hosts.add("::1");
        }
        for (String host : hosts) {
            boolean v6 = host.contains(":");
            String prefix = v6 ? "[" + host + "]:" : host + ":";
            try (DatagramChannel jdk = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET); DatagramSocket ds = new DatagramSocket()) {
                jdk.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                int jdkPort = ((InetSocketAddress) jdk.getLocalAddress()).getPort();
                ds.bind(prefix + "0");
                ds.sendTo("to jdk".getBytes(StandardCharsets.UTF_8), prefix + jdkPort);
                ByteBuffer buf = ByteBuffer.allocate(100);
                InetSocketAddress from = (InetSocketAddress) jdk.receive(buf);
                assertEquals(ds.getPort(), from.getPort(), "the JDK sees ffsock's port");
                buf.flip();
                assertEquals("to jdk", StandardCharsets.UTF_8.decode(buf).toString());
                jdk.send(ByteBuffer.wrap("to ffsock".getBytes(StandardCharsets.UTF_8)), from);
                Datagram d = ds.receiveFrom(T);
                assertEquals("to ffsock", text(d.data()));
                assertEquals(jdkPort, d.from().port());
            }
        }
        // ICMP port unreachable on a connected socket: the JDK says PortUnreachableException, ffsock says refused
        int closed;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (DatagramChannel jdk = DatagramChannel.open(); DatagramSocket ds = new DatagramSocket()) {
            jdk.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed));
            jdk.write(ByteBuffer.wrap(new byte[] {1}));
            ds.connect("127.0.0.1:" + closed);
            ds.send(new byte[] {1});
            Thread.sleep(50);
            assertThrows(PortUnreachableException.class, () -> jdk.read(ByteBuffer.allocate(10)));
            SocketException e = assertThrows(SocketException.class, () -> ds.recv(T));
            assertEquals(111, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        }
    }
}
