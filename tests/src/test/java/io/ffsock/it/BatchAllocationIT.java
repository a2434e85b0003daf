package io.ffsock.it;

import io.ffsock.DatagramBatch;
import io.ffsock.DatagramSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * sendmmsg/recvmmsg batches into caller-owned memory allocate nothing on the Java heap in the steady state: the
 * thread's allocation counter ({@code com.sun.management.ThreadMXBean}) over phases of 1,500 round trips until one
 * allocates under 1 KiB — where a single 16-byte object per call would show as 24 KiB or more.
 */
@ExtendWith(FdBaseline.class)
@Timeout(60)
class BatchAllocationIT {
    private static final int T = 5_000;
    private static final int BATCH = 32;
    private static final int ROUNDS = 1_500;
    private static final int MAX_PHASES = 12;

    @Test
    void aBatchRoundTripAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined(); DatagramSocket a = new DatagramSocket();
             DatagramSocket b = new DatagramSocket()) {
            a.bind("127.0.0.1:0");
            b.bind("127.0.0.1:0");
            a.connect("127.0.0.1:" + b.getPort());
            b.connect("127.0.0.1:" + a.getPort());
            DatagramBatch out = DatagramBatch.allocate(arena, BATCH, 64);
            DatagramBatch in = DatagramBatch.allocate(arena, BATCH, 64);
            for (int i = 0; i < BATCH; i++) {
                byte[] v = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(v, 0, out.data(), ValueLayout.JAVA_BYTE, out.offset(i), v.length);
                out.setLength(i, v.length);
            }
            // phases of ROUNDS round trips until one allocates nothing: the first ones run in the interpreter and
            // C1 (and spin up method handles); the steady state is what a long-running server sees
            long bytes = -1;
            long nanos = 0;
            int phase = 0;
            while (phase < MAX_PHASES && (bytes < 0 || bytes >= 1024)) {
                long a0 = mx.getThreadAllocatedBytes(tid);
                long t0 = System.nanoTime();
                for (int r = 0; r < ROUNDS; r++) {
                    a.sendBatch(out, 0, BATCH, T);
                    int got = 0;
                    while (got < BATCH) {
                        got += b.receiveBatch(in, T);
                    }
                }
                nanos = System.nanoTime() - t0;
                bytes = mx.getThreadAllocatedBytes(tid) - a0;
                phase++;
            }
            System.out.printf("BatchAllocationIT: phase %d of %d rounds x %d datagrams: %d bytes allocated "
                    + "(%.2f per round); %.0f datagrams/s one way through sendmmsg+recvmmsg%n", phase, ROUNDS, BATCH,
                    bytes, bytes / (double) ROUNDS, ROUNDS * (double) BATCH / (nanos / 1e9));
            assertTrue(bytes < 1024, "a batch round should allocate nothing once warm; after " + phase + " phases of "
                    + ROUNDS + " rounds, the last still allocated " + bytes + " bytes");
            assertEquals("datagram 31", new String(in.data().asSlice(in.offset(in.count() - 1),
                    in.length(in.count() - 1)).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        }
    }
}
