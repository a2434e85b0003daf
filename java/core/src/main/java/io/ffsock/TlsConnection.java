package io.ffsock;

import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SocketFd;
import io.ffsock.tls.CipherNames;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The TLS session of one connection: its {@link SSLEngine} and the native buffers ciphertext moves through, between
 * the socket's {@link Receiver} / {@link Sender} and the descriptor.
 * <p>
 * <b>Reading</b> (under the receiver's lock): ciphertext is received into {@code netIn}, a direct buffer over native
 * memory, and unwrapped either straight into the caller's native memory (the hot path, when it has room for a
 * whole record) or into the socket's read buffer. <b>Writing</b> (under the sender's lock): plaintext is wrapped
 * into {@code netOut}, also native, which is sent. So an engine that works on native addresses (OpenSSL) never
 * copies a record through the Java heap. Ciphertext not yet sent when a send times out stays in {@code netOut} and
 * goes first on the next send; ciphertext received but not yet unwrapped stays in {@code netIn}.
 * <p>
 * The engine's post-handshake messages (a TLS 1.3 session ticket, a key update) are handled where they arrive; a
 * reply the reader must send is sent under the sender's lock, taken after the receiver's, the order the handshake
 * takes them in too.
 * <p>
 * The native memory and the engine are given back by {@link #close()}, which the descriptor calls when its last
 * call in flight has left (or the socket, when a TLS upgrade fails or {@code shutdownSSL} ends the session).
 */
final class TlsConnection implements AutoCloseable {
    /** Outcome of a fill: end of stream. */
    static final long EOF = -1;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final TlsSettings.Ctx ctx;
    final SSLEngine engine;
    final boolean client;
    /** The name the peer's certificate is verified for, or null. */
    final String verifyHost;
    private final ReentrantLock senderLock;
    private final Arena arena = Arena.ofShared();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean preferDirect;
    private final int appSize;
    private final int packetSize;

    // read side, guarded by the receiver's lock; netIn is in read mode: [position, limit) is unread ciphertext
    private final MemorySegment inSeg;
    private final ByteBuffer netIn;
    /** Plaintext staging for engines that want native memory, when unwrapping for the heap read buffer. */
    private ByteBuffer appIn;
    private boolean inboundDone;
    /** Set while {@link #handshake} runs: it does the engine's tasks and replies itself. */
    private boolean handshaking;
    /** One unwrap call is due even with no ciphertext buffered (see unwrapBuffered). */
    private boolean kick;

    // write side, guarded by the sender's lock; netOut is in read mode: [position, limit) is ciphertext to send
    private final MemorySegment outSeg;
    private final ByteBuffer netOut;
    private MemorySegment appOutSeg;

    private volatile String cipher;
    private volatile String protocol;
    private volatile X509Certificate[] peerChain;
    private volatile TlsTrust.Result verifyResult;

    private TlsConnection(TlsSettings.Ctx ctx, SSLEngine engine, boolean client, String verifyHost,
                          ReentrantLock senderLock) {
        this.ctx = ctx;
        this.engine = engine;
        this.client = client;
        this.verifyHost = verifyHost;
        this.senderLock = senderLock;
        this.preferDirect = ctx.context().prefersDirectBuffers();
        SSLSession s = engine.getSession();
        // room for one record's plaintext: an engine may want the record's whole payload (Netty's does)
        this.appSize = Math.max(s.getApplicationBufferSize(), s.getPacketBufferSize());
        this.packetSize = s.getPacketBufferSize();
        int cap = 4 * packetSize;
        inSeg = arena.allocate(cap);
        netIn = inSeg.asByteBuffer();
        netIn.limit(0);
        outSeg = arena.allocate(cap);
        netOut = outSeg.asByteBuffer();
        netOut.limit(0);
    }

    /**
     * A session over a new engine from {@code ctx}.
     *
     * @param peerHost the name to verify and send as SNI (client), or null
     */
    static TlsConnection open(String m, TlsSettings.Ctx ctx, String peerHost, int peerPort, ReentrantLock senderLock)
            throws SocketException {
        SSLEngine e;
        try {
            e = ctx.context().newEngine(peerHost, peerPort);
        } catch (RuntimeException x) {
            throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the " + ctx.provider().name()
                    + " TLS engine could not start a session: " + x.getMessage()));
        }
        boolean client = !ctx.server();
        try {
            if (client && peerHost != null && !TlsTrust.isIpLiteral(peerHost)) {
                SSLParameters p = e.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(peerHost)));
                e.setSSLParameters(p);
            }
        } catch (RuntimeException x) {
            ctx.context().release(e);
            throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "cannot send the server name '"
                    + peerHost + "' (SNI): " + x.getMessage()));
        }
        return new TlsConnection(ctx, e, client, client ? peerHost : null, senderLock);
    }

    /** Gives back the engine and the native buffers; idempotent. Only when no call is using them. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                ctx.context().release(engine);
            } finally {
                arena.close();
            }
        }
    }

    /** The room a destination needs for one record's plaintext. */
    int recordRoom() {
        return appSize;
    }

    /** Ciphertext read off the socket before TLS started (STARTTLS after a read-ahead); caller holds both locks. */
    void preload(byte[] early) throws SocketException {
        if (early.length > netIn.capacity()) {
            throw new SocketException(SocketError.SSL_ERROR, "Socket::upgrade", "more than " + netIn.capacity()
                    + " bytes were buffered before the TLS upgrade; they cannot be a TLS handshake");
        }
        netIn.clear();
        netIn.put(early).flip();
    }

    boolean isClosed() {
        return closed.get();
    }

    String engineName() {
        return ctx.provider().name();
    }

    // =========================================================================================================
    // handshake
    // =========================================================================================================

    /**
     * Runs the handshake to its end; the caller holds both the receiver's and the sender's lock. Application data
     * the peer sends right behind its last handshake message lands in {@code buf}.
     */
    void handshake(SocketFd f, String m, ReadBuffer buf, long timeoutMs) throws SocketException {
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            throw failure(f, m, "the TLS handshake could not start", e);
        }
        int timeout = Socket.timeoutInt(timeoutMs);
        handshaking = true;
        TlsTrust.LAST_FAILURE.remove();
        try {
            handshakeLoop(f, m, buf, timeoutMs, timeout);
        } finally {
            handshaking = false;
            TlsTrust.LAST_FAILURE.remove();
        }
    }

    /**
     * The engine gave up on the handshake (it has closed itself, usually after queuing an alert): sends the alert
     * if the socket takes it, and finds the reason, from the trust manager's report, from the engine's exception,
     * or {@code fallback}.
     */
    private SocketException aborted(SocketFd f, String m, String fallback) {
        TlsTrust.Result v = TlsTrust.LAST_FAILURE.get();
        SSLException cause = null;
        try {
            ByteBuffer sink = ByteBuffer.allocateDirect(appSize);
            engine.unwrap(EMPTY, sink);
            engine.wrap(EMPTY, sink);
        } catch (SSLException e) {
            cause = e;
        } catch (RuntimeException e) {
            // nothing more to learn
        }
        sendAlertQuietly(f);
        String reason = v != null ? "certificate verification failed: " + v.describe()
                : cause != null ? reason(cause) : fallback;
        SocketException x = new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the TLS handshake "
                + "failed (" + engineName() + " engine): " + reason));
        if (cause != null) {
            x.initCause(cause);
        }
        return x;
    }

    private void handshakeLoop(SocketFd f, String m, ReadBuffer buf, long timeoutMs, int timeout)
            throws SocketException {
        boolean wrapped = false;
        for (;;) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK -> {
                    runTasks();
                    wrapped = true; // the task's result, too, is acted on by the engine's next call
                }
                case NEED_WRAP -> {
                    // flights go out whole, in one send: a record per send would meet Nagle and delayed ACKs
                    if (netOut.capacity() - netOut.limit() < packetSize) {
                        flush(f, m, timeoutMs, " during the TLS handshake");
                    }
                    if (wrapControl(f, m) == SSLEngineResult.Status.CLOSED || engine.isOutboundDone()) {
                        throw aborted(f, m, "the engine closed the session and sent the peer an alert");
                    }
                    wrapped = true;
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    // after a wrap or a task, one unwrap call even with nothing to read: an engine that queued an
                    // alert or finished a task (Netty's OpenSSL engine) acts on it only when called again
                    kick = wrapped;
                    wrapped = false;
                    long r = unwrapBuffered(f, m, buf, null);
                    if (r == EOF) {
                        throw aborted(f, m, "the peer ended the TLS session (close_notify) during the handshake");
                    }
                    if (r == 0 && engine.getHandshakeStatus() == hs) {
                        // our flight goes out only now that we must wait for the peer's: so a reply the buffered
                        // records call for joins it, rather than follow in a small send Nagle would hold back
                        flush(f, m, timeoutMs, " during the TLS handshake");
                        long n = receive(f);
                        if (n == 0) {
                            throw aborted(f, m, "the peer closed the connection during the TLS handshake (a "
                                    + "plain TCP peer does this, and so does one that rejected our certificate or"
                                    + " protocol)");
                        }
                        if (n < 0 && (n != -Errno.EAGAIN || f.isClosed())) {
                            if (f.isClosed()) {
                                throw Errors.closedLocally(m, null);
                            }
                            String e = Errno.strerror((int) -n);
                            throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the connection "
                                    + "failed during the TLS handshake: " + e), (int) -n, e, null);
                        }
                        if (n < 0) {
                            waitReadable(f, m, timeout, timeoutMs, " during the TLS handshake", null);
                        }
                    }
                }
                default -> {
                    // FINISHED / NOT_HANDSHAKING
                    flush(f, m, timeoutMs, " during the TLS handshake");
                    established();
                    return;
                }
            }
        }
    }

    private void established() {
        SSLSession s = engine.getSession();
        cipher = CipherNames.toOpenSsl(s.getCipherSuite());
        protocol = s.getProtocol();
        try {
            Certificate[] certs = s.getPeerCertificates();
            X509Certificate[] chain = new X509Certificate[certs.length];
            for (int i = 0; i < certs.length; i++) {
                chain[i] = (X509Certificate) certs[i];
            }
            peerChain = chain;
        } catch (SSLPeerUnverifiedException e) {
            peerChain = null;
        }
    }

    private void runTasks() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }

    String cipherName() {
        return cipher;
    }

    String cipherVersion() {
        return protocol;
    }

    X509Certificate[] peerCertificates() {
        X509Certificate[] c = peerChain;
        return c == null ? null : c.clone();
    }

    /** The X509 verification result of the peer's certificate, or null when it sent none (a client, usually). */
    TlsTrust.Result verification() {
        TlsTrust.Result r = verifyResult;
        if (r == null) {
            X509Certificate[] chain = peerChain;
            if (chain == null || chain.length == 0) {
                return null;
            }
            r = ctx.trust().verify(chain, client ? verifyHost : null, client);
            verifyResult = r;
        }
        return r;
    }

    // =========================================================================================================
    // reading
    // =========================================================================================================

    /**
     * Receives plaintext, waiting up to {@code timeoutMs} per wait: into {@code direct} when given (the caller's
     * native memory, with room for a whole record), else into {@code buf}. Returns the byte count, or
     * {@link #EOF} when the peer ended the session (close_notify) or closed the connection.
     */
    long fill(SocketFd f, String m, ReadBuffer buf, ByteBuffer direct, long timeoutMs, String timeoutDetail,
              Consumer<SocketFd> closeIfCurrent) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        for (;;) {
            long r = unwrapBuffered(f, m, buf, direct);
            if (r != 0) {
                return r;
            }
            long n = receive(f);
            if (n > 0) {
                continue;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, partial(buf, direct));
            }
            if (n == 0) {
                return EOF;
            }
            if (n != -Errno.EAGAIN) {
                closeIfCurrent.accept(f);
                byte[] p = partial(buf, direct);
                throw n == -Errno.ECONNRESET ? Errors.peerClosed(m, Errno.ECONNRESET, p)
                        : Errors.recvError(m, (int) -n, p);
            }
            waitReadable(f, m, timeout, timeoutMs, timeoutDetail, buf);
        }
    }

    /**
     * Whatever plaintext can be had without waiting: unwraps what was received and receives once more. Returns the
     * count (&gt; 0), 0 when nothing is there now, or {@link #EOF}.
     */
    long fillNow(SocketFd f, String m, ReadBuffer buf, Consumer<SocketFd> closeIfCurrent) throws SocketException {
        for (int round = 0; round < 2; round++) {
            long r = unwrapBuffered(f, m, buf, null);
            if (r != 0) {
                return r;
            }
            long n = receive(f);
            if (n == 0) {
                return EOF;
            }
            if (n < 0) {
                if (n == -Errno.EAGAIN || f.isClosed()) {
                    return 0;
                }
                closeIfCurrent.accept(f);
                byte[] p = buf.takeAll();
                throw n == -Errno.ECONNRESET ? Errors.peerClosed(m, Errno.ECONNRESET, p)
                        : Errors.recvError(m, (int) -n, p);
            }
        }
        return unwrapBuffered(f, m, buf, null);
    }

    /** Whether unread ciphertext or staged plaintext is waiting (a read might succeed without the kernel). */
    boolean hasBuffered() {
        return netIn.hasRemaining();
    }

    private static byte[] partial(ReadBuffer buf, ByteBuffer direct) {
        return direct == null && buf != null ? buf.takeAll() : null;
    }

    private void waitReadable(SocketFd f, String m, int timeout, long timeoutMs, String detail,
                              ReadBuffer buf) throws SocketException {
        int ev = f.poll(f.read, Net.POLLIN, timeout);
        if (f.isClosed()) {
            throw Errors.closedLocally(m, buf == null ? null : buf.takeAll());
        }
        if (ev == 0) {
            throw Errors.timeout(m, timeoutMs, detail);
        }
        if (ev < 0) {
            throw Errors.recvError(m, -ev, buf == null ? null : buf.takeAll());
        }
    }

    /** recv(2) more ciphertext into netIn: the count, 0 at end of stream, or -errno. */
    private long receive(SocketFd f) {
        if (netIn.position() > 0) {
            netIn.compact().flip();
        }
        int end = netIn.limit();
        int room = netIn.capacity() - end;
        if (room == 0) {
            return -Errno.EAGAIN; // cannot happen: a record always fits; unwrap reports what is wrong
        }
        long n = f.recv(inSeg.asSlice(end, room), room, 0);
        if (n > 0) {
            netIn.limit(end + (int) n);
        }
        return n;
    }

    /**
     * Unwraps the ciphertext already received. Returns the plaintext count (&gt; 0), 0 when a whole record is not
     * there yet (or only non-application records were), or {@link #EOF} after the peer's close_notify.
     */
    private long unwrapBuffered(SocketFd f, String m, ReadBuffer buf, ByteBuffer direct) throws SocketException {
        if (inboundDone) {
            if (netIn.hasRemaining()) {
                throw afterCloseNotify(f, m, netIn.remaining());
            }
            // anything arriving after close_notify breaks the protocol: look once, never wait
            if (netIn.position() > 0) {
                netIn.clear().limit(0);
            }
            long n = receive(f);
            if (n > 0) {
                throw afterCloseNotify(f, m, n);
            }
            return EOF;
        }
        long total = 0;
        while (netIn.hasRemaining() || kick) {
            kick = false;
            ByteBuffer dst;
            MemorySegment room = null;
            if (direct != null) {
                if (total > 0 && direct.remaining() < appSize) {
                    break;
                }
                dst = direct;
            } else if (preferDirect) {
                if (appIn == null) {
                    appIn = arena.allocate(appSize).asByteBuffer();
                }
                appIn.clear();
                dst = appIn;
            } else {
                room = buf.room(appSize);
                dst = room.asByteBuffer();
            }
            SSLEngineResult res;
            try {
                res = engine.unwrap(netIn, dst);
            } catch (SSLException e) {
                throw failure(f, m, handshaking ? "the TLS handshake failed" : "TLS error while receiving", e);
            }
            int produced = res.bytesProduced();
            // during the handshake, one more unwrap after the input ran out: an engine that advances its handshake
            // at the start of a call (Netty's OpenSSL engine) finishes only on the call after the one that fed it
            kick = handshaking && res.bytesConsumed() > 0 && !netIn.hasRemaining();
            if (produced > 0) {
                if (direct == null) {
                    if (room == null) {
                        appIn.flip();
                        MemorySegment into = buf.room(produced);
                        MemorySegment.copy(MemorySegment.ofBuffer(appIn), 0, into, 0, produced);
                    }
                    buf.filled(produced);
                }
                total += produced;
            }
            switch (res.getStatus()) {
                case OK -> {
                    if (!handshaking) {
                        settle(f, m, res.getHandshakeStatus());
                    }
                }
                case CLOSED -> {
                    inboundDone = true;
                    if (netIn.hasRemaining()) {
                        throw afterCloseNotify(f, m, netIn.remaining());
                    }
                    return total > 0 ? total : EOF;
                }
                case BUFFER_UNDERFLOW -> {
                    if (netIn.limit() > 0 && netIn.position() == 0 && netIn.limit() == netIn.capacity()) {
                        throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the peer sent a TLS "
                                + "record larger than " + netIn.capacity() + " bytes"));
                    }
                    return total;
                }
                case BUFFER_OVERFLOW -> throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m,
                        "the " + engineName() + " TLS engine needs more than " + dst.remaining()
                                + " bytes of room for one record"));
            }
            if (total > 0 && direct == null) {
                return total;
            }
            if (produced == 0 && res.bytesConsumed() == 0) {
                return total; // a handshake step is due, which the caller's loop does
            }
        }
        return total;
    }

    private SocketException afterCloseNotify(SocketFd f, String m, long n) {
        return new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the peer sent " + Errors.plural(n,
                "byte") + " after ending the TLS session with close_notify"));
    }

    /** Does what the engine asks for after a record outside the handshake: tasks, or a reply to send. */
    private void settle(SocketFd f, String m, SSLEngineResult.HandshakeStatus hs) throws SocketException {
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            boolean mine = senderLock.isHeldByCurrentThread();
            if (!mine) {
                senderLock.lock();
            }
            try {
                while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    wrapControl(f, m);
                }
                flush(f, m, -1, null);
            } finally {
                if (!mine) {
                    senderLock.unlock();
                }
            }
        }
    }

    // =========================================================================================================
    // writing
    // =========================================================================================================

    /** Wraps and sends all {@code len} bytes of {@code data}; the caller holds the sender's lock. */
    int send(SocketFd f, String m, MemorySegment data, long len, long timeoutMs, Consumer<SocketFd> closeIfCurrent)
            throws SocketException {
        try {
            flush(f, m, timeoutMs, null);
            long off = 0;
            while (off < len) {
                int chunk = (int) Math.min(len - off, netOut.capacity());
                ByteBuffer src;
                if (preferDirect && !data.isNative()) {
                    if (appOutSeg == null) {
                        appOutSeg = arena.allocate(netOut.capacity());
                    }
                    MemorySegment.copy(data, off, appOutSeg, 0, chunk);
                    src = appOutSeg.asSlice(0, chunk).asByteBuffer();
                } else {
                    src = data.asSlice(off, chunk).asByteBuffer();
                }
                netOut.compact();
                SSLException broken = null;
                SocketException refused = null;
                try {
                    while (src.hasRemaining() && netOut.remaining() >= packetSize) {
                        SSLEngineResult res = engine.wrap(src, netOut);
                        if (res.getStatus() == SSLEngineResult.Status.CLOSED) {
                            refused = new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the TLS session "
                                    + "is shut down (shutdownSSL() or the peer's close_notify); nothing more can be "
                                    + "sent on it"));
                            break;
                        }
                        if (res.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                            break;
                        }
                        if (res.bytesConsumed() == 0 && res.bytesProduced() == 0) {
                            if (res.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                                runTasks();
                                continue;
                            }
                            refused = new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "the peer "
                                    + "started a new TLS handshake (renegotiation), which ffsock does not support"));
                            break;
                        }
                    }
                } catch (SSLException e) {
                    broken = e;
                } finally {
                    netOut.flip();
                }
                if (broken != null) {
                    throw failure(f, m, "TLS error while sending", broken);
                }
                if (refused != null) {
                    throw refused;
                }
                off += src.position();
                flush(f, m, timeoutMs, off < len ? " (" + off + " of " + len + " bytes taken)" : null);
            }
            return 0;
        } catch (SocketException e) {
            if (e.error() == SocketError.SSL_ERROR && !f.isClosed()) {
                closeIfCurrent.accept(f);
            }
            throw e;
        }
    }

    /** Wraps one control message (handshake, alert, close_notify) into netOut; caller holds the sender's lock. */
    private SSLEngineResult.Status wrapControl(SocketFd f, String m) throws SocketException {
        netOut.compact();
        SSLEngineResult res;
        try {
            res = engine.wrap(EMPTY, netOut);
            if (res.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
            }
        } catch (SSLException e) {
            netOut.flip();
            throw failure(f, m, handshaking ? "the TLS handshake failed" : "TLS error", e);
        }
        netOut.flip();
        return res.getStatus();
    }

    /**
     * Sends all of netOut, waiting up to {@code timeoutMs} per wait; a timeout leaves the rest for the next send.
     * A send failure is a TLS failure (SOCKET-SSL-ERROR), as in Qore.
     */
    private void flush(SocketFd f, String m, long timeoutMs, String timeoutDetail) throws SocketException {
        int timeout = Socket.timeoutInt(timeoutMs);
        while (netOut.hasRemaining()) {
            int pos = netOut.position();
            int rem = netOut.remaining();
            long n = f.send(outSeg.asSlice(pos, rem), rem, 0);
            if (n > 0) {
                netOut.position(pos + (int) n);
                continue;
            }
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (n != -Errno.EAGAIN) {
                String s = Errno.strerror((int) -n);
                throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "error while sending TLS data: "
                        + s), (int) -n, s, null);
            }
            int ev = f.poll(f.write, Net.POLLOUT, timeout);
            if (f.isClosed()) {
                throw Errors.closedLocally(m, null);
            }
            if (ev == 0) {
                throw Errors.timeout(m, timeoutMs, timeoutDetail);
            }
            if (ev < 0) {
                String s = Errno.strerror(-ev);
                throw new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, "error while sending TLS data: "
                        + s), -ev, s, null);
            }
        }
    }

    /**
     * Ends the session: sends close_notify, waiting up to {@code timeoutMs} per wait. The caller holds both locks.
     */
    void shutdown(SocketFd f, String m, long timeoutMs) throws SocketException {
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            int before = netOut.remaining();
            wrapControl(f, m);
            if (netOut.remaining() == before) {
                break;
            }
        }
        flush(f, m, timeoutMs, " while sending close_notify");
    }

    /**
     * Best effort at close(): queues close_notify and sends what the socket takes at once, if no writer is busy.
     * Never waits and never throws.
     */
    void closeQuietly(SocketFd f) {
        if (closed.get() || !senderLock.tryLock()) {
            return;
        }
        try {
            if (!f.acquire()) {
                return;
            }
            try {
                engine.closeOutbound();
                netOut.compact();
                try {
                    engine.wrap(EMPTY, netOut);
                } finally {
                    netOut.flip();
                }
                while (netOut.hasRemaining()) {
                    int pos = netOut.position();
                    long n = f.send(outSeg.asSlice(pos, netOut.remaining()), netOut.remaining(), 0);
                    if (n <= 0) {
                        break;
                    }
                    netOut.position(pos + (int) n);
                }
            } catch (SSLException | RuntimeException e) {
                // the connection is going away; the peer sees the end of the stream either way
            } finally {
                f.release();
            }
        } finally {
            senderLock.unlock();
        }
    }

    /**
     * A TLS failure as SOCKET-SSL-ERROR, with the reason in words. The alert the engine has for the peer is sent
     * first if the socket takes it at once, so that the peer learns why too.
     */
    private SocketException failure(SocketFd f, String m, String what, SSLException e) {
        sendAlertQuietly(f);
        TlsTrust.VerifyException v = find(e, TlsTrust.VerifyException.class);
        TlsTrust.Result last = TlsTrust.LAST_FAILURE.get();
        String reason = v != null ? v.getMessage()
                : last != null ? "certificate verification failed: " + last.describe() : reason(e);
        SocketException x = new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, what + " ("
                + engineName() + " engine): " + reason));
        x.initCause(e);
        return x;
    }

    private void sendAlertQuietly(SocketFd f) {
        boolean mine = senderLock.isHeldByCurrentThread();
        if (!mine && !senderLock.tryLock()) {
            return;
        }
        try {
            netOut.compact();
            try {
                engine.wrap(EMPTY, netOut);
            } catch (SSLException | RuntimeException e) {
                // no alert to send
            } finally {
                netOut.flip();
            }
            while (netOut.hasRemaining() && !f.isClosed()) {
                int pos = netOut.position();
                long n = f.send(outSeg.asSlice(pos, netOut.remaining()), netOut.remaining(), 0);
                if (n <= 0) {
                    break;
                }
                netOut.position(pos + (int) n);
            }
            netOut.clear().limit(0);
        } finally {
            if (!mine) {
                senderLock.unlock();
            }
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The exception's message and its causes' messages that add something. */
    static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String msg = t.getMessage();
            if (msg == null || msg.isBlank() || sb.indexOf(msg) >= 0) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(": ");
            }
            sb.append(msg);
        }
        return sb.isEmpty() ? e.toString() : sb.toString();
    }
}
