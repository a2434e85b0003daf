package io.ffsock.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process a test starts and talks to line by line: its stdout is read by a thread into a queue, its stderr is
 * kept for failure messages, and {@link #close()} kills it if it is still running, so that no test leaves a process
 * behind.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;
    private final Path stderr;

    private ChildProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("<stdout read failed: " + e + ">");
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} with stdin closed and stderr to a temporary file. */
    static ChildProcess start(List<String> command) throws IOException {
        Path err = Files.createTempFile("ffsock-child", ".stderr");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LISTEN_"));
        Process p = pb.start();
        p.getOutputStream().close();
        return new ChildProcess(p, err);
    }

    /** The java launcher of this JVM, and the arguments to run a test-classpath main class with native access. */
    static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    /** The next line the process prints, or a failure naming what it printed so far. */
    String line(long timeoutMs) throws InterruptedException {
        String l = lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (l == null) {
            fail("no line from the child within " + timeoutMs + " ms; it printed " + seen + "; stderr:\n" + stderr());
        }
        seen.add(l);
        return l;
    }

    /** Reads lines until one starts with {@code prefix}; returns it. */
    String lineStartingWith(String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (;;) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            String l = line(Math.max(left, 1));
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    /** Everything printed so far, the lines taken included. */
    List<String> output() {
        List<String> all = new ArrayList<>(seen);
        lines.drainTo(all);
        seen.clear();
        seen.addAll(all);
        return all;
    }

    /** Waits for the exit; returns the status, failing after {@code timeoutMs}. */
    int waitFor(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            fail("the child did not exit within " + timeoutMs + " ms; it printed " + output() + "; stderr:\n"
                    + stderr());
        }
        reader.join(2000);
        return process.exitValue();
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.getInputStream().close();
        Files.deleteIfExists(stderr);
    }
}
