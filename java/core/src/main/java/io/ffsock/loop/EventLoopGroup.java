package io.ffsock.loop;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several event loops, one thread each, for several cores. A {@link TcpServer} made on a group opens one listener
 * per loop on the same port with {@code SO_REUSEPORT}, so the kernel spreads incoming connections over the loops
 * with no hand-off between threads; {@link #next()} hands out loops in turn for outgoing sockets.
 */
public final class EventLoopGroup implements AutoCloseable {
    private final List<EventLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    /** Starts {@code n} loops (at least 1). */
    public EventLoopGroup(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a group needs at least one loop: " + n);
        }
        EventLoop[] ls = new EventLoop[n];
        try {
            for (int i = 0; i < n; i++) {
                ls[i] = new EventLoop();
            }
        } catch (RuntimeException | Error e) {
            for (EventLoop l : ls) {
                if (l != null) {
                    l.close();
                }
            }
            throw e;
        }
        loops = List.of(ls);
    }

    /** One loop per available processor. */
    public EventLoopGroup() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** The loops, in order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** The next loop, round robin. */
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /** Closes every loop (and every socket on them). */
    @Override
    public void close() {
        for (EventLoop l : loops) {
            l.close();
        }
    }
}
