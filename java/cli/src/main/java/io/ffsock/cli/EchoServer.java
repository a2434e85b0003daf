package io.ffsock.cli;

import io.ffsock.Socket;
import io.ffsock.SocketException;
import io.ffsock.SocketInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Accepts one connection on an ffsock listener and echoes every byte back on the hot path
 * ({@code read}/{@code write} over a native segment), until the client closes.
 */
final class EchoServer implements AutoCloseable {
    private final Thread thread;
    private volatile Socket conn;
    private volatile String peerInfo = "(not connected)";

    private EchoServer(Socket listener) {
        thread = new Thread(() -> serve(listener), "ffsock-echo");
        thread.setDaemon(true);
    }

    static EchoServer start(Socket listener) {
        EchoServer s = new EchoServer(listener);
        s.thread.start();
        return s;
    }

    private void serve(Socket listener) {
        try (Arena arena = Arena.ofConfined(); Socket c = listener.accept(10_000)) {
            if (c == null) {
                return;
            }
            conn = c;
            c.setNoDelay(true);
            boolean lookup = c.getPeerInfo(false).family() != SocketInfo.AF_INET6; // no DNS query for ::1
            peerInfo = Demo.describe(c.getPeerInfo(lookup)) + " -> local " + Demo.describe(c.getSocketInfo(lookup));
            MemorySegment buf = arena.allocate(64 * 1024);
            for (;;) {
                long n = c.read(buf);
                if (n < 0) {
                    return;
                }
                c.write(buf.asSlice(0, n));
            }
        } catch (SocketException e) {
            // the client went away or the demo closed us: the echo is over
        }
    }

    /** How the accepted connection describes its peer and itself. */
    String peerInfo() {
        return peerInfo;
    }

    @Override
    public void close() throws InterruptedException {
        Socket c = conn;
        if (c != null) {
            c.close();
        }
        thread.join(5_000);
    }
}
