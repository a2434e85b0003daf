package io.ffsock.bench.jmh;

import io.ffsock.SocketException;
import io.ffsock.frame.Delimiter;
import io.ffsock.frame.Frame;
import io.ffsock.frame.FrameFormat;
import io.ffsock.frame.LengthPrefix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Encoding and decoding frames in memory, with no socket: the framers' own cost per frame, which
 * {@code FrameWriter} and {@code FrameReader} add to each send and recv. Run with {@code -prof gc}: 0 B/op.
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 -prof gc FramingBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class FramingBench {
    static final int FRAMES = 256;

    @Param({"U4", "LF", "CRLF"})
    public String format;

    @Param({"64"})
    public int size;

    private FrameFormat f;
    private Arena arena;
    private MemorySegment payload;
    private MemorySegment buffer;
    private long encoded;
    private final Frame frame = new Frame();

    @Setup(Level.Trial)
    public void setup() {
        f = switch (format) {
            case "LF" -> FrameFormat.delimited(Delimiter.LF);
            case "CRLF" -> FrameFormat.delimited(Delimiter.CRLF);
            default -> FrameFormat.lengthPrefixed(LengthPrefix.valueOf(format));
        };
        arena = Arena.ofShared();
        payload = arena.allocate(size).fill((byte) 'x');
        buffer = arena.allocate((long) FRAMES * (size + f.overhead()), 64);
        long at = 0;
        for (int i = 0; i < FRAMES; i++) {
            at += f.encode(buffer, at, payload, 0, size);
        }
        encoded = at;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long encode() {
        long at = 0;
        for (int i = 0; i < FRAMES; i++) {
            at += f.encode(buffer, at, payload, 0, size);
        }
        return at;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decode() throws SocketException {
        long at = 0;
        long sum = 0;
        while (at < encoded) {
            at += f.decode(buffer, at, encoded, frame);
            sum += frame.length();
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void close() {
        arena.close();
    }
}
