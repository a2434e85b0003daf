package io.ffsock.loop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * An {@link SSLEngine} between a socket's plain-text queues and its descriptor, driven by the loop thread.
 * <pre>
 *   recv --> netIn --unwrap--> plain-text read queue  (TcpSocket.in)
 *   send <-- netOut <--wrap--- plain-text write queue (TcpSocket.out), through appOut
 * </pre>
 * The engine's delegated tasks (certificate checks) run on the loop thread: a handshake costs the loop that time,
 * which keeps the state machine on one thread. Buffers are heap buffers sized from the engine's session and kept
 * for the life of the connection.
 */
final class TlsSession {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final Runnable release;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private final ByteBuffer appOut;
    private ByteBuffer netOut;
    private boolean handshakeDone;
    private boolean peerClosed;
    private boolean released;

    /** A session over {@code engine}; {@code release} gives the engine back when the connection ends. */
    TlsSession(SSLEngine engine, Runnable release) {
        this.engine = engine;
        this.release = release;
        int packet = engine.getSession().getPacketBufferSize();
        int app = engine.getSession().getApplicationBufferSize();
        netIn = ByteBuffer.allocate(packet);
        appIn = ByteBuffer.allocate(app);
        appOut = ByteBuffer.allocate(Math.min(app, 16 * 1024));
        netOut = ByteBuffer.allocate(packet);
    }

    /** Gives the engine back (once); the session is not used afterwards. */
    void release() {
        if (!released) {
            released = true;
            release.run();
        }
    }

    void begin() throws SSLException {
        engine.beginHandshake();
    }

    boolean handshaking() {
        return !handshakeDone;
    }

    boolean peerClosed() {
        return peerClosed;
    }

    SSLEngine engine() {
        return engine;
    }

    /** Appends {@code n} bytes of {@code src} (received cipher text) to the input buffer. */
    void feed(MemorySegment src, int n) {
        if (netIn.remaining() < n) {
            ByteBuffer b = ByteBuffer.allocate(Math.max(netIn.capacity() * 2, netIn.position() + n));
            netIn.flip();
            b.put(netIn);
            netIn = b;
        }
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, netIn.array(), netIn.arrayOffset() + netIn.position(), n);
        netIn.position(netIn.position() + n);
    }

    /**
     * Decrypts what it can into {@code in} (caller holds its lock); handshake messages are consumed on the way.
     * Stops at a partial record, at close_notify, or when the engine has something to send first (the flush that
     * follows comes back here through {@link #unwrapBuffered}). Returns the cipher bytes consumed.
     */
    int unwrap(ByteQueue in) throws SSLException {
        netIn.flip();
        int consumed = 0;
        try {
            for (;;) {
                if (!netIn.hasRemaining()) {
                    return consumed;
                }
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                consumed += r.bytesConsumed();
                if (appIn.position() > 0) {
                    appIn.flip();
                    in.append(appIn);
                    appIn.clear();
                }
                handshakeStatus(r.getHandshakeStatus());
                switch (r.getStatus()) {
                    case OK -> {
                        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                            return consumed; // the flush that follows every read wraps the answer
                        }
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                            return consumed;
                        }
                    }
                    case BUFFER_UNDERFLOW -> {
                        return consumed; // a partial record: wait for more
                    }
                    case BUFFER_OVERFLOW -> appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2,
                            engine.getSession().getApplicationBufferSize()));
                    case CLOSED -> {
                        peerClosed = true;
                        return consumed;
                    }
                }
            }
        } finally {
            netIn.compact();
        }
    }

    /**
     * Unwraps input that arrived while the engine was busy sending (it stopped {@link #unwrap} to wrap first); no new
     * edge will announce those bytes. Returns whether anything was consumed.
     */
    boolean unwrapBuffered(ByteQueue in) throws SSLException {
        if (netIn.position() == 0 || peerClosed
                || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            return false;
        }
        return unwrap(in) > 0;
    }

    private void handshakeStatus(SSLEngineResult.HandshakeStatus hs) {
        if (hs == SSLEngineResult.HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                handshakeDone = true;
            }
        }
    }

    /**
     * Produces what the engine has to send of its own (handshake messages, or after the handshake a key update or
     * session ticket answer); returns whether it produced anything or finished the handshake.
     */
    boolean wrapPending() throws SSLException {
        SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            handshakeStatus(hs);
            hs = engine.getHandshakeStatus();
        }
        if (hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && !handshakeDone) {
            handshakeDone = true;
            return true;
        }
        if (hs != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            return false;
        }
        boolean was = handshakeDone;
        for (;;) {
            SSLEngineResult r = engine.wrap(EMPTY, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                growNetOut();
                continue;
            }
            handshakeStatus(r.getHandshakeStatus());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("the TLS engine closed during the handshake");
            }
            return r.bytesProduced() > 0 || handshakeDone != was;
        }
    }

    /** Encrypts up to one record of {@code out} (caller holds its lock); returns the plain-text bytes consumed. */
    int wrap(ByteQueue out) throws SSLException {
        if (out.isEmpty()) {
            return 0;
        }
        appOut.clear();
        int n = out.peekInto(appOut.array(), appOut.arrayOffset(), appOut.capacity());
        appOut.limit(n);
        for (;;) {
            SSLEngineResult r = engine.wrap(appOut, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                growNetOut();
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("the TLS engine is closed");
            }
            handshakeStatus(r.getHandshakeStatus());
            out.skip(r.bytesConsumed());
            return r.bytesConsumed();
        }
    }

    /** Queues close_notify. */
    void closeOutbound() throws SSLException {
        engine.closeOutbound();
        for (;;) {
            SSLEngineResult r = engine.wrap(EMPTY, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                growNetOut();
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || r.bytesProduced() == 0) {
                return;
            }
        }
    }

    private void growNetOut() {
        ByteBuffer b = ByteBuffer.allocate(netOut.capacity() * 2);
        netOut.flip();
        b.put(netOut);
        netOut = b;
    }

    /** Cipher text waiting to be sent. */
    int netPending() {
        return netOut.position();
    }

    /** Copies up to {@code max} pending cipher bytes to {@code dst} at 0; returns the count. */
    int netPeekInto(MemorySegment dst, int max) {
        int n = Math.min(max, netOut.position());
        MemorySegment.copy(netOut.array(), netOut.arrayOffset(), dst, ValueLayout.JAVA_BYTE, 0, n);
        return n;
    }

    /** Drops the first {@code n} pending cipher bytes (they were sent). */
    void netSkip(int n) {
        netOut.flip();
        netOut.position(n);
        netOut.compact();
    }

    long memory() {
        return (long) netIn.capacity() + appIn.capacity() + appOut.capacity() + netOut.capacity();
    }
}
