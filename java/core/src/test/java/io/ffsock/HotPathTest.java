package io.ffsock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The allocation-free hot path: range reads and writes over segments, ByteBuffers reused across calls, and the
 * poll-first read that follows a send (Receiver.read), which must time out, keep nothing back and wake on close
 * exactly as the recv-first read does.
 */
@Timeout(10)
class HotPathTest {
    @Test
    @DisplayName("read/write of a segment range touch only that range, native and heap alike")
    void ranges() throws Exception {
        try (Loopback.Pair p = Loopback.pair(); Arena arena = Arena.ofConfined()) {
            for (MemorySegment seg : new MemorySegment[] {arena.allocate(16), MemorySegment.ofArray(new byte[16])}) {
                for (int i = 0; i < 16; i++) {
                    seg.set(ValueLayout.JAVA_BYTE, i, (byte) i);
                }
                assertEquals(5, p.client().write(seg, 3, 5));
                MemorySegment in = arena.allocate(16).fill((byte) -1);
                long got = 0;
                while (got < 5) {
                    got += p.accepted().read(in, 10 + got, 5 - got, 2000);
                }
                for (int i = 0; i < 16; i++) {
                    byte expect = i >= 10 && i < 15 ? (byte) (i - 7) : (byte) -1;
                    assertEquals(expect, in.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
                }
            }
            assertThrows(IndexOutOfBoundsException.class,
                    () -> p.client().write(MemorySegment.ofArray(new byte[4]), 2, 3));
            assertThrows(IllegalArgumentException.class,
                    () -> p.accepted().read(MemorySegment.ofArray(new byte[4]).asReadOnly(), 0, 4, 10));
        }
    }

    @Test
    @DisplayName("one ByteBuffer reused with moving position and limit, and a read-only buffer refused")
    void reusedByteBuffer() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            ByteBuffer out = ByteBuffer.allocateDirect(32);
            ByteBuffer in = ByteBuffer.allocate(32);
            for (int round = 0; round < 3; round++) {
                out.clear();
                for (int i = 0; i < 32; i++) {
                    out.put((byte) (i * (round + 1)));
                }
                out.position(4 + round).limit(20 + round);
                assertEquals(16, p.client().write(out));
                assertEquals(20 + round, out.position());
                in.clear().position(8).limit(24);
                while (in.hasRemaining()) {
                    assertTrue(p.accepted().read(in) > 0);
                }
                for (int i = 0; i < 16; i++) {
                    assertEquals((byte) ((4 + round + i) * (round + 1)), in.get(8 + i), "round " + round);
                }
            }
            assertThrows(ReadOnlyBufferException.class, () -> p.accepted().read(in.asReadOnlyBuffer()));
        }
    }

    @Test
    @DisplayName("a read right after a send waits in poll first: it times out cleanly and then reads the reply")
    void pollFirstAfterSend() throws Exception {
        try (Loopback.Pair p = Loopback.pair(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            p.client().send("ping");
            SocketException e = assertThrows(SocketException.class, () -> p.client().read(buf, 50));
            assertEquals(SocketError.TIMEOUT, e.error());
            p.accepted().send("pong");
            assertEquals(4, p.client().read(buf, 2000));
            assertEquals("pong", new String(buf.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE)));
            // a read that returned less than asked after waiting polls first next time, and still reads
            p.accepted().send("more");
            assertEquals(4, p.client().read(buf, 2000));
        }
    }

    @Test
    @DisplayName("close() from another thread wakes a reader that is waiting in its poll-first wait")
    void closeWakesPollFirstRead() throws Exception {
        try (Loopback.Pair p = Loopback.pair(); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(8);
            p.client().send("ping");
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    p.client().read(buf);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            assertFalse(reader.isDone(), "the reader waits for a reply");
            p.client().close();
            Throwable t = reader.get(5, TimeUnit.SECONDS);
            assertInstanceOf(SocketException.class, t);
            assertEquals(SocketError.CLOSED, ((SocketException) t).error());
        }
    }
}
