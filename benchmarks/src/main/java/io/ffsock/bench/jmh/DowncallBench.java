package io.ffsock.bench.jmh;

import io.ffsock.Socket;
import io.ffsock.bench.NativeDir;
import io.ffsock.bench.jni.JniTwin;
import io.ffsock.internal.sys.LibC;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The cost of the binding itself: one {@code recv(2)} on an idle non-blocking socket, which returns EAGAIN at
 * once, through each way of calling it.
 * <ul>
 *   <li>libc's {@code recv} through FFM: plain, with {@code captureCallState("errno")}, with {@code critical}, and
 *       with both (what ffsock links), plus ffsock's own {@code LibC.recv} and {@code LibC.recvAddr};</li>
 *   <li>{@code ffsock_hot_recv} of {@code native/jni/hotpath.c}, which returns -errno itself, through FFM
 *       (critical) and through JNI ({@code JniTwin.recv}): the same C function, two bindings.</li>
 * </ul>
 * <pre>./ffsock bench jmh -f 1 -wi 3 -i 5 -prof gc DowncallBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DowncallBench {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor RECV =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MemorySegment LIBC_RECV = LINKER.defaultLookup().find("recv").orElseThrow();
    private static final MethodHandle PLAIN = LINKER.downcallHandle(LIBC_RECV, RECV);
    private static final MethodHandle CAPTURE =
            LINKER.downcallHandle(LIBC_RECV, RECV, Linker.Option.captureCallState("errno"));
    private static final MethodHandle CRITICAL =
            LINKER.downcallHandle(LIBC_RECV, RECV, Linker.Option.critical(true));
    private static final MethodHandle CAPTURE_CRITICAL = LINKER.downcallHandle(LIBC_RECV, RECV,
            Linker.Option.captureCallState("errno"), Linker.Option.critical(true));
    private static final MethodHandle HOT_RECV;
    static {
        SymbolLookup lib = SymbolLookup.libraryLookup(NativeDir.jniLibrary(), Arena.global());
        HOT_RECV = LINKER.downcallHandle(lib.find("ffsock_hot_recv").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
        JniTwin.load();
    }

    private Socket listener;
    private Socket client;
    private Socket server;
    private Arena arena;
    private MemorySegment buf;
    private long bufAddress;
    private MemorySegment errno;
    private int fd;

    @Setup(Level.Trial)
    public void open() throws IOException {
        listener = new Socket();
        if (listener.bind("127.0.0.1:0", true) != 0 || listener.listen() != 0) {
            throw new IOException("bind/listen failed");
        }
        client = new Socket();
        client.connect("127.0.0.1:" + listener.getSocketInfo(false).port(), 5_000);
        server = listener.accept(5_000);
        fd = client.getSocket();
        arena = Arena.ofShared();
        buf = arena.allocate(64, 64);
        bufAddress = buf.address();
        errno = LibC.newErrnoSegment(arena);
    }

    @Benchmark
    public long ffmPlain() throws Throwable {
        return (long) PLAIN.invokeExact(fd, buf, 64L, 0);
    }

    @Benchmark
    public long ffmCaptureErrno() throws Throwable {
        return (long) CAPTURE.invokeExact(errno, fd, buf, 64L, 0);
    }

    @Benchmark
    public long ffmCritical() throws Throwable {
        return (long) CRITICAL.invokeExact(fd, buf, 64L, 0);
    }

    @Benchmark
    public long ffmCaptureCritical() throws Throwable {
        return (long) CAPTURE_CRITICAL.invokeExact(errno, fd, buf, 64L, 0);
    }

    @Benchmark
    public int ffsockLibC() {
        long n = LibC.recv(errno, fd, buf, 64, 0);
        return n < 0 ? LibC.errno(errno) : (int) n;
    }

    @Benchmark
    public int ffsockLibCAddress() {
        long n = LibC.recvAddr(errno, fd, bufAddress, 64, 0);
        return n < 0 ? LibC.errno(errno) : (int) n;
    }

    @Benchmark
    public long ffmHotRecv() throws Throwable {
        return (long) HOT_RECV.invokeExact(fd, buf, 64L);
    }

    @Benchmark
    public long jniHotRecv() {
        return JniTwin.recv(fd, bufAddress, 64);
    }

    @TearDown(Level.Trial)
    public void close() {
        client.close();
        server.close();
        listener.close();
        arena.close();
    }
}
