package io.ffsock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.ffsock.Loopback.expect;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section A: a {@code new Socket()} that was never connected or bound. C02 (the SSL queries) is
 * left to the TLS tests, and so are C01's {@code upgradeClientToSSL()} / {@code upgradeServerToSSL()}.
 */
@Timeout(10)
class UnopenedSocketTest {

    @Test
    @DisplayName("C01 unopened socket: I/O methods throw SOCKET-NOT-OPEN")
    void c01_ioMethodsThrowNotOpen() {
        try (Socket s = new Socket()) {
            expect(SocketError.NOT_OPEN, "Socket::getPeerInfo", s::getPeerInfo);
            expect(SocketError.NOT_OPEN, "Socket::getSocketInfo", s::getSocketInfo);
            expect(SocketError.NOT_OPEN, "Socket::recv", () -> s.recv(1));
            expect(SocketError.NOT_OPEN, "Socket::recvi1", s::recvi1);
            expect(SocketError.NOT_OPEN, "Socket::recvBinary", () -> s.recvBinary(1));
            expect(SocketError.NOT_OPEN, "Socket::send", () -> s.send("1"));
            expect(SocketError.NOT_OPEN, "Socket::sendi1", () -> s.sendi1(1));
            assertFalse(s.isOpen());
        }
    }

    @Test
    @DisplayName("C03 unopened socket: isOpen false, getSocket -1, getPort -1, close/shutdown harmless, connection id 0")
    void c03_passiveGettersAndCloseAreHarmless() {
        try (Socket s = new Socket()) {
            assertFalse(s.isOpen());
            assertEquals(-1, s.getSocket());
            assertEquals(-1, s.getPort());
            s.close();
            assertEquals(0, s.shutdown());
            assertEquals(0, s.getConnectionId(), "closing an unopened socket must not count as a connection");
            s.close();
            assertEquals(0, s.getConnectionId());
            assertFalse(s.isOpen());
        }
    }

    @Test
    @DisplayName("C04 listen() on an unopened socket: SOCKET-NOT-OPEN")
    void c04_listenOnUnopened() {
        try (Socket s = new Socket()) {
            SocketException e = expect(SocketError.NOT_OPEN, "Socket::listen", s::listen);
            assertEquals("socket must be open before Socket::listen() call", e.getMessage());
            expect(SocketError.NOT_OPEN, "Socket::listen", () -> s.listen(5));
        }
    }

    @Test
    @DisplayName("C05 accept()/accept(t) on an unopened socket: SOCKET-NOT-OPEN")
    void c05_acceptOnUnopened() {
        String desc = "socket must be opened, bound, and in a listening state before new connections can be accepted";
        try (Socket s = new Socket()) {
            SocketException e = expect(SocketError.NOT_OPEN, null, s::accept);
            assertEquals(desc, e.getMessage());
            assertEquals("Socket::accept", e.operation());
            e = expect(SocketError.NOT_OPEN, null, () -> s.accept(100));
            assertEquals(desc, e.getMessage());
        }
    }

    @Test
    @DisplayName("C06 SOCKET-NOT-OPEN messages name the method: Socket::recv(), Socket::send(), Socket::recvi4()")
    void c06_notOpenMessageNamesMethod() {
        try (Socket s = new Socket()) {
            for (SocketException e : new SocketException[] {
                    expect(SocketError.NOT_OPEN, "Socket::recv", () -> s.recv(-1)),
                    expect(SocketError.NOT_OPEN, "Socket::recv", () -> s.recv(5)),
                    expect(SocketError.NOT_OPEN, "Socket::send", () -> s.send("x")),
                    expect(SocketError.NOT_OPEN, "Socket::recvi4", s::recvi4)}) {
                assertTrue(e.getMessage().startsWith("socket must be opened before " + e.operation() + "() call"),
                        e::getMessage);
            }
        }
    }

    @Test
    @DisplayName("C07 isDataAvailable()/isWriteFinished() on an unopened socket: SOCKET-NOT-OPEN")
    void c07_pollsOnUnopened() {
        try (Socket s = new Socket()) {
            expect(SocketError.NOT_OPEN, "Socket::isDataAvailable", () -> s.isDataAvailable());
            expect(SocketError.NOT_OPEN, "Socket::isDataAvailable", () -> s.isDataAvailable(100));
            expect(SocketError.NOT_OPEN, "Socket::isWriteFinished", () -> s.isWriteFinished());
            expect(SocketError.NOT_OPEN, "Socket::isWriteFinished", () -> s.isWriteFinished(100));
        }
    }
}
