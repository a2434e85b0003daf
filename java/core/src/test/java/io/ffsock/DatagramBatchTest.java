package io.ffsock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * sendmmsg/recvmmsg batches in caller-owned memory: many datagrams per call, senders kept per slot, truncation
 * reported per slot. (That the steady state allocates nothing is measured by tests/…/it/BatchAllocationIT, which
 * needs the java.management module that this module's tests do not read.)
 */
@Timeout(30)
class DatagramBatchTest {
    private static final int T = 5_000;

    private static void fill(DatagramBatch b, int i, String s) {
        byte[] v = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MemorySegment.copy(v, 0, b.data(), ValueLayout.JAVA_BYTE, b.offset(i), v.length);
        b.setLength(i, v.length);
    }

    private static String slot(DatagramBatch b, int i) {
        int n = Math.min(b.length(i), b.slotSize());
        return new String(b.data().asSlice(b.offset(i), n).toArray(ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void oneCallMovesManyDatagramsAndAnEchoAnswersEverySender() throws Exception {
        try (Arena arena = Arena.ofConfined();
             DatagramSocket server = new DatagramSocket(); DatagramSocket c1 = new DatagramSocket();
             DatagramSocket c2 = new DatagramSocket()) {
            server.bind("127.0.0.1:0");
            c1.bind("127.0.0.1:0");
            c2.bind("127.0.0.1:0");
            String to = "127.0.0.1:" + server.getPort();

            DatagramBatch out = DatagramBatch.allocate(arena, 8, 64);
            out.setDestinations(to);
            for (int i = 0; i < 8; i++) {
                fill(out, i, "msg-" + i);
            }
            assertEquals(8, c1.sendBatch(out, 0, 8, T));
            c2.sendTo("from-c2".getBytes(), to);

            DatagramBatch in = DatagramBatch.allocate(arena, 16, 64);
            int got = 0;
            while (got < 9) {
                int n = server.receiveBatch(in, T);
                assertTrue(n >= 1 && n <= 16);
                assertEquals(n, in.count());
                // echo the batch back: each slot still holds its sender as destination
                assertEquals(n, server.sendBatch(in, 0, n, T));
                got += n;
            }
            assertEquals(9, got);
            for (int i = 0; i < 8; i++) {
                assertEquals("msg-" + i, new String(c1.recv(T)), "c1 gets its own datagrams back, in order");
            }
            assertEquals("from-c2", new String(c2.recv(T)), "c2 gets its own back");
            assertEquals(SocketError.TIMEOUT, assertThrows(SocketException.class, () -> c1.recv(50)).error());
        }
    }

    @Test
    void slotsRecordSenderPortAndTruncationIsReportedWithEveryDatagramKept() throws Exception {
        try (Arena arena = Arena.ofConfined();
             DatagramSocket server = new DatagramSocket(); DatagramSocket c = new DatagramSocket()) {
            server.bind("127.0.0.1:0");
            c.bind("127.0.0.1:0");
            String to = "127.0.0.1:" + server.getPort();
            c.sendTo("short".getBytes(), to);
            c.sendTo("this one is far too long for an 8-byte slot".getBytes(), to);
            c.sendTo("tail".getBytes(), to);
            // wait until all three are queued, so that one recvmmsg takes them all
            long deadline = System.nanoTime() + 2_000_000_000L;
            DatagramBatch in = DatagramBatch.allocate(arena, 4, 8);
            int n = 0;
            SocketException cut = null;
            while (n < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                try {
                    n = server.receiveBatch(in, T);
                } catch (SocketException e) {
                    cut = e;
                    n = in.count();
                }
            }
            assertNotNull(cut, "a truncated datagram must be reported");
            assertEquals(SocketError.RECV_ERROR, cut.error());
            assertTrue(cut.getMessage().contains("slot 1"), cut.getMessage());
            assertEquals(3, in.count(), "every datagram received is kept: " + cut.getMessage());
            assertEquals("short", slot(in, 0));
            assertFalse(in.truncated(0));
            assertTrue(in.truncated(1));
            assertEquals(43, in.length(1), "the real length, not the slot size");
            assertEquals("this one", slot(in, 1));
            assertEquals("tail", slot(in, 2));
            assertEquals(c.getPort(), in.port(0));
            assertEquals("127.0.0.1", in.address(2).address());

            // a truncated slot cannot be sent back as it is: its iovec would reach past the slot
            SocketException e = assertThrows(SocketException.class, () -> server.sendBatch(in, 0, 3, T));
            assertTrue(e.getMessage().contains("slot 1 holds a truncated datagram"), e.getMessage());
            in.setLength(1, 8);
            assertEquals(3, server.sendBatch(in, 0, 3, T));
            assertEquals("short", new String(c.recv(T)));
            assertEquals("this one", new String(c.recv(T)));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnySystemCall() throws Exception {
        try (Arena arena = Arena.ofConfined(); DatagramSocket s = new DatagramSocket()) {
            assertThrows(IllegalArgumentException.class, () -> DatagramBatch.allocate(arena, 0, 10));
            assertThrows(IllegalArgumentException.class, () -> DatagramBatch.allocate(arena, 2000, 10));
            assertThrows(IllegalArgumentException.class, () -> DatagramBatch.allocate(arena, 4, 70_000));
            DatagramBatch b = DatagramBatch.allocate(arena, 4, 16);
            assertThrows(IllegalArgumentException.class, () -> b.setLength(0, 17));
            assertThrows(IllegalArgumentException.class, () -> b.setLength(0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> b.length(4));
            SocketException e = assertThrows(SocketException.class, () -> s.sendBatch(b, 2, 3, T));
            assertTrue(e.getMessage().contains("not within the batch"), e.getMessage());
            assertEquals(SocketError.SEND_ERROR,
                    assertThrows(SocketException.class, () -> b.setDestination(0, "127.0.0.1:0")).error());
        }
        // memory of a closed arena is never touched again
        Arena a = Arena.ofConfined();
        DatagramBatch dead = DatagramBatch.allocate(a, 2, 16);
        a.close();
        try (DatagramSocket s = new DatagramSocket()) {
            s.bind("127.0.0.1:0");
            assertThrows(IllegalStateException.class, () -> s.receiveBatch(dead, 10));
        }
    }
}
