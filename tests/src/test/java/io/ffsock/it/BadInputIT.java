package io.ffsock.it;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gives a clear {@link SocketException} with the right Qore code, a message that names the problem, and
 * leaves no descriptor behind: every case counts {@code /proc/self/fd} before and after. Errno values come from
 * jnr-constants, not from ffsock.
 */
@ExtendWith(FdBaseline.class)
@Timeout(30)
class BadInputIT {
    /**
     * A host name that is rejected before any resolver is asked (its first label is 64 bytes long): no test sends a
     * DNS query off this machine.
     */
    static final String UNRESOLVABLE = "x".repeat(64) + ".invalid";

    private static final int T = 10_000;

    @TempDir
    Path dir;

    /**
     * Runs {@code call} on a fresh socket, expects {@code code} from {@code method} (the exception's operation),
     * checks that the message mentions each of {@code names}, that the socket is not open afterwards, and that no
     * descriptor was left open.
     */
    private static SocketException fails(SocketError code, String method, Throwing call, String... names)
            throws Exception {
        SocketException[] out = new SocketException[1];
        Fds.noLeak(method + " failing with " + code.code(), () -> {
            Socket s = new Socket();
            try {
                SocketException e = assertThrows(SocketException.class, () -> call.run(s));
                assertEquals(code, e.error(), () -> "code of: " + e);
                assertEquals(code.code(), e.getErr());
                assertEquals(method, e.operation(), () -> "operation of: " + e);
                String msg = e.getMessage();
                assertNotNull(msg);
                for (String n : names) {
                    assertTrue(msg.contains(n), () -> "the message does not mention '" + n + "': " + msg);
                }
                assertFalse(s.isOpen(), "a failed call leaves the socket closed");
                assertEquals(-1, s.getSocket());
                out[0] = e;
            } finally {
                s.close();
            }
        });
        return out[0];
    }

    @FunctionalInterface
    interface Throwing {
        void run(Socket s) throws Exception;
    }

    // =============================================================================================================
    // connect targets
    // =============================================================================================================

    @ParameterizedTest(name = "connect(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:70000           | 70000",
            "127.0.0.1:99999999999     | 99999999999",
            "127.0.0.1:-1              | -1",
            "host:                     | no port",
            ":80                       | no host",
            "[]:80                     | no host",
            "%%%:80                    | %%%",
            "a:b:c                     | a:b",
            "127.0.0.1:no-such-service | no-such-service",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.invalid:80 | xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.invalid",
            "[127.0.0.1:80             | brackets",
    })
    void malformedOrUnresolvableTargets(String target, String named) throws Exception {
        fails(SocketError.CONNECT_ERROR, "Socket::connect", s -> s.connect(target, T), named);
    }

    @Test
    void outOfRangePortsSayWhatTheRangeIs() throws Exception {
        fails(SocketError.CONNECT_ERROR, "Socket::connect", s -> s.connect("127.0.0.1:70000", T),
                "out of range", "65535");
        fails(SocketError.CONNECT_ERROR, "Socket::connectINET", s -> s.connectINET("127.0.0.1", "70000", T),
                "70000", "out of range");
        fails(SocketError.CONNECT_ERROR, "Socket::connectINET", s -> s.connectINET("127.0.0.1", 65536, T),
                "65536");
        fails(SocketError.CONNECT_ERROR, "Socket::connectINET", s -> s.connectINET("", "80", T), "no host");
        fails(SocketError.CONNECT_ERROR, "Socket::connectINET", s -> s.connectINET("127.0.0.1", "", T), "no port");
    }

    @Test
    void aFailedConnectClosesTheConnectionItReplaced() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket s = new Socket()) {
            s.connect("127.0.0.1:" + ss.getLocalPort(), T);
            try (java.net.Socket peer = ss.accept()) {
                peer.setSoTimeout(T);
                Fds.Snapshot before = Fds.snapshot();
                // a malformed target is refused before anything happens: the connection is kept
                SocketException bad = assertThrows(SocketException.class, () -> s.connect(UNRESOLVABLE + ":80"));
                assertEquals(SocketError.CONNECT_ERROR, bad.error());
                assertTrue(s.isOpen(), "a malformed target must not cost the open connection");
                // a well-formed one that fails (here at getaddrinfo) has closed the old connection first, as Qore
                SocketException e = assertThrows(SocketException.class,
                        () -> s.connect("127.0.0.1:no-such-service"));
                assertEquals(SocketError.CONNECT_ERROR, e.error());
                assertFalse(s.isOpen());
                assertEquals(-1, peer.getInputStream().read(), "the old connection was closed: its peer sees EOF");
                assertEquals(before.count() - 1, Fds.count(), "exactly the old connection's descriptor is gone");
            }
        }
    }

    // =============================================================================================================
    // UNIX paths
    // =============================================================================================================

    /** A path under the temp dir of exactly {@code bytes} bytes (UTF-8), its last component padded with 'p'. */
    private String pathOfLength(int bytes) {
        String prefix = dir.toString() + "/s";
        int pad = bytes - prefix.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(pad > 0, "temp dir path too long for the test: " + prefix);
        String p = prefix + "p".repeat(pad);
        assertEquals(bytes, p.getBytes(StandardCharsets.UTF_8).length);
        return p;
    }

    private void assertNothingCreated(String longPath) throws Exception {
        byte[] b = longPath.getBytes(StandardCharsets.UTF_8);
        String truncated = new String(Arrays.copyOf(b, 107), StandardCharsets.UTF_8);
        assertFalse(Files.exists(Path.of(truncated)), "a file was created at the 107-byte truncation " + truncated);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing may be created for a rejected path");
        }
    }

    /** The message gives the path's length and the limit (outside the path itself, which may hold any digits). */
    private static void assertSaysTooLong(String path, SocketException e) {
        String rest = e.getMessage().replace(path, "");
        int len = path.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(rest.contains(String.valueOf(len)) && rest.contains("107"),
                () -> "the message should give the length " + len + " and the limit 107: " + e.getMessage());
    }

    @Test
    void unixPathsLongerThan107BytesAreRejectedNotTruncated() throws Exception {
        for (int len : new int[] {108, 109, 200, 4000}) {
            String p = pathOfLength(len);
            assertSaysTooLong(p, fails(SocketError.BIND_ERROR, "Socket::bindUNIX", s -> s.bindUNIX(p)));
            assertNothingCreated(p);
            assertSaysTooLong(p, fails(SocketError.CONNECT_ERROR, "Socket::connectUNIX", s -> s.connectUNIX(p)));
            assertSaysTooLong(p, fails(SocketError.CONNECT_ERROR, "Socket::connect", s -> s.connect(p, T)));
            Fds.noLeak("bind(long path)", () -> {
                try (Socket s = new Socket()) {
                    assertEquals(-1, s.bind(p));
                    assertTrue(Socket.errno() > 0, "bind() of a too long path sets errno");
                    assertFalse(s.isOpen());
                }
            });
            assertNothingCreated(p);
        }
    }

    @Test
    void multiByteCharactersCountAsBytes() throws Exception {
        // 100 characters, but more than 107 bytes in UTF-8
        String prefix = dir.toString() + "/";
        String p = prefix + "é".repeat(100 - prefix.length());
        assertTrue(p.length() <= 107 && p.getBytes(StandardCharsets.UTF_8).length > 107);
        assertSaysTooLong(p, fails(SocketError.BIND_ERROR, "Socket::bindUNIX", s -> s.bindUNIX(p)));
        assertNothingCreated(p);
    }

    @Test
    void aPathOfExactly107BytesWorks() throws Exception {
        String p = pathOfLength(107);
        Fds.noLeak("107-byte path", () -> {
            try (Socket server = new Socket(); Socket client = new Socket()) {
                server.bindUNIX(p);
                assertTrue(Files.exists(Path.of(p)), "the file is created at the full path");
                assertEquals(p, server.getSocketInfo().address());
                assertEquals(0, server.listen());
                client.connectUNIX(p);
                try (Socket a = server.accept(T)) {
                    assertNotNull(a);
                    client.send("ok");
                    assertEquals("ok", a.recv(2, T));
                }
            }
            assertFalse(Files.exists(Path.of(p)), "close() of the listener deletes its file");
        });
    }

    @Test
    void unixPathInAMissingDirectory() throws Exception {
        String p = dir.resolve("no/such/dir/s.sock").toString();
        int enoent = Errno.ENOENT.intValue();
        SocketException b = fails(SocketError.BIND_ERROR, "Socket::bindUNIX", s -> s.bindUNIX(p), p,
                "No such file or directory");
        assertEquals(enoent, b.errno());
        assertEquals(enoent, b.getArg());
        SocketException c = fails(SocketError.CONNECT_ERROR, "Socket::connectUNIX", s -> s.connectUNIX(p), p,
                "No such file or directory");
        assertEquals(enoent, c.errno());
        Fds.noLeak("bind(missing dir)", () -> {
            try (Socket s = new Socket()) {
                assertEquals(-1, s.bind(p));
                assertEquals(enoent, Socket.errno());
            }
        });
    }

    // =============================================================================================================
    // refused connections
    // =============================================================================================================

    @Test
    void connectionRefusedOverTcp() throws Exception {
        int port;
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0", true));
            port = s.getSocketInfo(false).port();
        }
        SocketException e = fails(SocketError.CONNECT_ERROR, "Socket::connect",
                s -> s.connect("127.0.0.1:" + port, T), "127.0.0.1:" + port, "Connection refused");
        assertEquals(Errno.ECONNREFUSED.intValue(), e.errno());
    }

    @Test
    void connectionRefusedOverUnix() throws Exception {
        String p = dir.resolve("bound-not-listening.sock").toString();
        try (Socket s = new Socket()) {
            s.bindUNIX(p); // a socket file with nobody listening on it
            SocketException e = fails(SocketError.CONNECT_ERROR, "Socket::connectUNIX", c -> c.connectUNIX(p), p);
            assertEquals(Errno.ECONNREFUSED.intValue(), e.errno());
        }
    }

    // =============================================================================================================
    // reads
    // =============================================================================================================

    @Test
    void recvOnAnUnopenedSocket() throws Exception {
        fails(SocketError.NOT_OPEN, "Socket::recv", s -> s.recv(1));
        fails(SocketError.NOT_OPEN, "Socket::recv", s -> s.recv(-1, T));
        fails(SocketError.NOT_OPEN, "Socket::recvBinary", s -> s.recvBinary(0, T));
        fails(SocketError.NOT_OPEN, "Socket::recvi4", Socket::recvi4);
        fails(SocketError.NOT_OPEN, "Socket::send", s -> s.send("x"));
        fails(SocketError.NOT_OPEN, "Socket::getPeerInfo", Socket::getPeerInfo);
        // and on one that was open and is closed now
        fails(SocketError.NOT_OPEN, "Socket::recv", s -> {
            assertEquals(0, s.bind("127.0.0.1:0"));
            s.close();
            s.recv(1, T);
        });
    }

    /** A JDK peer that sends {@code data} to ffsock and closes; returns the connected ffsock socket. */
    private static Socket peerSendsAndCloses(ServerSocket ss, byte[] data) throws Exception {
        Socket s = new Socket();
        s.connect("127.0.0.1:" + ss.getLocalPort(), T);
        try (java.net.Socket peer = ss.accept()) {
            OutputStream out = peer.getOutputStream();
            out.write(data);
            out.flush();
        }
        return s;
    }

    @Test
    void negativeSizes() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Fds.noLeak("recv(-2)", () -> {
                try (Socket s = peerSendsAndCloses(ss, "abc".getBytes(StandardCharsets.UTF_8))) {
                    for (int size : new int[] {-2, -100, Integer.MIN_VALUE}) {
                        SocketException e = assertThrows(SocketException.class, () -> s.recv(size, T));
                        assertTrue(e.getMessage().contains(String.valueOf(size)), e::getMessage);
                        assertTrue(e.getMessage().contains("Socket::recv"), e::getMessage);
                        SocketException eb = assertThrows(SocketException.class, () -> s.recvBinary(size, T));
                        assertTrue(eb.getMessage().contains("Socket::recvBinary"), eb::getMessage);
                        assertTrue(s.isOpen(), "a rejected size does not touch the connection");
                    }
                    // -1 is valid: everything until the peer closes, nothing lost to the rejected calls
                    assertEquals("abc", s.recv(-1, T));
                    assertFalse(s.isOpen());
                }
            });
        }
    }

    @Test
    void hugeSizeFromAPeerThatSendsTenBytes() throws Exception {
        byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (boolean binary : new boolean[] {false, true}) {
                Fds.noLeak("recv(Integer.MAX_VALUE)", () -> {
                    try (Socket s = peerSendsAndCloses(ss, ten)) {
                        Runtime rt = Runtime.getRuntime();
                        long before = rt.totalMemory();
                        SocketException e = assertThrows(SocketException.class, () -> {
                            try {
                                if (binary) {
                                    s.recvBinary(Integer.MAX_VALUE, T);
                                } else {
                                    s.recv(Integer.MAX_VALUE, T);
                                }
                            } catch (OutOfMemoryError oom) {
                                // fail this test only: an OutOfMemoryError would end the whole test JVM
                                throw new AssertionError("recv(Integer.MAX_VALUE) allocated for the size asked "
                                        + "instead of the bytes that arrived: " + oom);
                            }
                        });
                        long grew = rt.totalMemory() - before;
                        assertEquals(SocketError.CLOSED, e.error(), e::toString);
                        assertArrayEquals(ten, e.partialData(), "exactly the 10 bytes that arrived");
                        assertTrue(e.getMessage().contains(binary ? "Socket::recvBinary" : "Socket::recv"));
                        assertTrue(grew <= 256L << 20, "the heap grew by " + (grew >> 20) + " MiB");
                        assertFalse(s.isOpen());
                    }
                });
            }
        }
    }

    // =============================================================================================================
    // bind(String): -1 and errno, never an exception
    // =============================================================================================================

    @ParameterizedTest(name = "bind(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "%%%:80",
            "127.0.0.1:70000",
            "127.0.0.1:-5",
            ":80",
            "host:",
            "[127.0.0.1:0",
            "256.256.256.256:0",
            "127.0.0.1:no-such-service",
    })
    void bindOfMalformedInputReturnsMinusOne(String target) throws Exception {
        Fds.noLeak("bind(" + target + ")", () -> {
            try (Socket s = new Socket()) {
                // a previous success must not leave an errno behind that could pass for this call's
                assertEquals(0, s.bind("127.0.0.1:0"));
                assertEquals(-1, s.bind(target));
                assertTrue(Socket.errno() > 0, "errno after bind(" + target + "): " + Socket.errno());
                assertFalse(s.isOpen(), "a failed bind leaves the socket closed");
            }
        });
    }

    @Test
    void bindOfOutOfRangePortNumbers() throws Exception {
        Fds.noLeak("bind(int)", () -> {
            try (Socket s = new Socket()) {
                assertEquals(-1, s.bind(70000));
                assertEquals(Errno.EINVAL.intValue(), Socket.errno());
                assertEquals(-1, s.bind(-1, true));
                assertEquals(Errno.EINVAL.intValue(), Socket.errno());
            }
        });
    }

    @Test
    void bindToAnAddressInUse() throws Exception {
        try (Socket holder = new Socket()) {
            assertEquals(0, holder.bind("127.0.0.1:0"));
            assertEquals(0, holder.listen());
            int port = holder.getSocketInfo(false).port();
            for (boolean reuse : new boolean[] {false, true}) {
                Fds.noLeak("bind in use", () -> {
                    try (Socket s = new Socket()) {
                        assertEquals(-1, s.bind("127.0.0.1:" + port, reuse));
                        assertEquals(Errno.EADDRINUSE.intValue(), Socket.errno(),
                                "errno of bind() to a listening port, reuseaddr " + reuse);
                        assertFalse(s.isOpen());
                    }
                });
            }
            fails(SocketError.BIND_ERROR, "Socket::bindINET", s -> s.bindINET("127.0.0.1", port),
                    String.valueOf(port), "Address already in use");
        }
        // a UNIX path that exists already is in use too, and is not deleted
        Path p = dir.resolve("existing");
        Files.writeString(p, "not a socket");
        Fds.noLeak("bind existing path", () -> {
            try (Socket s = new Socket()) {
                assertEquals(-1, s.bind(p.toString()));
                assertEquals(Errno.EADDRINUSE.intValue(), Socket.errno());
            }
        });
        assertEquals("not a socket", Files.readString(p), "an existing file is never deleted or replaced");
    }
}
