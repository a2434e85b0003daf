package io.ffsock.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer program run as a process ({@code openssl s_server}, {@code s_client}, {@code curl}): its output (stdout and
 * stderr together) is collected on a thread, and {@link #close()} ends it and closes every pipe, so no process and
 * no descriptor outlives a test.
 */
final class ToolProcess implements AutoCloseable {
    private final Process p;
    private final StringBuffer out = new StringBuffer();
    private final Thread reader;
    private final String name;

    private ToolProcess(Path dir, List<String> cmd) throws IOException {
        name = String.join(" ", cmd);
        p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        InputStream in = p.getInputStream();
        reader = new Thread(() -> {
            byte[] b = new byte[4096];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    out.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "tool-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ToolProcess start(Path dir, String... cmd) throws IOException {
        return new ToolProcess(dir, List.of(cmd));
    }

    static ToolProcess start(Path dir, List<String> cmd) throws IOException {
        return new ToolProcess(dir, new ArrayList<>(cmd));
    }

    /** Whether {@code program} can be run (for capability-gated tests). */
    static boolean have(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            p.getOutputStream().close();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String output() {
        return out.toString();
    }

    OutputStream stdin() {
        return p.getOutputStream();
    }

    /** Waits until the output matches {@code regex}; returns the match, or fails with what was printed. */
    Matcher await(String regex, long timeoutMs) throws InterruptedException {
        Pattern pat = Pattern.compile(regex, Pattern.MULTILINE);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < end) {
            Matcher m = pat.matcher(out);
            if (m.find()) {
                return m;
            }
            if (!p.isAlive() && !reader.isAlive()) {
                break;
            }
            Thread.sleep(10);
        }
        Matcher m = pat.matcher(out);
        if (m.find()) {
            return m;
        }
        throw new AssertionError("'" + regex + "' not seen from " + name + " within " + timeoutMs + " ms; it printed:\n"
                + out);
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int waitFor(long timeoutMs) throws InterruptedException {
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not end within " + timeoutMs + " ms; it printed:\n" + out);
        }
        reader.join(2000);
        return p.exitValue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (p.isAlive()) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        reader.join(2000);
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
    }
}
