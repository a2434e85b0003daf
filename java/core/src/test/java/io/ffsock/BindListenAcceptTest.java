package io.ffsock;

import io.ffsock.internal.sys.Errno;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.since;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section B: bind, listen and accept (C08 to C22). {@code acceptSSL} and the TLS properties of
 * C20 belong to the TLS tests.
 */
@Timeout(10)
class BindListenAcceptTest {
    /** A host name that getaddrinfo rejects without asking a DNS server: its first label is 64 bytes long. */
    static final String UNRESOLVABLE = "x".repeat(64) + ".invalid";

    @TempDir
    Path dir;

    @Test
    @DisplayName("C08 bind(\"127.0.0.1:0\", true) returns 0, listen() returns 0, the port is ephemeral")
    void c08_bindEphemeralPort() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0", true));
            assertTrue(s.isOpen());
            assertEquals(0, s.listen());
            SocketInfo h = s.getSocketInfo();
            assertTrue(h.port() > 0, () -> "no ephemeral port: " + h);
            assertEquals("127.0.0.1", h.address());
            assertEquals(h.port(), s.getPort());
        }
    }

    @Test
    @DisplayName("C09 bind(int) binds the wildcard address; clients connect to 127.0.0.1 and localhost")
    void c09_bindIntIsWildcard() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind(0));
            assertEquals(0, s.listen());
            SocketInfo h = s.getSocketInfo(false);
            assertTrue(h.port() > 0, h::toString);
            assertTrue(h.address().equals("0.0.0.0") || h.address().equals("::"), () -> "not a wildcard: " + h);
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                try (Socket c = new Socket()) {
                    c.connect(host + ":" + h.port(), 1000);
                    try (Socket a = s.accept(1000)) {
                        assertNotNull(a, "no connection from " + host);
                        assertTrue(a.isOpen());
                    }
                }
            }
        }
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind(0, true));
            assertEquals(0, s.listen());
            assertTrue(s.getSocketInfo(false).port() > 0);
        }
    }

    @Test
    @DisplayName("C10 bindINET(\"127.0.0.1\", 0): getSocketInfo().port > 0 and equals getPort(); listen() returns 0")
    void c10_bindInetAndGetPort() throws Exception {
        try (Socket s = new Socket()) {
            s.bindINET("127.0.0.1", 0);
            SocketInfo h = s.getSocketInfo();
            assertEquals(0, s.listen());
            assertTrue(h.port() > 0, h::toString);
            assertEquals(h.port(), s.getPort());
            assertEquals("ipv4", h.familyStr());
        }
    }

    @Test
    @DisplayName("C11 bind(string) failure returns -1 (no exception, errno EADDRINUSE) and leaves the socket closed")
    void c11_bindFailureReturnsMinusOne() throws Exception {
        try (Socket a = Loopback.listener("127.0.0.1:0")) {
            int p = a.getPort();
            try (Socket s = new Socket()) {
                assertEquals(-1, s.bind("127.0.0.1:" + p));
                assertEquals(Errno.EADDRINUSE, Socket.errno());
                assertFalse(s.isOpen());
            }
            // a socket that was open before the failing bind is closed by it too
            try (Socket s = new Socket()) {
                assertEquals(0, s.bind("127.0.0.1:0"));
                assertTrue(s.isOpen());
                assertEquals(-1, s.bind("127.0.0.1:" + p, true));
                assertEquals(Errno.EADDRINUSE, Socket.errno());
                assertFalse(s.isOpen());
                assertEquals(-1, s.getSocket());
            }
            // and the int form
            try (Socket s = new Socket()) {
                assertEquals(-1, s.bind(p));
                assertFalse(s.isOpen());
            }
        }
    }

    @Test
    @DisplayName("C12 bindINET throws: SOCKET-BIND-ERROR without arguments or on a used port, "
            + "QOREADDRINFO-GETINFO-ERROR for an unresolvable interface")
    void c12_bindInetThrows() throws Exception {
        try (Socket s = new Socket()) {
            for (String[] args : new String[][] {{null, null}, {"", ""}}) {
                SocketException e = expect(SocketError.BIND_ERROR, "Socket::bindINET",
                        () -> s.bindINET(args[0], args[1]));
                assertTrue(e.getMessage().contains("at least one of the first 2 parameters must be present"),
                        e::getMessage);
                assertFalse(s.isOpen());
            }
            try (Socket a = Loopback.listener("127.0.0.1:0")) {
                int p = a.getPort();
                SocketException e = expect(SocketError.BIND_ERROR, null, () -> s.bindINET("127.0.0.1", p));
                assertEquals("Socket::bindINET(): error binding on socket (target: 127.0.0.1:" + p + "): "
                        + Errno.strerror(Errno.EADDRINUSE), e.getMessage());
                assertEquals(Errno.EADDRINUSE, e.errno());
                assertEquals(Errno.EADDRINUSE, e.getArg());
                assertEquals("Socket::bindINET", e.operation());
                assertFalse(s.isOpen());
            }
            // a name no resolver could answer is refused before any resolver is asked
            SocketException e = expect(SocketError.ADDRINFO_ERROR, null, () -> s.bindINET(UNRESOLVABLE, "0"));
            assertEquals("QOREADDRINFO-GETINFO-ERROR", e.getErr());
            assertTrue(e.getMessage().contains(UNRESOLVABLE), e::getMessage);
            assertFalse(s.isOpen());
            // what getaddrinfo itself refuses (an unknown service name) carries its call and text
            e = expect(SocketError.ADDRINFO_ERROR, null, () -> s.bindINET("127.0.0.1", "no-such-service"));
            assertTrue(e.getMessage().startsWith("getaddrinfo(node: '127.0.0.1', service: 'no-such-service'"),
                    e::getMessage);
            assertFalse(s.isOpen());
        }
    }

    @Test
    @DisplayName("C13 bind(string): no colon is a UNIX path; a host with colons binds IPv6, any other host IPv4")
    void c13_bindFamilyChoice() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("::1:0"));
            SocketInfo h = s.getSocketInfo(false);
            assertEquals("ipv6", h.familyStr());
            assertEquals(SocketInfo.AF_INET6, h.family());
            assertEquals("::1", h.address());
        }
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0"));
            assertEquals("ipv4", s.getSocketInfo().familyStr());
        }
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("localhost:0"));
            SocketInfo h = s.getSocketInfo();
            assertEquals("ipv4", h.familyStr(), "localhost:0 must bind IPv4 only");
            assertEquals(SocketInfo.AF_INET, h.family());
        }
        Path p = dir.resolve("s13");
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind(p.toString()));
            assertTrue(Files.exists(p), "bind(path) made no socket file");
            assertEquals("unix", s.getSocketInfo().familyStr());
        }
    }

    @Test
    @DisplayName("C14 bind(\"[::1]:0\") binds IPv6 and returns 0 (Qore returns -1: a missing else)")
    void c14_bindBracketedIpv6() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("[::1]:0"), () -> "errno " + Socket.errno());
            assertTrue(s.isOpen());
            SocketInfo h = s.getSocketInfo(false);
            assertEquals("::1", h.address());
            assertEquals("ipv6", h.familyStr());
            assertEquals("ipv6[::1]", h.addressDesc());
            assertEquals(0, s.listen());
            try (Socket c = new Socket()) {
                c.connect("[::1]:" + h.port(), 1000);
                try (Socket a = s.accept(1000)) {
                    assertNotNull(a);
                }
            }
        }
    }

    @Test
    @DisplayName("C15 bindUNIX: the file exists; getSocketInfo is {address, address_desc \"unix:<path>\", AF_UNIX, "
            + "\"unix\"} without hostname or port; getPort() == -1")
    void c15_bindUnixAndSocketInfo() throws Exception {
        Path p = dir.resolve("s15");
        try (Socket s = new Socket()) {
            s.bindUNIX(p.toString());
            assertTrue(Files.exists(p), "bindUNIX made no socket file");
            SocketInfo h = s.getSocketInfo();
            assertEquals(new SocketInfo(null, null, p.toString(), "unix:" + p, -1, SocketInfo.AF_UNIX, "unix"), h);
            assertFalse(h.hasPort());
            assertEquals(-1, s.getPort());
        }
        // bind(path) is the same, returning 0
        Path q = dir.resolve("s15b");
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind(q.toString()));
            assertTrue(Files.exists(q));
            assertEquals("unix:" + q, s.getSocketInfo().addressDesc());
            assertEquals(-1, s.getPort());
        }
    }

    @Test
    @DisplayName("C16 close() deletes the UNIX socket file only for the socket that bound it")
    void c16_closeUnlinksOnlyForBinder() throws Exception {
        Path p = dir.resolve("s16");
        try (Socket l = new Socket(); Socket c = new Socket()) {
            l.bindUNIX(p.toString());
            assertEquals(0, l.listen());
            c.connectUNIX(p.toString());
            Socket a = l.accept(1000);
            assertNotNull(a);
            try (a) {
                c.close();
                assertTrue(Files.exists(p), "the connecting socket's close() deleted the file");
                a.close();
                assertTrue(Files.exists(p), "the accepted socket's close() deleted the file");
            }
            l.close();
            assertFalse(Files.exists(p), "the listener's close() left the file");
        }
    }

    @Test
    @DisplayName("C16 a bound UNIX socket that is dropped without close() deletes its file when collected")
    void c16_collectedBinderUnlinks() throws Exception {
        Path p = dir.resolve("s16gc");
        bindAndForget(p);
        assertTrue(Files.exists(p));
        long start = System.nanoTime();
        while (Files.exists(p) && since(start) < 5000) {
            System.gc();
            Thread.sleep(10);
        }
        assertFalse(Files.exists(p), "the socket file outlived its unreachable Socket");
    }

    private static void bindAndForget(Path p) throws SocketException {
        new Socket().bindUNIX(p.toString());
    }

    @Test
    @DisplayName("C17 bindUNIX on an existing path: SOCKET-BIND-ERROR (EADDRINUSE); bind(path) returns -1; "
            + "the file is not deleted")
    void c17_bindUnixOnExistingPath() throws Exception {
        Path file = Files.writeString(dir.resolve("f17"), "keep");
        try (Socket s = new Socket()) {
            SocketException e = expect(SocketError.BIND_ERROR, null, () -> s.bindUNIX(file.toString()));
            assertEquals("Socket::bindUNIX", e.operation());
            assertEquals(Errno.EADDRINUSE, e.errno());
            assertTrue(e.getMessage().startsWith("Socket::bindUNIX(): error in bind() (target: " + file), e::getMessage);
            assertTrue(e.getMessage().endsWith(": Address already in use"), e::getMessage);
            assertFalse(s.isOpen());
            assertEquals(-1, s.bind(file.toString()));
            assertEquals(Errno.EADDRINUSE, Socket.errno());
            assertFalse(s.isOpen());
            assertEquals("keep", Files.readString(file), "an existing file was replaced");
        }
        // a stale socket file left behind (its socket gone without unlink) is not deleted either
        Path stale = dir.resolve("s17");
        try (java.nio.channels.ServerSocketChannel ch =
                     java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        try (Socket s = new Socket()) {
            expect(SocketError.BIND_ERROR, null, () -> s.bindUNIX(stale.toString()));
            assertEquals(-1, s.bind(stale.toString()));
            assertTrue(Files.exists(stale), "a stale socket file was deleted");
        }
    }

    @Test
    @DisplayName("C18 accept(100) with nothing pending returns null after about 100 ms")
    void c18_acceptTimeoutReturnsNull() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0")) {
            long start = System.nanoTime();
            assertNull(s.accept(100));
            long ms = since(start);
            assertTrue(ms >= 90 && ms < 1000, () -> "accept(100) returned after " + ms + " ms");
            assertTrue(s.isOpen());
        }
    }

    @Test
    @DisplayName("C19 accept(1) right after the client's connect() returned gets the connection")
    void c19_acceptRightAfterConnect() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            c.connect("127.0.0.1:" + s.getPort());
            try (Socket a = s.accept(1)) {
                assertNotNull(a, "the connection was not in the backlog");
                assertTrue(a.isOpen());
                c.send("x");
                assertEquals("x", a.recv(1, 200));
            }
        }
    }

    @Test
    @DisplayName("C20 an accepted socket inherits the listener's charset")
    void c20_acceptedInheritsCharset() throws Exception {
        try (Socket s = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            s.setCharset("latin1");
            c.connect("127.0.0.1:" + s.getPort());
            try (Socket a = s.accept(1000)) {
                assertNotNull(a);
                assertEquals("ISO-8859-1", a.getCharset());
                c.sendBinary(new byte[] {(byte) 0xe9});
                assertEquals("\u00e9", a.recv(1, 200), "the accepted socket does not decode with ISO-8859-1");
            }
        }
    }

    @Test
    @DisplayName("C21 getPeerInfo on a bound, unconnected socket: SOCKET-GETPEERINFO-ERROR (ENOTCONN); "
            + "getSocketInfo works")
    void c21_peerInfoOfUnconnected() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0"));
            SocketException e = expect(SocketError.GETPEERINFO_ERROR, null, s::getPeerInfo);
            assertEquals("Socket::getPeerInfo", e.operation());
            assertTrue(e.getMessage().startsWith("Socket::getPeerInfo(): error in getpeername()"), e::getMessage);
            assertEquals(Errno.ENOTCONN, e.errno());
            assertTrue(s.getSocketInfo().port() > 0);
            assertTrue(s.isOpen());
        }
    }

    @Test
    @DisplayName("C22 getConnectionId() counts closes of an open socket, including the implicit close of a new bind")
    void c22_connectionIdCountsCloses() throws Exception {
        Path p = dir.resolve("s22");
        try (Socket s = new Socket()) {
            assertEquals(0, s.getConnectionId());
            assertEquals(0, s.bind(0));
            s.close();
            assertEquals(1, s.getConnectionId());
            s.close();
            assertEquals(1, s.getConnectionId(), "closing a closed socket counted");
            assertEquals(0, s.bind("127.0.0.1:0"));
            assertEquals(0, s.bind("127.0.0.1:0"));
            assertEquals(2, s.getConnectionId(), "the implicit close of bind() did not count");
            s.bindINET("127.0.0.1", 0);
            assertEquals(3, s.getConnectionId(), "the implicit close of bindINET() did not count");
            s.bindUNIX(p.toString());
            assertEquals(4, s.getConnectionId(), "the implicit close of bindUNIX() did not count");
            assertEquals(0, s.listen());
            try (Socket c = new Socket(); Socket tcp = Loopback.listener("127.0.0.1:0")) {
                c.connectUNIX(p.toString());
                assertEquals(0, c.getConnectionId());
                c.connect("127.0.0.1:" + tcp.getPort());
                assertEquals(1, c.getConnectionId(), "the implicit close of connect() did not count");
                assertTrue(c.isOpen());
            }
        }
    }
}
