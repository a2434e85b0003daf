package io.ffsock.bench.contenders;

import io.ffsock.bench.NativeDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The C floor: an {@code ffsock-peer client} process doing plain blocking send/recv, driven one batch at a time
 * over its stdin so that its batches interleave with the JVM contenders'. It times its batches itself, so the
 * pipe to it costs nothing measured.
 */
final class CClient extends Client {
    private final Process process;
    private final OutputStream cmd;
    private final BufferedReader out;

    CClient(String target, int size) throws IOException {
        super(size);
        process = new ProcessBuilder(NativeDir.peer().toString(), "client", target)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        cmd = process.getOutputStream();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        if (!"ready".equals(out.readLine())) {
            throw new IOException("ffsock-peer client did not start");
        }
    }

    private long ask(String what, int count) throws IOException {
        cmd.write((what + " " + size + " " + count + "\n").getBytes(StandardCharsets.US_ASCII));
        cmd.flush();
        String line = out.readLine();
        if (line == null || line.startsWith("error")) {
            throw new IOException("ffsock-peer client: " + line);
        }
        return Long.parseLong(line.trim());
    }

    @Override
    public void roundTrip() throws IOException {
        ask("rtt", 1);
    }

    @Override
    public void stream(int count) throws IOException {
        ask("stream", count);
    }

    @Override
    public long timedRoundTrips(int count) throws IOException {
        return ask("rtt", count);
    }

    @Override
    public long timedStream(int count) throws IOException {
        return ask("stream", count);
    }

    @Override
    public long timedEagain(int count) throws IOException {
        return ask("eagain", count);
    }

    @Override
    public boolean inJvm() {
        return false;
    }

    @Override
    public void close() throws IOException {
        cmd.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
