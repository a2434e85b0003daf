package io.ffsock.it;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Leak checks that look only at descriptors <em>added</em> since a snapshot: a descriptor that is open now and was
 * not before (or now names something else). Descriptors that close in the meantime — the pipes of a child process
 * another test started, closed late by the JDK's process reaper — are not leaks and do not disturb the check, as
 * they do a comparison of counts ({@link Fds#assertBackTo}).
 */
final class NoNewFds {
    private NoNewFds() {}

    /** Fails with the descriptors open now that {@code before} did not have. */
    static void assertNoneAdded(Fds.Snapshot before, String what) {
        List<String> added = Fds.snapshot().added(before);
        // the listing's own descriptor may get another number in each snapshot
        added.removeIf(e -> e.endsWith("/fd"));
        if (!added.isEmpty()) {
            fail(what + ": descriptors left open: " + added);
        }
    }

    /** Runs {@code step}; fails if it left any descriptor open. */
    static void check(String what, Fds.Step step) throws Exception {
        Fds.Snapshot before = Fds.snapshot();
        step.run();
        assertNoneAdded(before, what);
    }
}
