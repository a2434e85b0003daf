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
 * One round trip of {@code size} bytes through the C peer's echo service, per contender and transport. The C
 * client itself is measured by {@code ./ffsock bench} (JMH cannot time another process's loop). Run with
 * {@code -prof gc} for bytes per operation:
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 -prof gc RoundTripBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RoundTripBench {
    /** transport:contender; java.net has no AF_UNIX and jnr-unixsocket no TCP. */
    @Param({"tcp:ffsock", "tcp:ffsock-bb", "tcp:ffsock-bytes", "tcp:ffsock-frames", "tcp:jni", "tcp:nio",
            "tcp:java.net", "unix:ffsock", "unix:ffsock-bb", "unix:ffsock-bytes", "unix:ffsock-frames", "unix:jni",
            "unix:nio", "unix:jnr"})
    public String target;

    @Param({"64", "1024", "65536"})
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
    public void roundTrip() throws IOException {
        client.roundTrip();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        client.close();
        peer.close();
    }
}
