package io.ffsock.bench.jmh;

import io.ffsock.Socket;
import io.ffsock.SocketEvent;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * ffsock's hot path with nobody else involved: one thread writes 64 bytes on one end of a connected pair and reads
 * them on the other, so no thread ever waits and the score is the cost of {@code Socket.write} and
 * {@code Socket.read} themselves (two system calls and everything ffsock does around them).
 * <p>
 * {@code events} shows what the socket's event queue costs: "off" (no queue, the default) must score as the
 * plain path and allocate 0 B/op under {@code -prof gc}; "on" sets a queue on both ends (drained every operation,
 * so it stays small) and shows the price of the PACKET_SENT/PACKET_READ events it then posts.
 * <p>
 * The buffers come from a confined arena made on the benchmark thread ({@code @Setup} of a {@code Scope.Thread}
 * state runs there), which is what lets {@code read}/{@code write} hand the kernel a raw address without a slice.
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

    @Param({"off", "on"})
    public String events;

    private final BlockingQueue<SocketEvent> queue = new LinkedBlockingQueue<>();

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
        if (events.equals("on")) {
            a.setEventQueue(queue);
            b.setEventQueue(queue);
        }
        arena = Arena.ofConfined();
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
        if (queue.poll() != null) {
            queue.clear();
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
