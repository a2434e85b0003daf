package io.ffsock.loop;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.EpollEvent;
import io.ffsock.internal.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One thread running an {@code epoll(7)} loop: the sockets registered with it, timers, and tasks handed to it from
 * other threads. Every handler of a {@link TcpSocket}, {@link TcpServer} or {@link Sockets} socket on this loop runs
 * on its thread; every public method of those classes may be called from any thread and is handed to it.
 *
 * <h2>Edge-triggered, and why</h2>
 * Sockets are registered once, for {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET}, and never modified. With
 * level triggering a socket that is writable would be reported on every wait, so write interest would have to be
 * switched on with {@code epoll_ctl} whenever a write does not complete and off again once the queue drains, and read
 * interest switched off whenever a reader stops consuming (back-pressure) — two extra system calls per episode,
 * exactly in the situations (slow peers, bursts) where the loop is busiest. Edge triggering reports each change of
 * readiness once, so the loop instead remembers what it was told:
 * <ul>
 *   <li>a socket is read until the kernel has no more (a read shorter than the buffer proves that for a stream
 *   socket, as {@code epoll(7)} notes, so no extra {@code recv} is spent to see EAGAIN), or until a per-event
 *   budget is spent; a socket stopped by the budget goes on an "again" list that the loop serves on its next turn
 *   without sleeping, so one busy peer cannot starve the others;</li>
 *   <li>a socket whose reader stopped consuming simply stops being read; when the reader catches up it is put on
 *   the "again" list, since no new edge will come for data already waiting;</li>
 *   <li>a write that leaves bytes queued waits for the {@code EPOLLOUT} edge that comes when the kernel's send
 *   buffer has room again.</li>
 * </ul>
 * The price is that a missed edge would stall a socket for good; the loop therefore never stops reading a socket
 * for any reason other than "the kernel said EAGAIN", "the read was short" or the two lists above.
 * <p>
 * The loop's wake-up {@code eventfd} is level-triggered and read once per wake-up.
 *
 * <h2>No allocation per event</h2>
 * epoll's events land in a native array owned by the loop; its data word is {@code token << 32 | fd}, looked up in
 * an array indexed by descriptor (the token guards against a descriptor number reused within one batch). Reads and
 * writes pass through one native buffer of the loop. Timers are nodes of an array heap that may be re-armed. Tasks
 * from other threads are queued in a lock-free queue; a thread that queues a task wakes the loop only if no wake-up
 * is already pending.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long WAKE_DATA = -1L;
    /** Events one read may serve before the socket yields to the others. */
    static final int READ_BUDGET = 16;

    private static final VarHandle WAKE_PENDING;
    private static final VarHandle WAKERS;
    static {
        try {
            WAKE_PENDING = MethodHandles.lookup().findVarHandle(EventLoop.class, "wakePending", int.class);
            WAKERS = MethodHandles.lookup().findVarHandle(EventLoop.class, "wakers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    @SuppressWarnings("unused") // through WAKE_PENDING
    private volatile int wakePending;
    /**
     * Threads between reading {@link #wakeFd} and writing to it; the loop makes this negative (and so closes the
     * door) before it closes the eventfd, so that no thread ever writes to a descriptor number reused since.
     */
    @SuppressWarnings("unused") // through WAKERS
    private volatile int wakers;
    private volatile int wakeFd = -1;
    private volatile boolean closing;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Consumer<Throwable> exceptionHandler;

    // loop-thread state
    private LoopIo io;
    private int epfd = -1;
    private Channel[] byFd = new Channel[1024];
    private int tokens;
    private int registered;
    private final ArrayDeque<Channel> again = new ArrayDeque<>();
    private final ArrayDeque<Channel> flushes = new ArrayDeque<>();
    private Timer[] heap = new Timer[16];
    private int heapSize;

    /** Starts a loop on a new daemon thread named {@code ffsock-loop-N}. */
    public EventLoop() {
        this("ffsock-loop-" + IDS.incrementAndGet());
    }

    /**
     * Starts a loop on a new daemon thread of the given name.
     *
     * @throws IllegalStateException when epoll or the eventfd cannot be created (the message says why)
     */
    public EventLoop(String name) {
        this.name = Objects.requireNonNull(name, "name");
        CompletableFuture<Void> started = new CompletableFuture<>();
        thread = new Thread(() -> run(started), name);
        thread.setDaemon(true);
        thread.start();
        try {
            started.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("event loop " + name + " could not start: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting event loop " + name, e);
        }
    }

    private static final class Shared {
        static final EventLoop LOOP = new EventLoop("ffsock-loop-shared");
        static {
            LOOP.isShared = true;
        }
    }

    /** Set on the shared loop only (and read without touching {@link Shared}, which would start it). */
    private volatile boolean isShared;

    /** A loop shared by every socket made without one, started on first use; it is never closed. */
    public static EventLoop shared() {
        return Shared.LOOP;
    }

    /** The loop thread's name. */
    public String name() {
        return name;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closing;
    }

    /**
     * Where exceptions thrown by handlers go; by default they are printed to {@code System.err}. A handler that
     * throws never stops the loop.
     */
    public void setExceptionHandler(Consumer<Throwable> handler) {
        this.exceptionHandler = handler;
    }

    /** Runs {@code task} on the loop thread, after the tasks queued before it. Callable from any thread. */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closing) {
            throw new RejectedExecutionException("event loop " + name + " is closed");
        }
        tasks.add(task);
        if (!inLoop()) {
            wakeup();
        }
    }

    /**
     * Runs {@code task} on the loop thread and returns its result: directly when called on the loop thread, else by
     * handing it over and waiting. Used by the blocking methods of the socket classes.
     */
    <T> T call(Callable<T> task) {
        if (inLoop()) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return f.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (terminated.getCount() == 0 && !f.isDone()) {
                        throw new RejectedExecutionException("event loop " + name + " closed before the call ran");
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void wakeup() {
        if ((int) WAKE_PENDING.getVolatile(this) == 0 && WAKE_PENDING.compareAndSet(this, 0, 1)) {
            signal();
        }
    }

    /** Makes the eventfd readable, unless the loop has closed it. */
    private void signal() {
        if ((int) WAKERS.getAndAdd(this, 1) >= 0) {
            int fd = wakeFd;
            if (fd >= 0) {
                Epoll.eventfd_write(fd, 1L);
            }
        }
        WAKERS.getAndAdd(this, -1);
    }

    // =============================================================================================================
    // timers
    // =============================================================================================================

    /**
     * A task scheduled on a loop. It runs once, on the loop thread, when its delay has passed, unless cancelled
     * first. A timer that ran or was cancelled may be scheduled again with {@link #schedule(long)}; the loop's own
     * repeating timeouts reuse one timer that way, so they allocate nothing per period.
     */
    public static final class Timer {
        private final EventLoop loop;
        private final Runnable task;
        long deadline;
        int index = -1;

        Timer(EventLoop loop, Runnable task) {
            this.loop = loop;
            this.task = task;
        }

        /** (Re-)arms the timer to run {@code delayMs} from now; from any thread. */
        public void schedule(long delayMs) {
            long d = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
            if (loop.inLoop()) {
                loop.arm(this, d);
            } else {
                loop.execute(() -> loop.arm(this, d));
            }
        }

        /** Cancels the timer if it has not run; from any thread. Returns whether it was pending (on the loop thread). */
        public boolean cancel() {
            if (loop.inLoop()) {
                return loop.disarm(this);
            }
            loop.execute(() -> loop.disarm(this));
            return true;
        }

        /** Whether the timer is waiting to run (meaningful on the loop thread). */
        public boolean isPending() {
            return index >= 0;
        }
    }

    /** Runs {@code task} on the loop thread after {@code delay}. Callable from any thread. */
    public Timer schedule(Duration delay, Runnable task) {
        return schedule(delay.toMillis(), task);
    }

    /** Runs {@code task} on the loop thread after {@code delayMs} milliseconds. Callable from any thread. */
    public Timer schedule(long delayMs, Runnable task) {
        Timer t = new Timer(this, Objects.requireNonNull(task, "task"));
        t.schedule(delayMs);
        return t;
    }

    /** A timer not yet armed (loop thread or any). */
    Timer timer(Runnable task) {
        return new Timer(this, task);
    }

    private void arm(Timer t, long deadline) {
        if (t.index >= 0) {
            removeAt(t.index);
        }
        t.deadline = deadline;
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heapSize * 2);
        }
        heap[heapSize] = t;
        t.index = heapSize;
        heapSize++;
        siftUp(t.index);
    }

    private boolean disarm(Timer t) {
        if (t.index < 0) {
            return false;
        }
        removeAt(t.index);
        return true;
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        heapSize--;
        Timer last = heap[heapSize];
        heap[heapSize] = null;
        removed.index = -1;
        if (i != heapSize) {
            heap[i] = last;
            last.index = i;
            siftDown(i);
            siftUp(last.index);
        }
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer q = heap[p];
            if (q.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = q;
            q.index = i;
            i = p;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < heapSize && heap[r].deadline - heap[c].deadline < 0) {
                c = r;
            }
            if (t.deadline - heap[c].deadline <= 0) {
                break;
            }
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }

    private void runTimers() {
        if (heapSize == 0) {
            return;
        }
        long now = System.nanoTime();
        while (heapSize > 0 && heap[0].deadline - now <= 0) {
            Timer t = heap[0];
            removeAt(0);
            safely(t.task);
        }
    }

    private int timeoutMs() {
        if (heapSize == 0) {
            return -1;
        }
        long left = heap[0].deadline - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        long ms = (left + 999_999) / 1_000_000;
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    // =============================================================================================================
    // registration (loop thread only)
    // =============================================================================================================

    LoopIo io() {
        return io;
    }

    /** Registers {@code ch} for {@code interest} on {@code fd}: 0 or -errno. */
    int register(Channel ch, int fd, int interest) {
        int token = ++tokens;
        int r = io.ctl(epfd, Epoll.EPOLL_CTL_ADD, fd, interest, ((long) token << 32) | (fd & 0xFFFF_FFFFL));
        if (r != 0) {
            return r;
        }
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        ch.fd = fd;
        ch.token = token;
        byFd[fd] = ch;
        registered++;
        return 0;
    }

    /**
     * Moves a registered descriptor to another channel (a connect attempt handing its socket to the
     * {@link TcpSocket} that won), with a new interest set: 0 or -errno.
     */
    int transfer(Channel from, Channel to, int interest) {
        int fd = from.fd;
        int token = ++tokens;
        int r = io.ctl(epfd, Epoll.EPOLL_CTL_MOD, fd, interest, ((long) token << 32) | (fd & 0xFFFF_FFFFL));
        if (r != 0) {
            return r;
        }
        from.fd = -1;
        to.fd = fd;
        to.token = token;
        byFd[fd] = to;
        return 0;
    }

    /**
     * Forgets {@code ch}'s registration; the caller closes the descriptor next, which removes it from epoll (the
     * token check drops any event of it still in the current batch).
     */
    void deregister(Channel ch) {
        int fd = ch.fd;
        if (fd >= 0 && fd < byFd.length && byFd[fd] == ch) {
            byFd[fd] = null;
            registered--;
        }
        ch.fd = -1;
        ch.token = 0;
    }

    /** Number of descriptors registered (sockets, listeners, connect attempts). */
    public int registeredCount() {
        return inLoop() ? registered : call(() -> registered);
    }

    /** {@code ch} will continue reading on the next turn of the loop. */
    void again(Channel ch) {
        if (!ch.againQueued) {
            ch.againQueued = true;
            again.add(ch);
        }
    }

    /** {@code ch} has bytes to send, written from the loop thread; they go out before the loop sleeps. */
    void flushLater(Channel ch) {
        if (!ch.flushQueued) {
            ch.flushQueued = true;
            flushes.add(ch);
        }
    }

    // =============================================================================================================
    // the loop
    // =============================================================================================================

    private void run(CompletableFuture<Void> started) {
        try (Arena arena = Arena.ofConfined()) {
            io = new LoopIo(arena);
            epfd = io.epollCreate();
            if (epfd < 0) {
                started.completeExceptionally(new IllegalStateException("epoll_create1: " + Errno.strerror(-epfd)));
                return;
            }
            int w = io.eventfd();
            if (w < 0) {
                io.close(epfd);
                started.completeExceptionally(new IllegalStateException("eventfd: " + Errno.strerror(-w)));
                return;
            }
            int r = io.ctl(epfd, Epoll.EPOLL_CTL_ADD, w, Epoll.EPOLLIN, WAKE_DATA);
            if (r != 0) {
                io.close(w);
                io.close(epfd);
                started.completeExceptionally(new IllegalStateException("epoll_ctl: " + Errno.strerror(-r)));
                return;
            }
            wakeFd = w;
            started.complete(null);
            try {
                loop();
            } finally {
                shutdown();
            }
        } catch (Throwable t) {
            started.completeExceptionally(t);
            report(t);
        } finally {
            terminated.countDown();
        }
    }

    private void loop() {
        while (!closing) {
            WAKE_PENDING.setVolatile(this, 0);
            int timeout = tasks.isEmpty() && again.isEmpty() && flushes.isEmpty() ? timeoutMs() : 0;
            int n = io.waitEvents(epfd, timeout);
            if (n < 0) {
                report(new IllegalStateException("epoll_wait failed: " + Errno.strerror(-n)));
                return;
            }
            for (int i = 0; i < n; i++) {
                long data = EpollEvent.data(io.events, i);
                int ev = EpollEvent.events(io.events, i);
                if (data == WAKE_DATA) {
                    io.drainEventfd(wakeFd);
                    continue;
                }
                int fd = (int) data;
                Channel ch = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
                if (ch != null && ch.token == (int) (data >>> 32)) {
                    try {
                        ch.onEvents(ev);
                    } catch (Throwable t) {
                        report(t);
                    }
                }
            }
            runAgain();
            runTimers();
            runTasks();
            runFlushes();
        }
    }

    private void runAgain() {
        for (int k = again.size(); k > 0; k--) {
            Channel ch = again.poll();
            ch.againQueued = false;
            if (ch.fd >= 0) {
                try {
                    ch.onAgain();
                } catch (Throwable t) {
                    report(t);
                }
            }
        }
    }

    private void runFlushes() {
        Channel ch;
        while ((ch = flushes.poll()) != null) {
            ch.flushQueued = false;
            if (ch.fd >= 0) {
                try {
                    ch.onFlush();
                } catch (Throwable t) {
                    report(t);
                }
            }
        }
    }

    private void runTasks() {
        // the tasks queued so far; those they queue run on the next turn, after the loop has polled again
        for (int k = tasks.size(); k > 0; k--) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            safely(r);
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            report(t);
        }
    }

    void report(Throwable t) {
        Consumer<Throwable> h = exceptionHandler;
        if (h != null) {
            try {
                h.accept(t);
                return;
            } catch (Throwable ignored) {
                // fall through to the default
            }
        }
        System.err.println("ffsock event loop " + name + ": a handler threw");
        t.printStackTrace();
    }

    private void shutdown() {
        // tasks queued before close() still run: they may be the closes of the user's own sockets
        Runnable r;
        while ((r = tasks.poll()) != null) {
            safely(r);
        }
        for (Channel ch : byFd) {
            if (ch != null) {
                try {
                    ch.onLoopClose();
                } catch (Throwable t) {
                    report(t);
                }
            }
        }
        Arrays.fill(byFd, null);
        registered = 0;
        while (!WAKERS.compareAndSet(this, 0, Integer.MIN_VALUE)) {
            Thread.onSpinWait(); // a thread is writing to the eventfd right now: a few instructions
        }
        int w = wakeFd;
        wakeFd = -1;
        io.close(w);
        io.close(epfd);
        epfd = -1;
        heapSize = 0;
        Arrays.fill(heap, null);
    }

    /**
     * Stops the loop: the sockets still registered are closed (aborted, without their handlers), and the thread
     * ends. Waits for that unless called on the loop thread. Idempotent.
     */
    @Override
    public void close() {
        if (isShared) {
            throw new UnsupportedOperationException("the shared event loop cannot be closed");
        }
        closing = true;
        if (inLoop()) {
            return;
        }
        signal();
        boolean interrupted = false;
        for (;;) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + (closing ? ", closed" : "") + "]";
    }
}
