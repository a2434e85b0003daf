package io.ffsock.loop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class EventLoopTest {

    @Test
    void tasksFromManyThreadsRunOnTheLoopThreadInEachThreadsOrder() throws Exception {
        try (EventLoop loop = new EventLoop("t-order")) {
            int threads = 4;
            int per = 20_000;
            int[][] seen = new int[threads][1];
            AtomicInteger wrongThread = new AtomicInteger();
            AtomicInteger outOfOrder = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads * per);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < per; i++) {
                        int n = i;
                        loop.execute(() -> {
                            if (!loop.inLoop()) {
                                wrongThread.incrementAndGet();
                            }
                            if (seen[id][0] != n) {
                                outOfOrder.incrementAndGet();
                            }
                            seen[id][0] = n + 1;
                            done.countDown();
                        });
                    }
                });
                ts.add(th);
                th.start();
            }
            assertTrue(done.await(20, TimeUnit.SECONDS), "not every task ran");
            assertEquals(0, wrongThread.get());
            assertEquals(0, outOfOrder.get());
            assertFalse(loop.inLoop());
        }
    }

    @Test
    void timersRunInDeadlineOrderAndCancelledOnesDoNot() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(1);
            loop.schedule(120, () -> order.add(3));
            loop.schedule(40, () -> order.add(1));
            EventLoop.Timer cancelled = loop.schedule(80, () -> order.add(99));
            loop.schedule(80, () -> order.add(2));
            loop.schedule(200, done::countDown);
            cancelled.cancel();
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of(1, 2, 3), order);
        }
    }

    @Test
    void aTimerDoesNotRunBeforeItsDelayAndCanBeRearmed() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            long start = System.nanoTime();
            CompletableFuture<Long> ran = new CompletableFuture<>();
            AtomicInteger runs = new AtomicInteger();
            EventLoop.Timer[] t = new EventLoop.Timer[1];
            t[0] = loop.schedule(100, () -> {
                if (runs.incrementAndGet() < 3) {
                    t[0].schedule(50); // re-armed from inside its own run
                } else {
                    ran.complete(System.nanoTime() - start);
                }
            });
            long elapsed = ran.get(5, TimeUnit.SECONDS);
            assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(200), "ran after " + elapsed / 1_000_000 + " ms");
            assertEquals(3, runs.get());
        }
    }

    @Test
    void aThrowingTaskIsReportedAndTheLoopGoesOn() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            CompletableFuture<Throwable> reported = new CompletableFuture<>();
            loop.setExceptionHandler(reported::complete);
            loop.execute(() -> {
                throw new IllegalStateException("boom");
            });
            assertEquals("boom", reported.get(5, TimeUnit.SECONDS).getMessage());
            assertEquals(42, (int) loop.call(() -> 42));
        }
    }

    @Test
    void callRunsInlineOnTheLoopThreadAndHandsOverFromOthers() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            Thread t = loop.call(Thread::currentThread);
            CompletableFuture<Thread> inner = new CompletableFuture<>();
            loop.execute(() -> inner.complete(loop.call(Thread::currentThread)));
            assertSame(t, inner.get(5, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> loop.call(() -> {
                throw new IllegalArgumentException("passed through");
            }));
        }
    }

    @Test
    void closeReleasesTheEpollAndEventfdDescriptorsAndRefusesNewTasks() throws Exception {
        int before = OpenFds.count();
        EventLoop loop = new EventLoop();
        assertEquals(before + 2, OpenFds.count(), "a loop holds an epoll fd and an eventfd");
        loop.close();
        OpenFds.assertBackTo(before, "after EventLoop.close()");
        assertTrue(loop.isClosed());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        loop.close(); // idempotent
    }

    @Test
    void theSharedLoopCannotBeClosed() {
        assertThrows(UnsupportedOperationException.class, () -> EventLoop.shared().close());
    }

    @Test
    void manyLoopsStartAndStopWithoutLeaking() throws Exception {
        int before = OpenFds.count();
        for (int i = 0; i < 50; i++) {
            try (EventLoopGroup g = new EventLoopGroup(2)) {
                assertEquals(2, g.loops().size());
                g.next().call(() -> null);
            }
        }
        OpenFds.assertBackTo(before, "after 50 groups");
    }
}
