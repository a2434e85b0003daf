package io.ffsock;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A read into memory that another thread frees while the read waits must fail in Java, never write into the freed
 * memory: the kernel is only ever handed memory that is alive for the whole system call.
 */
@Timeout(20)
class NativeMemorySafetyTest {

    @Test
    @DisplayName("a shared arena closed while a read waits in it: the read fails with IllegalStateException")
    void sharedArenaClosedUnderAWaitingRead() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Loopback.Pair p = Loopback.pair()) {
            Arena shared = Arena.ofShared();
            MemorySegment buf = shared.allocate(4096);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.accepted().read(buf, 100, 64, 5_000);
                } catch (SocketException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, pool);
            Thread.sleep(200); // the reader waits in poll(2): no system call holds the memory now
            shared.close();
            p.client().send("after the memory was freed");
            ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause(),
                    "the read must refuse the freed memory, not hand it to recv(2)");
            // the bytes are still there for a read into live memory
            try (Arena a = Arena.ofConfined()) {
                MemorySegment live = a.allocate(64);
                assertTrue(p.accepted().read(live, 0, 64, 5_000) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("reads and writes with offsets into a confined arena of the calling thread move the right bytes")
    void confinedArenaRangesMoveTheRightBytes() throws Exception {
        try (Loopback.Pair p = Loopback.pair(); Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(256);
            for (int i = 0; i < 256; i++) {
                out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            assertEquals(100, p.client().write(out, 50, 100));
            MemorySegment in = a.allocate(256);
            long got = 0;
            while (got < 100) {
                long n = p.accepted().read(in, 10 + got, 100 - got, 5_000);
                assertTrue(n > 0);
                got += n;
            }
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) (50 + i), in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 10 + i));
            }
            assertEquals(0, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 9), "nothing written before the range");
            assertEquals(0, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 110), "nothing written after the range");
        }
    }
}
