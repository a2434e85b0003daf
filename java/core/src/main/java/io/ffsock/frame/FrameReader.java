package io.ffsock.frame;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Reads frames from a {@link Socket} through a native buffer: one {@code recv(2)} fills the buffer with as much as
 * the kernel holds, and every whole frame in it is then decoded without another system call, each handed out as the
 * same {@link Frame} flyweight re-pointed at its payload.
 * <pre>
 *            start                                   end          capacity
 *              v                                      v               v
 *  +-----------+--------+--------------+--------------+---------------+
 *  | consumed  | frame  | frame        | part of next | free: next    |
 *  |           | (next) | (after that) | frame        | recv goes here|
 *  +-----------+--------+--------------+--------------+---------------+
 * </pre>
 * When a frame is cut off by the end of the buffer, its bytes are moved to the front and the next recv appends to
 * them. The buffer starts at 64 KiB (or the maximum frame size plus overhead, if smaller) and grows, only as bytes
 * actually arrive, up to what the largest frame needs: a length field announcing more than the maximum is refused
 * before anything is read or allocated for it.
 * <p>
 * Not thread-safe: one thread reads frames. The steady state allocates nothing ({@link #nextBytes} excepted).
 */
public final class FrameReader implements AutoCloseable {
    private static final int INITIAL = 64 * 1024;
    /** Below this much free room at the end, the buffered tail is moved to the front before a recv. */
    private static final int MIN_ROOM = 4096;

    private final Socket socket;
    private final FrameFormat format;
    private final Frame frame = new Frame();
    private final long limit;
    private Arena arena;
    private MemorySegment buf;
    private long capacity;
    private long start;
    private long end;
    private long reads;
    private SocketException broken;
    private boolean closed;

    /** A reader of frames in {@code format} from {@code socket}. */
    public FrameReader(Socket socket, FrameFormat format) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.format = Objects.requireNonNull(format, "format");
        long whole = (long) format.maxFrameSize() + format.overhead();
        this.capacity = Math.max(Math.min(INITIAL, whole), 16);
        this.limit = Math.max(whole, capacity);
        this.arena = Arena.ofShared();
        this.buf = arena.allocate(capacity, 64);
    }

    /** The format frames are read in. */
    public FrameFormat format() {
        return format;
    }

    /** The next frame, waiting for it as long as it takes; see {@link #next(long)}. */
    public Frame next() throws SocketException {
        return next(-1);
    }

    /**
     * The next frame: decoded from the buffer if it holds one whole, else after as many reads as it takes, each
     * waiting at most {@code timeoutMs} (-1: forever). The returned flyweight is valid until the next call.
     *
     * @return the frame, or {@code null} when the peer closed the connection between two frames
     * @throws SocketException {@code SOCKET-RECV-ERROR} for a frame above the maximum size or a negative length
     *                         (the reader stays broken after that: the stream has lost its framing);
     *                         {@code SOCKET-CLOSED} when the peer closed in the middle of a frame (the bytes of it
     *                         that did arrive are in {@link SocketException#partialData()});
     *                         {@code SOCKET-TIMEOUT} when a wait timed out (nothing is lost: call again)
     */
    public Frame next(long timeoutMs) throws SocketException {
        if (broken != null) {
            throw broken;
        }
        if (closed) {
            throw new IllegalStateException("the FrameReader is closed");
        }
        for (;;) {
            if (end > start) {
                long n;
                try {
                    n = format.decode(buf, start, end, frame);
                } catch (SocketException e) {
                    broken = e;
                    throw e;
                }
                if (n > 0) {
                    start += n;
                    if (start == end) {
                        start = end = 0; // the bytes stay where they are until the next recv
                    }
                    return frame;
                }
            }
            makeRoom();
            long r = socket.read(buf, end, capacity - end, timeoutMs);
            reads++;
            if (r < 0) {
                if (start == end) {
                    return null;
                }
                byte[] partial = buf.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
                start = end = 0;
                throw new SocketException(SocketError.CLOSED, "FrameReader::next", "the peer closed the connection"
                        + " in the middle of a frame; the " + partial.length + " bytes of it that arrived are in"
                        + " partialData()", 0, null, partial);
            }
            end += r;
        }
    }

    /** The next frame's payload as a new array (the {@code byte[]} convenience), or {@code null} at end of stream. */
    public byte[] nextBytes() throws SocketException {
        Frame f = next();
        return f == null ? null : f.toArray();
    }

    /** {@link #nextBytes()} with a timeout per wait. */
    public byte[] nextBytes(long timeoutMs) throws SocketException {
        Frame f = next(timeoutMs);
        return f == null ? null : f.toArray();
    }

    /** Bytes received and not yet handed out as frames. */
    public long buffered() {
        return end - start;
    }

    /** Reads from the socket so far: with small frames arriving together, far fewer than frames. */
    public long reads() {
        return reads;
    }

    /** The buffer's current size; it grows only as bytes arrive, up to the maximum frame size plus overhead. */
    public long capacity() {
        return capacity;
    }

    /** Frees the buffer. The socket stays open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private void makeRoom() {
        if (capacity - end >= MIN_ROOM || (capacity - end > 0 && start == 0)) {
            return;
        }
        long used = end - start;
        if (start > 0) {
            MemorySegment.copy(buf, start, buf, 0, used);
            start = 0;
            end = used;
            if (capacity - end > 0) {
                return;
            }
        }
        // full of one incomplete frame that the decoder allows: grow, never beyond what the largest frame needs
        long cap = Math.min(Math.max(capacity * 2, 16), limit);
        if (cap <= capacity) {
            throw new IllegalStateException("frame buffer full at its limit of " + limit + " bytes");
        }
        Arena a = Arena.ofShared();
        MemorySegment nb = a.allocate(cap, 64);
        MemorySegment.copy(buf, 0, nb, 0, used);
        arena.close();
        arena = a;
        buf = nb;
        capacity = cap;
    }
}
