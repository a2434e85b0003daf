package io.ffsock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void tcpEcho() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals(0, s.bind("127.0.0.1:0", true));
            assertEquals(0, s.listen());
            int port = s.getSocketInfo().port();
            try (Socket c = new Socket()) {
                c.connect("127.0.0.1:" + port);
                try (Socket a = s.accept(1000)) {
                    assertNotNull(a);
                    c.send("hello");
                    assertEquals("hello", a.recv(5));
                    a.sendi4(2393921);
                    assertEquals(2393921, c.recvi4());
                    System.out.println(a.getPeerInfo() + " " + c.getSocketInfo());
                    SocketException e = assertThrows(SocketException.class, () -> a.recv(10, 100));
                    assertEquals("SOCKET-TIMEOUT", e.error().code());
                    System.out.println(e.getMessage());
                }
            }
        }
    }
}
