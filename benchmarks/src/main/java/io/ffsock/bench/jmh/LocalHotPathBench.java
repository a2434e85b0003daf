package io.ffsock.bench.jmh;

import io.ffsock.Socket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * ffsock's hot path with nobody else involved: one thread writes 64 bytes on one end of a connected pair and reads
 * them on the other, so no thread ever waits and the score is the cost of {@code Socket.write} and
 * {@code Socket.read} themselves (two system calls and everything ffsock does around them).
 * <p>
 * This is also the template for a benchmark of a feature that must cost nothing when off, such as the socket's
 * event queue: add a {@code @Param({"off", "on"})} field, switch the feature on in {@link #open()} when it says
 * "on", and compare the two scores (and their {@code -prof gc} B/op) in the same run.
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 -prof gc LocalHotPathBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class LocalHotPathBench {
    @Param({"tcp", "unix"})
    public String transport;

    private Path dir;
    private Socket listener;
    private Socket a;
    private Socket b;
    private Arena arena;
    private MemorySegment out;
    private MemorySegment in;

    @Setup(Level.Trial)
    public void open() throws IOException {
        listener = new Socket();
        String dest;
        if (transport.equals("tcp")) {
            if (listener.bind("127.0.0.1:0", true) != 0) {
                throw new IOException("bind failed");
            }
            dest = "127.0.0.1:0";
        } else {
            dir = Files.createTempDirectory("ffsock-jmh");
            dest = dir.resolve("s").toString();
            listener.bindUNIX(dest);
        }
        if (listener.listen() != 0) {
            throw new IOException("listen failed");
        }
        if (transport.equals("tcp")) {
            dest = "127.0.0.1:" + listener.getSocketInfo(false).port();
        }
        a = new Socket();
        a.connect(dest, 5_000);
        b = listener.accept(5_000);
        if (transport.equals("tcp")) {
            a.setNoDelay(true);
        }
        arena = Arena.ofShared();
        out = arena.allocate(64).fill((byte) 'x');
        in = arena.allocate(64);
    }

    @Benchmark
    public long writeThenRead() throws IOException {
        a.write(out);
        long got = 0;
        while (got < 64) {
            got += b.read(in, got, 64 - got, -1);
        }
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        a.close();
        b.close();
        listener.close();
        arena.close();
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        }
    }
}
