package io.ffsock;

import io.ffsock.internal.sys.Sys;

import java.lang.ref.Cleaner;

/**
 * Bytes received over a UNIX socket together with the file descriptors that came with them (SCM_RIGHTS), as
 * {@link Socket#recvFds} and {@link DatagramSocket#receiveFds} return them.
 * <p>
 * The descriptors are open in this process (close-on-exec) and belong to this object until {@link #take(int)}
 * hands one over: {@link #close()} closes every descriptor not taken, and so does the garbage collector if the
 * object is dropped without closing it. Use it with try-with-resources and take what you keep.
 */
public final class ReceivedFds implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The descriptors not taken yet (-1 once taken or closed); the Cleaner's state, so it must not refer out. */
    private static final class Held implements Runnable {
        final int[] fds;

        Held(int[] fds) {
            this.fds = fds;
        }

        @Override
        public synchronized void run() {
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] >= 0) {
                    Sys.closeQuietly(fds[i]);
                    fds[i] = -1;
                }
            }
        }

        synchronized int take(int i) {
            int fd = fds[i];
            fds[i] = -1;
            return fd;
        }
    }

    private final byte[] data;
    private final int count;
    private final boolean descriptorsTruncated;
    private final SocketInfo from;
    private final Held held;
    private final Cleaner.Cleanable cleanable;

    ReceivedFds(byte[] data, int[] fds, boolean descriptorsTruncated, SocketInfo from) {
        this.data = data;
        this.count = fds.length;
        this.descriptorsTruncated = descriptorsTruncated;
        this.from = from;
        this.held = new Held(fds.clone());
        this.cleanable = CLEANER.register(this, held);
    }

    /** The bytes received (the array is the caller's). Empty on a stream socket means the peer closed. */
    public byte[] data() {
        return data;
    }

    /** How many descriptors arrived with the bytes. */
    public int count() {
        return count;
    }

    /**
     * Whether the sender passed more descriptors than the receive asked for: the kernel closed those that did not
     * fit (MSG_CTRUNC), so none of them leaked, but they did not arrive either.
     */
    public boolean descriptorsTruncated() {
        return descriptorsTruncated;
    }

    /** The sender (datagram sockets), or {@code null} on a stream socket. */
    public SocketInfo from() {
        return from;
    }

    /**
     * Hands descriptor {@code i} over: from now on closing it is the caller's business.
     *
     * @throws IllegalStateException when it was taken already or this object is closed
     */
    public int take(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("descriptor " + i + " of " + count + " received");
        }
        int fd = held.take(i);
        if (fd < 0) {
            throw new IllegalStateException("descriptor " + i + " was taken already, or this object was closed");
        }
        return fd;
    }

    /** Takes descriptor {@code i} as a stream {@link Socket} ({@link Socket#fromFd}); closes it if it is none. */
    public Socket takeSocket(int i) throws SocketException {
        int fd = take(i);
        try {
            return Socket.fromFd(fd);
        } catch (SocketException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** Takes descriptor {@code i} as a {@link DatagramSocket}; closes it if it is none. */
    public DatagramSocket takeDatagramSocket(int i) throws SocketException {
        int fd = take(i);
        try {
            return DatagramSocket.fromFd(fd);
        } catch (SocketException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** Closes every descriptor not taken. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
