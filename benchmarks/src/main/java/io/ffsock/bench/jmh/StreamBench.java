package io.ffsock.bench.jmh;

import io.ffsock.bench.Peer;
import io.ffsock.bench.Transport;
import io.ffsock.bench.contenders.Client;
import io.ffsock.bench.contenders.Contender;
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

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Streaming 64-byte frames (a 4-byte length and the payload) into the C peer's sink, {@value #BATCH} per
 * invocation and an acknowledgement at the end, so the score is per message and includes getting it there.
 * ffsock-frames coalesces through {@code FrameWriter}; every other contender writes once per message.
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 -prof gc StreamBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class StreamBench {
    static final int BATCH = 1000;

    @Param({"tcp:ffsock-frames", "tcp:ffsock", "tcp:jni", "tcp:nio", "tcp:java.net", "unix:ffsock-frames",
            "unix:ffsock", "unix:jni", "unix:nio", "unix:jnr"})
    public String target;

    @Param({"64"})
    public int size;

    private Peer peer;
    private Client client;

    @Setup(Level.Trial)
    public void open() throws IOException {
        peer = Peer.start();
        String[] tc = target.split(":", 2);
        client = Contender.byId(tc[1]).open(peer, Transport.valueOf(tc[0].toUpperCase()), size);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void frames() throws IOException {
        client.stream(BATCH);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        client.close();
        peer.close();
    }
}
