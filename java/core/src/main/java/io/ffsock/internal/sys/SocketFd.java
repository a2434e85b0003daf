package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One open socket descriptor, its lifetime and its scratch memory.
 * <p>
 * <b>Safe close.</b> A 32-bit state word counts the calls in flight ({@link #acquire()} / {@link #release()}) and
 * carries a CLOSED bit. {@link #close()} sets CLOSED; when calls are in flight it {@code shutdown(2)}s the socket,
 * which wakes every thread blocked in {@code poll(2)} on it (the kernel signals a state change for TCP, UDP and
 * UNIX sockets, listening or connected), and the <em>last</em> {@link #release()} calls {@code close(2)}. So the
 * descriptor number stays ours until no thread can touch it any more: a thread woken by a close never operates on
 * a number the kernel has handed to another socket.
 * <p>
 * <b>Memory.</b> The scratch segments (errno capture, pollfd, sockaddr, option values) live in a shared arena that
 * is closed together with the descriptor. The read side and the write side each have their own, used only by the
 * thread holding that side's lock; cold calls that may come from any thread use a confined arena per call.
 * <p>
 * All I/O methods return raw results: a byte count &gt;= 0, or {@code -errno} (so {@code -EAGAIN} is "would
 * block"). EINTR is retried here and never escapes.
 */
public final class SocketFd {
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SocketFd.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final int family;
    private final int type;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /**
     * Set by every send that moved bytes, cleared by the read side: "a reply to something sent may be on its way,
     * and cannot have arrived yet". A hint for {@code Receiver.read}, which then waits in poll before its recv
     * instead of after a recv that would fail with EAGAIN. Written and read without synchronisation on purpose:
     * a stale value costs one system call, never correctness.
     */
    public boolean sentSinceRead;
    private final Arena arena = Arena.ofShared();
    /** What rides on this descriptor (the TLS session); closed together with it. */
    private volatile AutoCloseable attachment;
    /** Scratch owned by the thread holding the read lock. */
    public final Side read;
    /** Scratch owned by the thread holding the write lock. */
    public final Side write;

    /** Per-direction scratch memory: errno capture, one pollfd, one sockaddr_storage and its length. */
    public static final class Side {
        final MemorySegment errno;
        final MemorySegment pollfd;
        final MemorySegment addr;
        final MemorySegment addrLen;

        Side(Arena arena) {
            errno = LibC.newErrnoSegment(arena);
            pollfd = arena.allocate(PollFd.LAYOUT);
            addr = arena.allocate(SockaddrStorage.LAYOUT);
            addrLen = arena.allocate(ValueLayout.JAVA_INT);
        }
    }

    /** Takes ownership of an open, non-blocking, close-on-exec descriptor. */
    public SocketFd(int fd, int family, int type) {
        this.fd = fd;
        this.family = family;
        this.type = type;
        this.read = new Side(arena);
        this.write = new Side(arena);
    }

    /** The descriptor number; only meaningful while the caller holds an {@link #acquire()}. */
    public int fd() {
        return fd;
    }

    public int family() {
        return family;
    }

    public int type() {
        return type;
    }

    /**
     * What rides on this connection (its TLS session), or {@code null}. Read it while holding an
     * {@link #acquire()}: it is closed only after the last call in flight has left.
     */
    public AutoCloseable attachment() {
        return attachment;
    }

    /**
     * Attaches {@code a} (or detaches with {@code null}); an attachment still present when the descriptor is
     * destroyed is closed then, after the last call in flight has left it.
     */
    public void attach(AutoCloseable a) {
        attachment = a;
    }

    /** Registers a call in flight; false when the descriptor is closed (nothing was acquired then). */
    public boolean acquire() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s < 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends a call in flight; the last one out after a close releases the descriptor and the memory. */
    public void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == CLOSED) {
            destroy();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return (int) STATE.getVolatile(this) < 0;
    }

    /**
     * Closes the descriptor: at once when no call is in flight, else wakes the blocked calls and leaves the
     * {@code close(2)} to the last of them. Returns false when it was closed already.
     */
    public boolean close() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s < 0) {
                return false;
            }
            // take a reference of our own while waking the others, so that fd stays valid for shutdown(2)
            if (STATE.compareAndSet(this, s, (s + 1) | CLOSED)) {
                if (s > 0) {
                    try (Arena a = Arena.ofConfined()) {
                        LibC.shutdown(LibC.newErrnoSegment(a), fd, Net.SHUT_RDWR);
                    }
                }
                release();
                return true;
            }
        }
    }

    private void destroy() {
        try (Arena a = Arena.ofConfined()) {
            // close(2) releases the descriptor even when it reports EINTR or EIO on Linux: never retry it
            LibC.close(LibC.newErrnoSegment(a), fd);
        }
        AutoCloseable att = attachment;
        attachment = null;
        if (att != null) {
            try {
                att.close();
            } catch (Exception e) {
                // an attachment's close gives back memory; nothing a closing socket could report
            }
        }
        arena.close();
    }

    // --- I/O on the read side (caller holds the read lock and an acquire) ---------------------------------------

    /** recv(2) into {@code buf}; {@code buf} may be a heap segment. */
    public long recv(MemorySegment buf, long len, int flags) {
        for (;;) {
            long n = LibC.recv(read.errno, fd, buf, len, flags);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(read.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * recv(2) into {@code buf[off, off+len)} (len &gt; 0, bounds checked by the caller) without a slice object when
     * {@code buf} belongs to a confined arena of the calling thread: its address is passed as a number.
     * <p>
     * A raw address does not keep the segment's memory alive during the call the way a segment argument does. That
     * is safe only for a confined arena: only its owner, this thread, can close it, and this thread is in the call
     * (the access before it proves the segment alive, owned here and in bounds). Memory that another thread could
     * free meanwhile (a shared arena closed concurrently, an automatic arena reclaimed by the GC) goes through the
     * segment path, which keeps it alive or makes the close fail; so does heap memory. Those slice, which the JIT
     * usually scalar-replaces.
     */
    public long recv(MemorySegment buf, long off, long len, int flags) {
        if (!confinedHere(buf)) {
            return recv(off == 0 ? buf : buf.asSlice(off, len), len, flags);
        }
        buf.get(ValueLayout.JAVA_BYTE, off + len - 1);
        long address = buf.address() + off;
        for (;;) {
            long n = LibC.recvAddr(read.errno, fd, address, len, flags);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(read.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * Waits until the socket is ready for {@code events} on the given side. Returns the revents (&gt; 0), 0 on
     * timeout, or {@code -errno}. {@code timeoutMs} &lt; 0 waits forever.
     */
    public int poll(Side side, short events, int timeoutMs) {
        MemorySegment p = side.pollfd;
        for (;;) {
            PollFd.set(p, fd, events);
            int n = LibC.poll(side.errno, p, 1, timeoutMs);
            if (n > 0) {
                return Short.toUnsignedInt(PollFd.revents(p));
            }
            if (n == 0) {
                return 0;
            }
            int e = LibC.errno(side.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
            // EINTR: a signal, not a timeout; retrying with the full timeout bounds each wait as Qore does
        }
    }

    /**
     * {@link #poll} from any thread, with scratch memory of the call's own (for checks that must not wait for the
     * thread holding a side's lock).
     */
    public int pollCold(short events, int timeoutMs) {
        try (Arena a = Arena.ofConfined()) {
            return poll(new Side(a), events, timeoutMs);
        }
    }

    /** accept4(2) of one pending connection; returns the new non-blocking, close-on-exec fd or -errno. */
    public int accept() {
        for (;;) {
            read.addrLen.set(ValueLayout.JAVA_INT, 0, SockaddrStorage.SIZE);
            int n = LibC.accept4(read.errno, fd, read.addr, read.addrLen, Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno(read.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    // --- I/O on the write side (caller holds the write lock and an acquire) -------------------------------------

    /** send(2) from {@code buf} with MSG_NOSIGNAL; {@code buf} may be a heap segment. */
    public long send(MemorySegment buf, long len, int flags) {
        for (;;) {
            long n = LibC.send(write.errno, fd, buf, len, flags | Net.MSG_NOSIGNAL);
            if (n >= 0) {
                sentSinceRead = true;
                return n;
            }
            int e = LibC.errno(write.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /**
     * send(2) from {@code buf[off, off+len)}; like {@link #recv(MemorySegment, long, long, int)}, no slice for
     * memory of a confined arena of this thread, the segment path for anything another thread could free.
     */
    public long send(MemorySegment buf, long off, long len, int flags) {
        if (!confinedHere(buf)) {
            return send(off == 0 ? buf : buf.asSlice(off, len), len, flags);
        }
        buf.get(ValueLayout.JAVA_BYTE, off + len - 1);
        long address = buf.address() + off;
        for (;;) {
            long n = LibC.sendAddr(write.errno, fd, address, len, flags | Net.MSG_NOSIGNAL);
            if (n >= 0) {
                sentSinceRead = true;
                return n;
            }
            int e = LibC.errno(write.errno);
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** A thread that never runs: no confined segment is accessible by it, every other kind of segment is. */
    private static final Thread NO_OWNER = new Thread(() -> { }, "ffsock-no-owner");

    /**
     * Whether {@code buf} is native memory of a confined arena (the caller then checks, by accessing it, that this
     * thread is the owner): memory nobody but this thread can free while this thread is in a system call.
     */
    private static boolean confinedHere(MemorySegment buf) {
        return buf.isNative() && !buf.isAccessibleBy(NO_OWNER);
    }

    /** connect(2) to the address in {@code sa}; returns 0 or -errno (-EINPROGRESS for a connect under way). */
    public int connect(MemorySegment sa, int len) {
        int n = LibC.connect(write.errno, fd, sa, len);
        if (n == 0) {
            return 0;
        }
        int e = LibC.errno(write.errno);
        // EINTR on a non-blocking connect leaves it in progress, like EINPROGRESS
        return e == Errno.EINTR ? -Errno.EINPROGRESS : -e;
    }

    // --- cold calls from any thread (caller holds an acquire) --------------------------------------------------

    /** getsockopt(2) of an int option: the value (&gt;= {@code Integer.MIN_VALUE}), or {@code -errno - 1L} below it. */
    public long getIntOption(int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment val = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, 4);
            if (LibC.getsockopt(err, fd, level, name, val, len) != 0) {
                return -(long) LibC.errno(err) - 1;
            }
            return val.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** setsockopt(2) of an int option: 0 or -errno. */
    public int setIntOption(int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment val = a.allocateFrom(ValueLayout.JAVA_INT, value);
            if (LibC.setsockopt(err, fd, level, name, val, 4) != 0) {
                return -LibC.errno(err);
            }
            return 0;
        }
    }

    /** shutdown(2): 0 or -errno. */
    public int shutdown(int how) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            return LibC.shutdown(err, fd, how) == 0 ? 0 : -LibC.errno(err);
        }
    }

    /** listen(2): 0 or -errno. */
    public int listen(int backlog) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            return LibC.listen(err, fd, backlog) == 0 ? 0 : -LibC.errno(err);
        }
    }

    /** bind(2) to the first {@code len} bytes of {@code sa}: 0 or -errno. */
    public int bind(MemorySegment sa, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            return LibC.bind(err, fd, sa, len) == 0 ? 0 : -LibC.errno(err);
        }
    }

    /** ioctl(2) with an int out-argument (FIONREAD, SIOCOUTQ): the value (&gt;= 0), or {@code -errno - 1L}. */
    public long ioctlInt(long request) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment val = a.allocate(ValueLayout.JAVA_INT);
            if (LibC.ioctl(err, fd, request, val) != 0) {
                return -(long) LibC.errno(err) - 1;
            }
            return val.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** fcntl(2) F_GETFL / F_GETFD: the flags (&gt;= 0), or {@code -errno - 1L}. */
    public long fcntlGet(int cmd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int r = LibC.fcntl(err, fd, cmd, 0);
            return r >= 0 ? r : -(long) LibC.errno(err) - 1;
        }
    }

    /**
     * getsockname(2) (local) or getpeername(2) (peer) decoded into a {@link SockAddr}, or {@code null} with the
     * errno in {@code errnoOut[0]}.
     */
    public SockAddr name(boolean peer, int[] errnoOut) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            MemorySegment sa = a.allocate(SockaddrStorage.LAYOUT);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, SockaddrStorage.SIZE);
            int r = peer ? LibC.getpeername(err, fd, sa, len) : LibC.getsockname(err, fd, sa, len);
            if (r != 0) {
                errnoOut[0] = LibC.errno(err);
                return null;
            }
            return SockAddr.decode(sa, Math.min(len.get(ValueLayout.JAVA_INT, 0), SockaddrStorage.SIZE));
        }
    }

    /** The peer address of the connection {@link #accept()} returned last (read side scratch). */
    public SockAddr acceptedPeer() {
        int len = Math.min(read.addrLen.get(ValueLayout.JAVA_INT, 0), SockaddrStorage.SIZE);
        return SockAddr.decode(read.addr, len);
    }

    // --- giving the descriptor away -----------------------------------------------------------------------------

    /**
     * Gives up the descriptor without closing it: on success the number is the caller's to close, and this object
     * is closed (its scratch memory freed). Fails with {@code -EBUSY} while a call is in flight on another thread,
     * since that call still uses the number, and with {@code -EBADF} when already closed.
     */
    public int detach() {
        if (!STATE.compareAndSet(this, 0, CLOSED)) {
            return (int) STATE.getVolatile(this) < 0 ? -Errno.EBADF : -Errno.EBUSY;
        }
        AutoCloseable att = attachment;
        attachment = null;
        if (att != null) {
            try {
                att.close(); // a TLS session does not go with the bare descriptor
            } catch (Exception e) {
                // it only gives back memory
            }
        }
        arena.close();
        return fd;
    }
}
