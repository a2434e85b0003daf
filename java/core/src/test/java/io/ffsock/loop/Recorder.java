package io.ffsock.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records every handler call of a {@link TcpSocket} as a line ("state HOST_LOOKUP", "hostFound",
 * "error REMOTE_HOST_CLOSED in CONNECTED", ...), and fails any handler that runs off the loop thread.
 */
final class Recorder {
    private final List<String> events = new ArrayList<>();
    private final TcpSocket socket;

    Recorder(TcpSocket s) {
        this.socket = s;
        s.onStateChanged((x, st) -> add("state " + st));
        s.onHostFound(x -> add("hostFound"));
        s.onConnected(x -> add("connected"));
        s.onDisconnected(x -> add("disconnected"));
        s.onError((x, e) -> add("error " + e + " in " + x.state()));
    }

    synchronized void add(String e) {
        if (!socket.loop().inLoop()) {
            e = e + " OFF THE LOOP THREAD";
        }
        events.add(e);
        notifyAll();
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized void clear() {
        events.clear();
    }

    /** Waits until an event equal to {@code last} has been recorded, then returns them all. */
    List<String> until(String last) throws InterruptedException {
        return until(l -> l.contains(last), last);
    }

    synchronized List<String> until(Predicate<List<String>> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out waiting for " + what + "; events so far: " + events);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(events);
    }
}
