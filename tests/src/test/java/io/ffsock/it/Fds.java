package io.ffsock.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The process's open descriptors as {@code /proc/self/fd} lists them, for leak checks from outside the library:
 * a snapshot maps each descriptor number to what it refers to ({@code socket:[1234]}, a file, a pipe).
 * <p>
 * The directory stream used to list {@code /proc/self/fd} is itself a descriptor, so every snapshot contains one
 * entry for it; that is the same in every snapshot and cancels out in comparisons.
 */
final class Fds {
    private Fds() {}

    private static final Path PROC_FD = Path.of("/proc/self/fd");

    /** One listing of {@code /proc/self/fd}: descriptor number to link target. */
    record Snapshot(Map<Integer, String> fds) {
        int count() {
            return fds.size();
        }

        long sockets() {
            return fds.values().stream().filter(t -> t.startsWith("socket:")).count();
        }

        /** The entries of {@code this} that {@code before} did not have (same number with another target counts). */
        List<String> added(Snapshot before) {
            List<String> out = new ArrayList<>();
            fds.forEach((fd, target) -> {
                if (!target.equals(before.fds.get(fd))) {
                    out.add(fd + " -> " + target);
                }
            });
            return out;
        }
    }

    static Snapshot snapshot() {
        Map<Integer, String> m = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC_FD)) {
            for (Path p : ds) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue; // closed while we listed (the listing's own descriptor, or another thread's)
                }
                m.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(m);
    }

    /** The number of open descriptors (the listing's own included). */
    static int count() {
        return snapshot().count();
    }

    /** Fails when sockets not in {@code before}, or more descriptors than it had, are still open after a grace period. */
    static void assertBackTo(Snapshot before, String what) {
        // The JDK closes a child process's pipes from its reaper thread, a moment after the process ends, so a
        // pipe of a test that started curl or nginx may still be open, or may close during a later class. What
        // counts as a leak: a socket that was not open before, or more descriptors than before; and only if it
        // is still so after a short grace period.
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (;;) {
            Snapshot after = snapshot();
            List<String> sockets = after.added(before).stream().filter(e -> e.contains("socket:")).toList();
            if (sockets.isEmpty() && after.count() <= before.count()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(what + ": " + before.count() + " descriptors open before, " + after.count() + " after; new: "
                        + after.added(before) + "; gone: " + before.added(after));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(what + ": interrupted while waiting for descriptors to close");
            }
        }
    }

    /** A step that may throw anything. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step} and asserts that the descriptor count is the same afterwards. Whatever the step asserts
     * fails the test as usual; the count is checked only when the step passed.
     */
    static void noLeak(String what, Step step) throws Exception {
        Snapshot before = snapshot();
        step.run();
        assertBackTo(before, what);
    }
}
