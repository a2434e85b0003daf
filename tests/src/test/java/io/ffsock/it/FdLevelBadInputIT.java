package io.ffsock.it;

import io.ffsock.DatagramSocket;
import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import io.ffsock.SocketOptions;
import jnr.constants.platform.OpenFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input to the datagram and descriptor-level API: each fails with a clear {@link SocketException} before or
 * instead of harm, and leaves no descriptor behind — nor closes or changes one that was not ffsock's.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class FdLevelBadInputIT {
    @TempDir
    Path dir;

    @Test
    void fromFdOfAFileOrAPipeIsRefusedAndTheDescriptorLeftAlone() throws Exception {
        Path file = dir.resolve("not-a-socket");
        Files.writeString(file, "x");
        int fd = JnrPosix.posix().open(file.toString(), OpenFlags.O_RDONLY.intValue(), 0);
        assertTrue(fd >= 0);
        int[] pipe = new int[2];
        assertEquals(0, JnrPosix.posix().pipe(pipe));
        try {
            NoNewFds.check("fromFd of non-sockets", () -> {
                for (int bad : new int[] {fd, pipe[0], pipe[1]}) {
                    int flags = JnrPosix.fcntlFlags(bad);
                    SocketException e = assertThrows(SocketException.class, () -> Socket.fromFd(bad));
                    assertEquals(SocketError.ERROR, e.error());
                    assertEquals(88, e.errno(), e.getMessage()); // ENOTSOCK
                    assertTrue(e.getMessage().contains("fd " + bad + " is not a socket"), e.getMessage());
                    assertEquals(88, assertThrows(SocketException.class, () -> DatagramSocket.fromFd(bad)).errno());
                    assertEquals(flags, JnrPosix.fcntlFlags(bad), "a refused descriptor is not changed");
                }
            });
            assertTrue(JnrPosix.fcntlFlags(fd) >= 0, "and not closed");
        } finally {
            JnrPosix.posix().close(fd);
            JnrPosix.posix().close(pipe[0]);
            JnrPosix.posix().close(pipe[1]);
        }
        SocketException closed = assertThrows(SocketException.class, () -> DatagramSocket.fromFd(fd));
        assertEquals(9, closed.errno(), closed.getMessage()); // EBADF
    }

    @Test
    void negativeBufferSizesAndOtherBadValuesNeverReachTheKernel() throws Exception {
        NoNewFds.check("bad option values", () -> {
            try (Socket s = new Socket(); DatagramSocket d = new DatagramSocket()) {
                for (int v : new int[] {-1, -4096, Integer.MIN_VALUE}) {
                    assertEquals(22, assertThrows(SocketException.class,
                            () -> s.setOption(SocketOptions.SO_RCVBUF, v)).errno());
                    assertEquals(22, assertThrows(SocketException.class,
                            () -> d.setOption(SocketOptions.SO_SNDBUF, v)).errno());
                }
                assertFalse(s.isOpen() || d.isOpen(), "validation opened nothing");
                d.bind("127.0.0.1:0");
                int before = JnrPosix.sockOpt(d.getSocket(), 1, 8);
                assertThrows(SocketException.class, () -> d.setOption(SocketOptions.SO_RCVBUF, -1));
                assertEquals(before, JnrPosix.sockOpt(d.getSocket(), 1, 8), "SO_RCVBUF untouched");
                assertThrows(SocketException.class, () -> d.setOption(SocketOptions.IP_MULTICAST_TTL, -1));
                assertThrows(SocketException.class, () -> d.setMaxDatagramSize(0));
            }
        });
    }

    @Test
    void badDatagramTargetsFailClearlyAndOpenNothing() throws Exception {
        String longPath = "/tmp/" + "p".repeat(120);
        NoNewFds.check("bad datagram targets", () -> {
            try (DatagramSocket d = new DatagramSocket()) {
                assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                        () -> d.sendTo(new byte[1], "127.0.0.1:0")).error());
                assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                        () -> d.sendTo(new byte[1], "127.0.0.1:70000")).error());
                assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                        () -> d.sendTo(new byte[1], "bad host name!:53")).error());
                assertEquals(SocketError.SEND_ERROR, assertThrows(SocketException.class,
                        () -> d.sendTo(new byte[1], null)).error());
                SocketException tooLong = assertThrows(SocketException.class, () -> d.bind(longPath));
                assertEquals(36, tooLong.errno(), tooLong.getMessage()); // ENAMETOOLONG
                assertEquals(SocketError.BIND_ERROR, assertThrows(SocketException.class,
                        () -> d.bind("[::1:0")).error());
                assertEquals(SocketError.NOT_OPEN, assertThrows(SocketException.class,
                        () -> d.send(new byte[1])).error());
                assertFalse(d.isOpen());
                d.bind("127.0.0.1:0");
                SocketException notConnected = assertThrows(SocketException.class, () -> d.send(new byte[1]));
                assertTrue(notConnected.getMessage().contains("not connected"), notConnected.getMessage());
                SocketException family = assertThrows(SocketException.class,
                        () -> d.sendTo(new byte[1], dir.resolve("x.sock").toString()));
                assertTrue(family.getMessage().contains("UNIX socket path"), family.getMessage());
                assertThrows(SocketException.class, () -> d.open(99));
            }
        });
    }

    @Test
    void badDescriptorPassingAndConnectFromArgumentsFailClearly() throws Exception {
        NoNewFds.check("bad descriptor passing", () -> {
            Socket[] p = Socket.socketPair();
            try (Socket a = p[0]; Socket b = p[1]) {
                assertEquals(22, assertThrows(SocketException.class, () -> b.recvFds(0, 1, 10)).errno());
                assertEquals(22, assertThrows(SocketException.class, () -> b.recvFds(10, 0, 10)).errno());
                assertEquals(22, assertThrows(SocketException.class, () -> b.recvFds(10, 254, 10)).errno());
                assertEquals(22, assertThrows(SocketException.class, () -> a.sendFds(new byte[1])).errno());
                assertEquals(9, assertThrows(SocketException.class, () -> a.sendFds(new byte[1], -1)).errno());
                assertTrue(a.isOpen() && b.isOpen(), "refused arguments leave the sockets as they were");
            }
            try (Socket s = new Socket()) {
                assertEquals(SocketError.CONNECT_ERROR, assertThrows(SocketException.class,
                        () -> s.connectFrom("127.0.0.1:1", "not an address", 100)).error());
                assertEquals(SocketError.CONNECT_ERROR, assertThrows(SocketException.class,
                        () -> s.connectFrom("127.0.0.1:1", dir.resolve("from.sock").toString(), 100)).error());
                assertEquals(SocketError.CONNECT_ERROR, assertThrows(SocketException.class,
                        () -> s.connectFastOpen(dir.resolve("tfo.sock").toString(), new byte[1], 100)).error());
                assertEquals(SocketError.CONNECT_ERROR, assertThrows(SocketException.class,
                        () -> s.connectFastOpen("127.0.0.1:1", new byte[0], 100)).error());
                assertFalse(s.isOpen());
                assertEquals(SocketError.NOT_OPEN, assertThrows(SocketException.class, s::detach).error());
            }
        });
    }
}
