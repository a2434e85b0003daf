package io.ffsock;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/** The read buffer at its size limit fails with the bytes it holds, never with a silent zero-length room. */
class ReadBufferTest {

    @Test
    void aFullBufferFailsAndHandsOverEverythingItHeld() throws Exception {
        ReadBuffer b = new ReadBuffer(10_000);
        long total = 0;
        SocketException full = null;
        for (int i = 0; i < 100 && full == null; i++) {
            try {
                MemorySegment room = b.room(ReadBuffer.CHUNK);
                assertTrue(room.byteSize() > 0, "a room of zero bytes would read as end of stream");
                long n = Math.min(room.byteSize(), 1000);
                for (long k = 0; k < n; k++) {
                    room.set(ValueLayout.JAVA_BYTE, k, (byte) (total + k));
                }
                b.filled(n);
                total += n;
            } catch (SocketException e) {
                full = e;
            }
        }
        assertNotNull(full, "the buffer never reached its limit");
        assertEquals(SocketError.RECV_ERROR, full.error());
        byte[] partial = full.partialData();
        assertEquals(total, partial.length, "every byte held is handed over");
        for (int k = 0; k < partial.length; k++) {
            assertEquals((byte) k, partial[k]);
        }
        assertEquals(0, b.available());
    }
}
