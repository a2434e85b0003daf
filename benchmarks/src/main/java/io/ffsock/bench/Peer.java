package io.ffsock.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The C server every contender talks to ({@code ffsock-peer serve}): echo and sink services on 127.0.0.1 and on a
 * UNIX socket in a fresh temporary directory. Using one server in C for all contenders means the numbers differ
 * only by the client side, which is what is being compared. It stops when this object is closed (its stdin ends).
 */
public final class Peer implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final Path dir;
    private final int tcpPort;
    private final String unixPath;

    private Peer(Process process, Path dir, int tcpPort, String unixPath) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.dir = dir;
        this.tcpPort = tcpPort;
        this.unixPath = unixPath;
    }

    /** Starts the server and waits until it listens. */
    public static Peer start() throws IOException {
        Path dir = Files.createTempDirectory("ffsock-bench");
        String path = dir.resolve("peer.sock").toString();
        Process p = new ProcessBuilder(NativeDir.peer().toString(), "serve", "tcp", "127.0.0.1", "0", "unix", path)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        int port = -1;
        for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
            if (line.startsWith("tcp ")) {
                port = Integer.parseInt(line.substring(4).trim());
            }
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new IOException("ffsock-peer serve did not start");
        }
        return new Peer(p, dir, port, path);
    }

    /** The TCP port on 127.0.0.1. */
    public int tcpPort() {
        return tcpPort;
    }

    /** The UNIX socket path. */
    public String unixPath() {
        return unixPath;
    }

    /** The ffsock destination string for {@code t}: "127.0.0.1:port" or the path. */
    public String dest(Transport t) {
        return t == Transport.TCP ? "127.0.0.1:" + tcpPort : unixPath;
    }

    /** The C client's target argument for {@code t}. */
    public String cTarget(Transport t) {
        return t == Transport.TCP ? "tcp:127.0.0.1:" + tcpPort : "unix:" + unixPath;
    }

    @Override
    public void close() throws IOException {
        stdin.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(Path.of(unixPath));
        Files.deleteIfExists(dir);
    }
}
