package io.ffsock.bench.contenders;

import java.io.IOException;

/**
 * One contender's client, connected to the C peer's echo and sink services, for one message size.
 * <ul>
 *   <li>{@link #roundTrip()}: send {@code size} bytes to the echo service and read them back.</li>
 *   <li>{@link #stream(int)}: to the sink, an 8-byte big-endian byte count, then {@code count} frames of a 4-byte
 *       big-endian length and {@code size} bytes, then wait for the sink's one-byte acknowledgement, which it sends
 *       once every byte has arrived. How the frames are written is the contender's own: one write per frame,
 *       or coalesced.</li>
 * </ul>
 * The timed variants return elapsed nanoseconds; the C contender measures them in its own process.
 */
public abstract class Client implements AutoCloseable {
    /** The message (payload) size. */
    protected final int size;

    protected Client(int size) {
        this.size = size;
    }

    /** One round trip of {@code size} bytes. */
    public abstract void roundTrip() throws IOException;

    /** {@code count} frames into the sink, and its acknowledgement. */
    public abstract void stream(int count) throws IOException;

    /** {@code count} round trips; the elapsed nanoseconds. */
    public long timedRoundTrips(int count) throws IOException {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            roundTrip();
        }
        return System.nanoTime() - t0;
    }

    /** {@link #stream(int)}, timed in nanoseconds. */
    public long timedStream(int count) throws IOException {
        long t0 = System.nanoTime();
        stream(count);
        return System.nanoTime() - t0;
    }

    /**
     * {@code count} non-blocking {@code recv(2)} calls on the idle echo connection, each returning EAGAIN: the cost
     * of one call through this contender's binding. Only ffsock, the JNI twin and C implement it.
     */
    public long timedEagain(int count) throws IOException {
        throw new UnsupportedOperationException("no EAGAIN benchmark for " + getClass().getSimpleName());
    }

    /** Whether this contender runs in this JVM, so that its allocations can be counted. */
    public boolean inJvm() {
        return true;
    }

    /** The 8-byte big-endian header of a sink batch of {@code count} frames. */
    protected long streamBytes(int count) {
        return (long) count * (size + 4);
    }

    /** Fills {@code frame} (size + 4 bytes) with a frame: the length, big-endian, then 'x's. */
    protected static byte[] frameBytes(int size) {
        byte[] b = new byte[size + 4];
        b[0] = (byte) (size >>> 24);
        b[1] = (byte) (size >>> 16);
        b[2] = (byte) (size >>> 8);
        b[3] = (byte) size;
        java.util.Arrays.fill(b, 4, b.length, (byte) 'x');
        return b;
    }

    @Override
    public abstract void close() throws IOException;
}
