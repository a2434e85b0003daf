package io.ffsock.frame;

import io.ffsock.Socket;
import io.ffsock.SocketException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * Writes frames to a {@link Socket}, coalescing them: frames are encoded into one native buffer, and the buffer
 * leaves in a single {@code send(2)} when it is {@linkplain #flush() flushed} explicitly, when the next frame would
 * not fit (the size bound), or when a write finds the oldest buffered frame older than the time bound.
 * <pre>
 *   write(a)  write(b)  write(c)       flush()
 *      |         |         |              |
 *      v         v         v              v
 *  +--------+---------+--------+------    send(2) once: [hdr a|a|hdr b|b|hdr c|c]
 *  |hdr| a  |hdr|  b  |hdr| c  | free     instead of three sends, or six
 *  +--------+---------+--------+------
 *  |&lt;------------- buffer (size bound) --------------&gt;|
 * </pre>
 * Why no {@code TCP_CORK}, {@code MSG_MORE} or {@code writev}: they exist to let the kernel join pieces that
 * user space hands over separately. Here the pieces are joined in user space, where it costs one {@code memcpy}
 * per small frame, instead of a system call per piece; a frame larger than the buffer leaves as one full buffer
 * (its header and the first part of its payload) followed by the rest sent straight from the caller's memory, so no
 * segment smaller than the buffer ever goes out alone and there is nothing left for corking to merge.
 * <p>
 * The time bound is checked when a frame is written; there is no timer thread. A writer that stops writing must
 * {@link #flush()} (or {@link #close()}) to send what it holds, and an event loop can call {@link #flushIfDue()}.
 * <p>
 * Not thread-safe: one thread writes frames. The steady state allocates nothing.
 */
public final class FrameWriter implements AutoCloseable {
    /** The buffer size (and so the size bound) of the constructors that do not take one: 64 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    private final Socket socket;
    private final FrameFormat format;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final long capacity;
    /** Negative: no time bound. */
    private final long maxDelayNanos;
    private long pos;
    private long firstAt;
    private long frames;
    private long sends;
    private boolean closed;

    /** A writer with a 64 KiB buffer and no time bound: frames leave when the buffer fills or on {@link #flush()}. */
    public FrameWriter(Socket socket, FrameFormat format) {
        this(socket, format, DEFAULT_BUFFER_SIZE, null);
    }

    /**
     * A writer with the given bounds.
     *
     * @param bufferSize the size bound in bytes (at least 16, and at least the format's overhead plus one byte)
     * @param maxDelay   the time bound: buffered frames leave with the first write that finds the oldest of them at
     *                   least this old; {@link Duration#ZERO} sends every frame at once, {@code null} means no
     *                   time bound
     */
    public FrameWriter(Socket socket, FrameFormat format, int bufferSize, Duration maxDelay) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.format = Objects.requireNonNull(format, "format");
        if (bufferSize < Math.max(16, format.overhead() + 1)) {
            throw new IllegalArgumentException("bufferSize too small: " + bufferSize);
        }
        this.capacity = bufferSize;
        this.buf = arena.allocate(bufferSize, 64);
        this.maxDelayNanos = maxDelay == null ? -1 : Math.max(0, maxDelay.toNanos());
    }

    /** The format frames are written in. */
    public FrameFormat format() {
        return format;
    }

    /** Writes a frame carrying all of {@code payload}. */
    public void write(MemorySegment payload) throws SocketException {
        write(payload, 0, payload.byteSize());
    }

    /** Writes a frame carrying {@code payload[offset, offset+length)}; nothing is sent until a bound is reached. */
    public void write(MemorySegment payload, long offset, long length) throws SocketException {
        Objects.checkFromIndexSize(offset, length, payload.byteSize());
        ensureOpen();
        long need = length + format.overhead();
        if (need > capacity - pos) {
            sendBuffer();
            if (need > capacity) {
                writeLarge(payload, offset, length);
                return;
            }
        }
        if (pos == 0 && maxDelayNanos > 0) {
            firstAt = System.nanoTime();
        }
        pos += format.encode(buf, pos, payload, offset, length);
        frames++;
        if (pos == capacity || maxDelayNanos == 0
                || (maxDelayNanos > 0 && System.nanoTime() - firstAt >= maxDelayNanos)) {
            sendBuffer();
        }
    }

    /** Writes a frame carrying all of {@code payload} (the {@code byte[]} convenience). */
    public void write(byte[] payload) throws SocketException {
        write(payload, 0, payload.length);
    }

    /** Writes a frame carrying {@code payload[offset, offset+length)}. */
    public void write(byte[] payload, int offset, int length) throws SocketException {
        Objects.checkFromIndexSize(offset, length, payload.length);
        write(MemorySegment.ofArray(payload), offset, length);
    }

    /** Sends every buffered frame now. */
    public void flush() throws SocketException {
        ensureOpen();
        sendBuffer();
    }

    /** Sends the buffered frames if the oldest has waited the time bound; for callers that poll a clock anyway. */
    public void flushIfDue() throws SocketException {
        if (pos > 0 && maxDelayNanos >= 0 && System.nanoTime() - firstAt >= maxDelayNanos) {
            flush();
        }
    }

    /** Bytes encoded but not yet sent. */
    public long buffered() {
        return pos;
    }

    /** Frames written so far. */
    public long framesWritten() {
        return frames;
    }

    /** Calls of {@link Socket#write(MemorySegment, long, long)} so far: with small frames, far fewer than frames written. */
    public long sends() {
        return sends;
    }

    /** Flushes, then frees the buffer. The socket stays open. */
    @Override
    public void close() throws SocketException {
        if (closed) {
            return;
        }
        try {
            sendBuffer();
        } finally {
            closed = true;
            arena.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the FrameWriter is closed");
        }
    }

    private void sendBuffer() throws SocketException {
        if (pos > 0) {
            long n = pos;
            pos = 0; // a failed send leaves nothing half-buffered: the socket is closed after a send error anyway
            sends++;
            socket.write(buf, 0, n);
        }
    }

    /** A frame larger than the buffer: one full buffer (header and payload head), then the rest straight. */
    private void writeLarge(MemorySegment payload, long offset, long length) throws SocketException {
        format.checkPayload(payload, offset, length);
        int h = format.headerSize();
        format.writeHeader(buf, 0, length);
        long head = capacity - h;
        MemorySegment.copy(payload, offset, buf, h, head);
        sends++;
        socket.write(buf);
        sends++;
        socket.write(payload, offset + head, length - head);
        frames++;
        int t = format.overhead() - h;
        if (t > 0) {
            // the delimiter waits in the buffer and leaves with the next frames, so it never goes out alone
            format.writeTrailer(buf, 0);
            pos = t;
            firstAt = System.nanoTime();
            if (maxDelayNanos == 0) {
                sendBuffer();
            }
        }
    }
}
