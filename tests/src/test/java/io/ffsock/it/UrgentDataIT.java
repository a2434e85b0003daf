package io.ffsock.it;

import io.ffsock.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The TCP urgent byte (MSG_OOB) and the mark (SIOCATMARK) between ffsock and python3's socket module, both ways:
 * python's own recv(MSG_OOB) and ioctl(SIOCATMARK) judge what ffsock sent, and ffsock reads what python sent.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class UrgentDataIT {
    private static final int T = 10_000;

    /** Accepts one connection on 127.0.0.1, reads ffsock's urgent data, then sends its own. */
    private static final String PY = String.join("\n",
            "import fcntl, select, socket, struct",
            "SIOCATMARK = 0x8905",
            "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)",
            "print(l.getsockname()[1], flush=True)",
            "c, _ = l.accept(); c.settimeout(10)",
            "def at_mark():",
            "    return struct.unpack('i', fcntl.ioctl(c, SIOCATMARK, b'\\0' * 4))[0]",
            "select.select([], [], [c], 10)",
            "print('oob', c.recv(1, socket.MSG_OOB).decode(), flush=True)",
            "before = b''",
            "while not at_mark(): before += c.recv(1)",
            "print('before-mark', before.decode(), 'then', c.recv(3).decode(), flush=True)",
            "c.sendall(b'xyz'); c.send(b'#', socket.MSG_OOB); c.sendall(b'uvw')",
            "c.recv(1)");

    @Test
    void urgentBytesAndTheMarkAgreeWithPython() throws Exception {
        DatagramInteropIT.assumePython();
        try (ChildProcess py = DatagramInteropIT.python(PY); Socket s = new Socket()) {
            s.connect("127.0.0.1:" + py.line(T), T);
            s.send("abc");
            s.sendUrgent('!');
            s.send("def");
            assertEquals("oob !", py.line(T), "python reads ffsock's urgent byte with MSG_OOB");
            assertEquals("before-mark abc then def", py.line(T), "and finds the mark right after abc");

            assertEquals('#', s.recvUrgent(T), "ffsock reads python's urgent byte");
            assertEquals("xyz", s.recv(3, T), "a read stops at the mark");
            assertTrue(s.atMark());
            assertEquals("uvw", s.recv(3, T), "the urgent byte is not in the stream");
            s.send("."); // let python exit
            assertEquals(0, py.waitFor(T), py.stderr());
        }
    }
}
