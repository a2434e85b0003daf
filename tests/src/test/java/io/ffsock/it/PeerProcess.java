package io.ffsock.it;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer program (nginx, python3, curl) run as a child process on this machine, its output in files of a test's
 * temporary directory (no pipes stay open in the test JVM), found on the PATH or the test skipped with a message
 * saying what to install. Servers listen on 127.0.0.1 only.
 */
final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;

    private PeerProcess(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** The program's path, or the test is skipped (JUnit assumption) naming the package that provides it. */
    static String require(String program, String pkg) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String d : new String[] {dir, "/usr/sbin", "/sbin"}) {
                Path p = Path.of(d, program);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        Assumptions.abort(program + " is not installed (Debian package " + pkg + "; .ci/run installs it): "
                + "skipping the tests against it");
        return null;
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code cmd} with its output in {@code dir}. */
    static PeerProcess start(Path dir, String name, List<String> cmd) throws IOException {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new File("/dev/null"))).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new PeerProcess(name, p, out, err);
    }

    /** Waits until something accepts connections on 127.0.0.1:{@code port}; fails with the peer's output if not. */
    PeerProcess awaitPort(int port, long timeoutMs) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening on "
                        + port + ": " + output());
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return this;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within " + timeoutMs
                + " ms: " + output());
    }

    /** Waits for the program to end; returns its exit code (-1 if it had to be killed). */
    int await(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            close();
            return -1;
        }
        return process.exitValue();
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.ISO_8859_1);
    }

    String output() {
        try {
            return "stdout: " + Files.readString(out, StandardCharsets.ISO_8859_1) + " stderr: "
                    + Files.readString(err, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Runs {@code cmd} to its end (at most {@code timeoutMs}) and returns its exit code and output. */
    static Result run(Path dir, String name, long timeoutMs, String... cmd) throws Exception {
        try (PeerProcess p = start(dir, name, List.of(cmd))) {
            int rc = p.await(timeoutMs);
            return new Result(rc, p.stdout(), p.output());
        }
    }

    record Result(int exit, String stdout, String all) {}

    /** Stops the program (TERM, then KILL after 5 s) and waits for it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        List<AutoCloseable> streams = new ArrayList<>(List.of(process.getInputStream(), process.getErrorStream(),
                process.getOutputStream()));
        for (AutoCloseable c : streams) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing to release
            }
        }
    }
}
