package io.ffsock.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the descriptors open when the first test class using it starts (the run's baseline, once per JVM), and
 * fails each class that ends with descriptors open that were not open when it began. {@link FdLeakIT} runs last
 * and compares with the run's baseline after its own stress loops.
 * <p>
 * Before the baseline is taken, every library the tests use is loaded and used once: the class loader keeps each
 * jar it reads open, jnr loads its native stub, and the JDK keeps a socket of its own once its socket code runs.
 * What a library opens once per process is then part of the baseline, not a leak.
 */
final class FdBaseline implements BeforeAllCallback, AfterAllCallback {
    private static Fds.Snapshot baseline;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdBaseline.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        baseline();
        context.getStore(NS).put("start", Fds.snapshot());
    }

    /** Compares with the class's own start, so that a leak is blamed on the class that made it. */
    @Override
    public void afterAll(ExtensionContext context) {
        Fds.assertBackTo(context.getStore(NS).get("start", Fds.Snapshot.class),
                "descriptors left open by " + context.getDisplayName());
    }

    /** The run's baseline, recorded on first use. */
    static synchronized Fds.Snapshot baseline() {
        if (baseline == null) {
            warmUp();
            baseline = Fds.snapshot();
        }
        return baseline;
    }

    /** Opens each jar and native library the tests use, once, then closes every socket it made. */
    static void warmUp() {
        try {
            JnrPosix.load();
            for (jnr.unixsocket.UnixSocketChannel c : jnr.unixsocket.UnixSocketChannel.pair()) {
                c.close();
            }
            try (io.ffsock.Socket s = new io.ffsock.Socket()) {
                s.bind("127.0.0.1:0", true);
                s.getSocketInfo();
            } catch (io.ffsock.SocketException e) {
                // only loading mattered here; the tests themselves report what ffsock does wrong
            }
            // the TLS engines: BoringSSL's native library, and the system CA bundle ffsock reads once
            io.ffsock.tls.TlsEngines.available();
            try (io.ffsock.Socket s = new io.ffsock.Socket()) {
                s.getTlsEngine();
            }
            // the JDK keeps one socket of a socketpair open for good once its socket code is first used (the
            // descriptor it dup2()s over a socket being closed)
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 java.net.Socket c = new java.net.Socket(ss.getInetAddress(), ss.getLocalPort());
                 java.net.Socket a = ss.accept()) {
                c.getOutputStream().write(1);
                a.getInputStream().read();
            }
            Path p = Files.createTempFile("ffsock-warmup", ".sock");
            Files.delete(p);
            try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    .bind(UnixDomainSocketAddress.of(p));
                 SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p));
                 SocketChannel a = ss.accept()) {
                c.write(ByteBuffer.wrap(new byte[1]));
                a.read(ByteBuffer.allocate(1));
            } finally {
                Files.deleteIfExists(p);
            }
        } catch (Exception e) {
            throw new AssertionError("warming up the libraries before taking the descriptor baseline failed", e);
        }
    }
}
