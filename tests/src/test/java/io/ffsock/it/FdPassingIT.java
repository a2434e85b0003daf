package io.ffsock.it;

import io.ffsock.DatagramSocket;
import io.ffsock.ReceivedFds;
import io.ffsock.Socket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Descriptors passed over UNIX sockets (SCM_RIGHTS) between ffsock and python3, in both directions, stream and
 * datagram. The descriptors that ffsock receives and nobody takes must be closed: checked in this process's
 * {@code /proc/self/fd}, and from python's side, whose pipe reads end of file only once every copy of its write
 * end — including the one it passed to ffsock — is closed.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class FdPassingIT {
    private static final int T = 10_000;

    @TempDir
    Path dir;

    @BeforeEach
    void python() {
        DatagramInteropIT.assumePython();
    }

    /**
     * Connects to argv[1], sends "take these" with [socketpair end b, pipe write end], closes its own copies of both,
     * then prints what arrives on socketpair end a and whether the pipe reads EOF (every write end closed).
     */
    private static final String PY_SENDER = String.join("\n",
            "import os, socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.connect(sys.argv[1])",
            "a, b = socket.socketpair()",
            "r, w = os.pipe()",
            "socket.send_fds(s, [b'take these'], [b.fileno(), w])",
            "b.close(); os.close(w)",
            "a.settimeout(10)",
            "print('via-passed', a.recv(100).decode(), flush=True)",
            "s.settimeout(10); s.recv(1)",
            "print('pipe-eof', os.read(r, 10) == b'', flush=True)");

    @Test
    void descriptorsFromPythonAreUsableAndTheUntakenOneIsClosed() throws Exception {
        Path path = dir.resolve("pass.sock");
        try (Socket listener = new Socket()) {
            listener.bindUNIX(path.toString());
            assertEquals(0, listener.listen());
            try (ChildProcess py = DatagramInteropIT.python(PY_SENDER, path.toString());
                 Socket conn = listener.accept(T)) {
                Fds.Snapshot before = Fds.snapshot();
                try (ReceivedFds r = conn.recvFds(100, 4, T)) {
                    assertEquals("take these", new String(r.data(), StandardCharsets.UTF_8));
                    assertEquals(2, r.count());
                    assertEquals(2, Fds.snapshot().added(before).stream().filter(e -> !e.endsWith("/fd")).count(),
                            "both descriptors arrived in this process");
                    try (Socket passed = r.takeSocket(0)) {
                        passed.send("hello through a passed socket");
                    }
                    // descriptor 1, the pipe's write end, is not taken
                }
                NoNewFds.assertNoneAdded(before, "descriptors received over SCM_RIGHTS and not taken");
                conn.send("x"); // let python look at its pipe
                assertEquals("via-passed hello through a passed socket", py.line(T));
                assertEquals("pipe-eof True", py.line(T), "python's pipe sees EOF: ffsock closed its copy");
                assertEquals(0, py.waitFor(T), py.stderr());
            }
        }
    }

    @Test
    void descriptorsFromFfsockAreUsableInPython() throws Exception {
        Path path = dir.resolve("give.sock");
        String py = String.join("\n",
                "import socket, sys",
                "l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
                "l.bind(sys.argv[1]); l.listen(1)",
                "print('listening', flush=True)",
                "c, _ = l.accept()",
                "msg, fds, flags, addr = socket.recv_fds(c, 100, 4)",
                "print('got', msg.decode(), len(fds), flush=True)",
                "t = socket.socket(fileno=fds[0])",
                "t.sendall(b'written by python into a socket ffsock passed')",
                "t.close()");
        Socket[] pair = Socket.socketPair();
        try (ChildProcess p = DatagramInteropIT.python(py, path.toString()); Socket a = pair[0]; Socket b = pair[1];
             Socket c = new Socket()) {
            assertEquals("listening", p.line(T));
            c.connect(path.toString(), T);
            c.sendFds("here".getBytes(StandardCharsets.UTF_8), b.getSocket());
            assertEquals("got here 1", p.line(T));
            assertEquals("written by python into a socket ffsock passed", a.recv(45, T));
            assertEquals(0, p.waitFor(T), p.stderr());
        }
    }

    @Test
    void datagramsCarryDescriptorsAndExcessOnesNeverLeak() throws Exception {
        Path mine = dir.resolve("dg.sock");
        String py = String.join("\n",
                "import array, os, socket, sys",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                "fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(10)]",
                "def send(data, fds):",
                "    s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', fds))], 0, sys.argv[1])",
                "send(b'ten', fds)",
                "send(b'one', fds[:1])",
                "print('sent', flush=True)");
        try (DatagramSocket ds = new DatagramSocket()) {
            ds.bind(mine.toString());
            Fds.Snapshot atStart = Fds.snapshot();
            try (ChildProcess p = DatagramInteropIT.python(py, mine.toString())) {
                Fds.Snapshot before = Fds.snapshot(); // with the child's stdout pipe
                assertEquals("sent", p.line(T));
                try (ReceivedFds r = ds.receiveFds(16, 3, T)) {
                    assertEquals("ten", new String(r.data(), StandardCharsets.UTF_8));
                    assertTrue(r.descriptorsTruncated(), "10 sent, room for 3: MSG_CTRUNC");
                    assertTrue(r.count() <= 3);
                    assertEquals("", r.from().address(), "python's socket is unnamed");
                }
                NoNewFds.assertNoneAdded(before, "descriptors beyond the receive's room, and the untaken ones");
                try (ReceivedFds r = ds.receiveFds(16, 3, T)) {
                    assertEquals(1, r.count());
                    int fd = r.take(0);
                    assertEquals("/dev/null", java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                            .toString(), "the passed descriptor is python's /dev/null");
                    JnrPosix.posix().close(fd);
                }
                assertEquals(0, p.waitFor(T), p.stderr());
            }
            NoNewFds.assertNoneAdded(atStart, "after all receives");
        }
    }

    @Test
    void descriptorsInFlightToASocketClosedUnreadDoNotLeak() throws Exception {
        NoNewFds.check("passing to a socket that is closed unread", () -> {
            for (int i = 0; i < 50; i++) {
                Socket[] p = Socket.socketPair();
                Socket[] q = Socket.socketPair();
                try (Socket a = p[0]; Socket b = p[1]; Socket x = q[0]; Socket y = q[1]) {
                    a.sendFds("unread".getBytes(StandardCharsets.UTF_8), x.getSocket(), y.getSocket(), a.getSocket());
                    if (i % 2 == 0) {
                        // a plain recv takes the bytes and the kernel drops the descriptors attached to them
                        assertEquals("unread", b.recv(6, T));
                    }
                }
            }
        });
    }
}
