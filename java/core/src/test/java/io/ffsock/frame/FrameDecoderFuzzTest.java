package io.ffsock.frame;

import io.ffsock.SocketError;
import io.ffsock.SocketException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random tests of the decoders, bounded in time (about four seconds each; the seed of a failing case is in
 * its message, and {@code -Dffsock.fuzz.seed=N} replays it):
 * <ul>
 *   <li>frames encoded by {@link FrameFormat#encode} and fed to the decoder in random chunks come back identical;</li>
 *   <li>random bytes never make a decoder throw anything but a {@link SocketException}, never yield a frame above
 *       the maximum or outside the bytes given, and never ask for more than max + overhead bytes.</li>
 * </ul>
 */
@Timeout(30)
class FrameDecoderFuzzTest {
    private static final long BUDGET_NANOS = 4_000_000_000L;
    private static final long SEED = Long.getLong("ffsock.fuzz.seed", 20240611L);

    private static FrameFormat randomFormat(Random rnd) {
        int max = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(4);
            case 1 -> rnd.nextInt(64);
            case 2 -> rnd.nextInt(1024);
            default -> rnd.nextInt(100_000);
        };
        if (rnd.nextBoolean()) {
            LengthPrefix[] p = LengthPrefix.values();
            return FrameFormat.lengthPrefixed(p[rnd.nextInt(p.length)], max);
        }
        return FrameFormat.delimited(rnd.nextBoolean() ? Delimiter.LF : Delimiter.CRLF, max);
    }

    /** A payload the format can carry: for delimited formats, random bytes with every delimiter broken up. */
    private static byte[] randomPayload(Random rnd, FrameFormat f) {
        int len = rnd.nextInt(f.maxFrameSize() + 1);
        if (rnd.nextInt(4) == 0) {
            len = Math.min(len, 8);
        }
        byte[] b = new byte[len];
        if (f instanceof FrameFormat.Delimited d) {
            byte[] alphabet = {'\r', '\n', 'a', 0, (byte) 0x8A};
            for (int i = 0; i < len; i++) {
                b[i] = alphabet[rnd.nextInt(alphabet.length)];
            }
            for (int i = 0; i < len; i++) {
                boolean cut = d.delimiter == Delimiter.LF ? b[i] == '\n' : b[i] == '\n' && i > 0 && b[i - 1] == '\r';
                if (cut) {
                    b[i] = 'z';
                }
            }
        } else {
            rnd.nextBytes(b);
        }
        return b;
    }

    @Test
    @DisplayName("encode then decode in random chunks returns every frame unchanged")
    void roundTrip() throws Exception {
        long deadline = System.nanoTime() + BUDGET_NANOS;
        long cases = 0;
        try (Arena arena = Arena.ofConfined()) {
            while (System.nanoTime() < deadline) {
                long seed = SEED + cases++;
                Random rnd = new Random(seed);
                FrameFormat f = randomFormat(rnd);
                int n = 1 + rnd.nextInt(20);
                List<byte[]> sent = new ArrayList<>();
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                MemorySegment scratch = arena.allocate(f.maxFrameSize() + f.overhead());
                for (int i = 0; i < n; i++) {
                    byte[] p = randomPayload(rnd, f);
                    sent.add(p);
                    long len = f.encode(scratch, 0, p, 0, p.length);
                    assertEquals(p.length + f.overhead(), len);
                    wire.writeBytes(scratch.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
                }
                List<byte[]> got = decodeInChunks(f, wire.toByteArray(), rnd, "seed " + seed);
                assertEquals(sent.size(), got.size(), "seed " + seed + " " + f);
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i), "seed " + seed + " " + f + " frame " + i);
                }
            }
        }
        assertTrue(cases > 100, "only " + cases + " cases ran");
    }

    /** Feeds {@code wire} to the decoder as a reader would: appended chunk by chunk, decoding whole frames. */
    private static List<byte[]> decodeInChunks(FrameFormat f, byte[] wire, Random rnd, String what)
            throws SocketException {
        MemorySegment buf = MemorySegment.ofArray(new byte[wire.length + 16]);
        Frame frame = new Frame();
        List<byte[]> out = new ArrayList<>();
        long start = 0;
        long end = 0;
        int fed = 0;
        while (fed < wire.length || start < end) {
            long n = end > start ? f.decode(buf, start, end, frame) : 0;
            if (n > 0) {
                assertTrue(frame.offset() >= start && frame.offset() + frame.length() <= start + n, what);
                out.add(frame.toArray());
                start += n;
                continue;
            }
            if (fed == wire.length) {
                fail(what + ": " + (end - start) + " bytes left that decode to no frame");
            }
            int chunk = Math.min(wire.length - fed, 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 4096));
            MemorySegment.copy(wire, fed, buf, ValueLayout.JAVA_BYTE, end, chunk);
            fed += chunk;
            end += chunk;
        }
        return out;
    }

    @Test
    @DisplayName("random bytes: only SocketException, frames within bounds, never a demand beyond max + overhead")
    void garbage() {
        long deadline = System.nanoTime() + BUDGET_NANOS;
        long cases = 0;
        long refused = 0;
        long frames = 0;
        while (System.nanoTime() < deadline) {
            long seed = SEED ^ (cases++ * 0x9E3779B97F4A7C15L);
            Random rnd = new Random(seed);
            FrameFormat f = randomFormat(rnd);
            byte[] junk = new byte[rnd.nextInt(2 * (f.maxFrameSize() + f.overhead()) + 8)];
            rnd.nextBytes(junk);
            if (f instanceof FrameFormat.Delimited && rnd.nextBoolean()) {
                for (int i = 0; i < junk.length; i++) {
                    if (rnd.nextInt(16) == 0) {
                        junk[i] = rnd.nextBoolean() ? (byte) '\n' : (byte) '\r';
                    }
                }
            }
            MemorySegment seg = MemorySegment.ofArray(junk);
            Frame frame = new Frame();
            long start = 0;
            try {
                for (;;) {
                    long n = f.decode(seg, start, junk.length, frame);
                    if (n == 0) {
                        assertTrue(junk.length - start < (long) f.maxFrameSize() + f.overhead(),
                                "seed " + seed + " " + f + ": asked for more while holding a maximal frame's bytes");
                        break;
                    }
                    assertTrue(frame.length() <= f.maxFrameSize(), "seed " + seed);
                    assertTrue(frame.offset() >= start && frame.offset() + frame.length() <= junk.length,
                            "seed " + seed);
                    assertEquals(n, (long) frame.length() + f.overhead(), "seed " + seed + " " + f);
                    frames++;
                    start += n;
                }
            } catch (SocketException e) {
                assertEquals(SocketError.RECV_ERROR, e.error(), "seed " + seed);
                refused++;
            }
        }
        assertTrue(refused > 0 && frames > 0, Arrays.toString(new long[] {cases, refused, frames}));
    }

    @Test
    @DisplayName("the word-at-a-time LF search agrees with a byte loop at every alignment")
    void lfSearch() {
        Random rnd = new Random(SEED);
        for (int t = 0; t < 20_000; t++) {
            byte[] b = new byte[rnd.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (rnd.nextInt(4) == 0 ? '\n' : rnd.nextInt(256));
            }
            int from = b.length == 0 ? 0 : rnd.nextInt(b.length);
            int to = from + (b.length == from ? 0 : rnd.nextInt(b.length - from + 1));
            long expect = -1;
            for (int i = from; i < to; i++) {
                if (b[i] == '\n') {
                    expect = i;
                    break;
                }
            }
            assertEquals(expect, FrameFormat.Delimited.indexOfLf(MemorySegment.ofArray(b), from, to));
        }
    }
}
