package io.ffsock;

import io.ffsock.http.ChunkedBodyDecoder;
import io.ffsock.http.HttpChunkedBody;
import io.ffsock.http.HttpException;
import io.ffsock.http.HttpHeader;
import io.ffsock.http.HttpHeaderScanner;
import io.ffsock.http.HttpParser;
import io.ffsock.http.HttpWriter;
import io.ffsock.internal.sys.SocketFd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP methods of a {@link Socket}: writing messages with {@link HttpWriter}, and reading headers and bodies
 * with {@link HttpHeaderScanner}, {@link HttpParser} and {@link ChunkedBodyDecoder} over the socket's read buffer.
 * <p>
 * Reads take nothing off the connection until what they read is complete: a header (or a chunked body) that times
 * out half-way stays buffered, whole, and the next read starts again from its first byte. A header or body that
 * cannot be read as HTTP is taken off and handed over in the exception's {@code partialData()}.
 */
final class SocketHttp {
    /** Qore's header size limit. */
    static final int DEFAULT_HEADER_LIMIT = 16384;
    /** The default limit for a body on the wire: 1 GiB. */
    static final long DEFAULT_BODY_LIMIT = 1L << 30;
    /** Qore's default chunk size for streamed bodies. */
    static final int DEFAULT_CHUNK = 4096;
    /** Header and body go out in one write up to this size; a larger body is written from the caller's memory. */
    private static final int COALESCE = 64 * 1024;
    /** The largest chunk read from an InputStream at once, whatever chunk size is asked for. */
    private static final int MAX_CHUNK_BUFFER = 1 << 20;

    private final Socket socket;
    private final Receiver receiver;
    private final Sender sender;
    private volatile int headerLimit = DEFAULT_HEADER_LIMIT;
    private volatile long bodyLimit = DEFAULT_BODY_LIMIT;
    private volatile boolean pendingChunked;

    SocketHttp(Socket socket, Receiver receiver, Sender sender) {
        this.socket = socket;
        this.receiver = receiver;
        this.sender = sender;
    }

    int headerLimit() {
        return headerLimit;
    }

    void headerLimit(int bytes) {
        if (bytes < 2) {
            throw new IllegalArgumentException("HTTP header size limit " + bytes + " is too small: a header needs at "
                    + "least its 2-byte terminator");
        }
        headerLimit = bytes;
    }

    long bodyLimit() {
        return bodyLimit;
    }

    void bodyLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("HTTP body size limit " + bytes + " is negative");
        }
        bodyLimit = bytes;
    }

    boolean pendingChunked() {
        return pendingChunked && socket.isOpen();
    }

    // =============================================================================================================
    // sending
    // =============================================================================================================

    static void checkStatus(String m, int status) throws SocketException {
        if (status < 100 || status > 599) {
            throw new SocketException(SocketError.SENDHTTPRESPONSE_STATUS_ERROR, m, "expecting valid HTTP status "
                    + "code between 100 and 599 as first parameter of " + m + "() call, got value " + status
                    + " instead");
        }
    }

    static void checkChunkSize(String m, int maxChunkSize) throws SocketException {
        if (maxChunkSize < 1) {
            throw new SocketException(SocketError.HTTP_CHUNK_ERROR, m, "the max chunk size must be greater than 0; "
                    + "value given is: " + maxChunkSize + " in " + m + "()");
        }
    }

    /**
     * Sends {@code firstLine}, the headers and a body that is a {@code String}, {@code byte[]}, {@code ByteBuffer}
     * or {@code null}; returns {@code firstLine}.
     */
    String send(String m, String firstLine, Map<String, ?> headers, Object body, long timeoutMs)
            throws SocketException {
        MemorySegment data;
        long len;
        if (body == null) {
            data = null;
            len = 0;
        } else if (body instanceof String s) {
            byte[] b = socket.encode(m, s);
            data = MemorySegment.ofArray(b);
            len = b.length;
        } else if (body instanceof byte[] b) {
            data = MemorySegment.ofArray(b);
            len = b.length;
        } else if (body instanceof ByteBuffer bb) {
            data = MemorySegment.ofBuffer(bb);
            len = bb.remaining();
        } else {
            throw new IllegalArgumentException("unsupported body type " + body.getClass().getName());
        }
        String block = HttpWriter.headerBlock(m, headers, len, false);
        SocketFd f = socket.acquire(m);
        try {
            byte[] head = encodeHead(m, firstLine + "\r\n" + block);
            SocketEvents ev = socket.events();
            if (ev != null) {
                ev.httpSendMessage(firstLine, headers);
            }
            if (len == 0) {
                sender.send(f, m, MemorySegment.ofArray(head), head.length, timeoutMs);
            } else if (len <= COALESCE) {
                byte[] all = Arrays.copyOf(head, head.length + (int) len);
                MemorySegment.copy(data, 0, MemorySegment.ofArray(all), head.length, len);
                sender.send(f, m, MemorySegment.ofArray(all), all.length, head.length, timeoutMs);
            } else {
                sender.lock.lock();
                try {
                    sender.send(f, m, MemorySegment.ofArray(head), head.length, timeoutMs);
                    sender.send(f, m, data, len, timeoutMs);
                } finally {
                    sender.lock.unlock();
                }
            }
            if (body instanceof ByteBuffer bb) {
                bb.position(bb.position() + (int) len);
            }
            if (ev != null && ev.withData && len > 0) {
                ev.dataSent(body instanceof String s ? s : data.asSlice(0, len).toArray(
                        java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            return firstLine;
        } finally {
            f.release();
        }
    }

    /** Sends {@code firstLine} and the headers, then {@code in} in chunks; returns {@code firstLine}. */
    String sendChunked(String m, String firstLine, Map<String, ?> headers, InputStream in, int maxChunkSize,
                       long timeoutMs, Supplier<? extends Map<String, ?>> trailers) throws SocketException {
        checkChunkSize(m, maxChunkSize);
        String block = HttpWriter.headerBlock(m, headers, 0, true);
        SocketFd f = socket.acquire(m);
        try {
            byte[] head = encodeHead(m, firstLine + "\r\n" + block);
            SocketEvents ev = socket.events();
            if (ev != null) {
                ev.httpSendMessage(firstLine, headers);
            }
            sender.lock.lock();
            try {
                sender.send(f, m, MemorySegment.ofArray(head), head.length, timeoutMs);
                chunks(f, m, in, maxChunkSize, timeoutMs, trailers, ev);
            } finally {
                sender.lock.unlock();
            }
            return firstLine;
        } finally {
            f.release();
        }
    }

    /** Sends {@code in} as a chunked body, with trailers; the header was sent already. */
    void sendChunkedBody(String m, InputStream in, int maxChunkSize, long timeoutMs,
                         Supplier<? extends Map<String, ?>> trailers) throws SocketException {
        checkChunkSize(m, maxChunkSize);
        SocketFd f = socket.acquire(m);
        try {
            sender.lock.lock();
            try {
                chunks(f, m, in, maxChunkSize, timeoutMs, trailers, socket.events());
            } finally {
                sender.lock.unlock();
            }
        } finally {
            f.release();
        }
    }

    /**
     * Writes {@code "<hex size>\r\n<data>\r\n"} for each block {@code in} gives (up to {@code maxChunkSize} bytes,
     * each in one write), then {@code "0\r\n"}, the trailers and {@code "\r\n"}. Caller holds the send lock.
     */
    private void chunks(SocketFd f, String m, InputStream in, int maxChunkSize, long timeoutMs,
                        Supplier<? extends Map<String, ?>> trailers, SocketEvents ev) throws SocketException {
        int cap = Math.min(maxChunkSize, MAX_CHUNK_BUFFER);
        // room for the size line (at most 8 hex digits and CR LF) before the data and CR LF after it
        byte[] frame = new byte[10 + cap + 2];
        long sent = 0;
        for (;;) {
            int n;
            try {
                n = in.read(frame, 10, cap);
            } catch (IOException e) {
                SocketException se = new SocketException(SocketError.SEND_ERROR, m, "reading the body from the "
                        + "InputStream failed after " + Errors.plural(sent, "byte") + " of it were sent in " + m
                        + "(): " + e + "; the peer has an incomplete message, so close the connection");
                se.initCause(e);
                throw se;
            }
            if (n < 0) {
                break;
            }
            if (n == 0) {
                continue;
            }
            byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            int start = 10 - size.length;
            System.arraycopy(size, 0, frame, start, size.length);
            frame[10 + n] = '\r';
            frame[11 + n] = '\n';
            sender.send(f, m, MemorySegment.ofArray(frame).asSlice(start), 12 + n - start, timeoutMs);
            sent += n;
            if (ev != null && ev.withData) {
                ev.data(EventType.HTTP_CHUNKED_DATA_SENT, Arrays.copyOfRange(frame, 10, 10 + n));
            }
        }
        Map<String, ?> t = trailers == null ? null : trailers.get();
        byte[] last = encodeHead(m, "0\r\n" + HttpWriter.trailerBlock(m, t));
        sender.send(f, m, MemorySegment.ofArray(last), last.length, timeoutMs);
        if (ev != null && t != null && !t.isEmpty()) {
            ev.headers(EventType.HTTP_FOOTERS_SENT, java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<String, Object>(t)));
        }
    }

    /**
     * The header block's bytes: in the socket's charset when it writes ASCII as ASCII, else (a charset the JVM does
     * not know, which a peer's Content-Type can set) in ISO-8859-1, so that a server can always answer.
     */
    private byte[] encodeHead(String m, String text) throws SocketException {
        Charset cs = headerCharset();
        try {
            ByteBuffer b = cs.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new SocketException(SocketError.ENCODING_ERROR, m, "the header cannot be written in " + cs.name()
                    + " (" + e + ") in " + m + "(); nothing was sent");
        }
    }

    // =============================================================================================================
    // reading
    // =============================================================================================================

    /** The charset to read header text in: the socket's when it writes ASCII as ASCII, else ISO-8859-1. */
    private Charset headerCharset() {
        Charset cs = socket.charsetOrNull();
        if (cs == null) {
            return StandardCharsets.ISO_8859_1;
        }
        if (cs == StandardCharsets.UTF_8 || cs == StandardCharsets.ISO_8859_1 || cs == StandardCharsets.US_ASCII) {
            return cs;
        }
        byte[] probe = "\r\n: Az09".getBytes(cs);
        return Arrays.equals(probe, "\r\n: Az09".getBytes(StandardCharsets.US_ASCII)) ? cs
                : StandardCharsets.ISO_8859_1;
    }

    /** A {@link Receiver.Scanner} over an {@link HttpHeaderScanner}: takes the header once it is complete. */
    private final class HeaderScan implements Receiver.Scanner {
        final String m;
        final HttpHeaderScanner scanner;
        final Charset cs = headerCharset();
        byte[] raw;
        String text;
        SocketException error;

        HeaderScan(String m) {
            this.m = m;
            this.scanner = new HttpHeaderScanner(m, headerLimit, false);
        }

        @Override
        public int scan(byte[] a, int off, int len) {
            try {
                int n = scanner.scan(a, off, len);
                if (n < 0) {
                    return 0;
                }
                raw = Arrays.copyOfRange(a, off, off + n);
                text = new String(raw, 0, scanner.textLength(), cs);
                return n;
            } catch (HttpException e) {
                int k = scanner.scanned();
                byte[] got = Arrays.copyOfRange(a, off, off + k);
                error = new HttpException(e.error(), m, e.getMessage(), new String(got, cs), got);
                return k;
            }
        }

        @Override
        public boolean done() {
            return raw != null || error != null;
        }

        @Override
        public SocketException endOfStream(byte[] rest) {
            if (rest.length == 0) {
                return Errors.peerClosed(m, 0, null);
            }
            return new HttpException(SocketError.HTTP_ERROR, m, "socket closed on remote end while reading header "
                    + "data after reading " + Errors.plural(rest.length, "byte") + " in " + m + "()",
                    new String(rest, cs), rest);
        }
    }

    /** Reads one header block; returns the scan that read it (raw bytes and text). */
    private HeaderScan readBlock(String m, long timeoutMs, long totalMs) throws SocketException {
        SocketFd f = socket.acquire(m);
        try {
            HeaderScan sc = new HeaderScan(m);
            long deadline = 0;
            String deadlineText = null;
            if (totalMs >= 0) {
                deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(totalMs);
                if (deadline == 0) {
                    deadline = 1;
                }
                deadlineText = "timed out after " + totalMs + " millisecond" + (totalMs == 1 ? "" : "s") + " in " + m
                        + "() call: that is the limit for the whole header, and it was not complete; what arrived "
                        + "stays buffered";
            }
            receiver.scan(f, m, sc, timeoutMs, deadline, deadlineText);
            if (sc.error != null) {
                throw sc.error;
            }
            return sc;
        } finally {
            f.release();
        }
    }

    HttpHeader readHeader(String m, long timeoutMs, long totalMs) throws SocketException {
        HeaderScan sc = readBlock(m, timeoutMs, totalMs);
        HttpHeader h;
        try {
            h = HttpParser.parseHeader(m, sc.text);
        } catch (HttpException e) {
            throw new HttpException(e.error(), m, e.getMessage(), sc.text, sc.raw);
        }
        // Qore's side effect: the body's charset becomes the socket's (ISO-8859-1 when the message names none)
        Object cs = h.info().get("charset");
        socket.setCharset(cs instanceof String s ? s : HttpParser.ASSUMED_CHARSET);
        pendingChunked = h.isChunked();
        SocketEvents ev = socket.events();
        if (ev != null) {
            ev.dataRead(h.firstLine());
            ev.headers(EventType.HTTP_MESSAGE_RECEIVED, h.toMap());
        }
        return h;
    }

    String readHeaderString(String m, long timeoutMs) throws SocketException {
        HeaderScan sc = readBlock(m, timeoutMs, -1);
        String text = sc.text + "\n";
        SocketEvents ev = socket.events();
        if (ev != null) {
            ev.data(EventType.HTTP_HEADERS_READ, text);
        }
        return text;
    }

    /** A {@link Receiver.Scanner} over a {@link ChunkedBodyDecoder}, posting Qore's chunk events. */
    private final class ChunkScan implements Receiver.Scanner, ChunkedBodyDecoder.Listener {
        final String m;
        final SocketEvents ev = socket.events();
        final ChunkedBodyDecoder decoder;
        boolean complete;
        SocketException error;

        ChunkScan(String m) {
            this.m = m;
            this.decoder = new ChunkedBodyDecoder(m, bodyLimit, headerLimit, this);
        }

        @Override
        public int scan(byte[] a, int off, int len) {
            try {
                int n = decoder.scan(a, off, len);
                if (n < 0) {
                    return 0;
                }
                complete = true;
                return n;
            } catch (SocketException e) {
                int k = Math.min(decoder.scanned(), len);
                byte[] got = Arrays.copyOfRange(a, off, off + k);
                error = new HttpException(e.error(), m, e.getMessage(), null, got);
                return k;
            }
        }

        @Override
        public boolean done() {
            return complete || error != null;
        }

        @Override
        public SocketException endOfStream(byte[] rest) {
            return Errors.peerClosed(m, 0, rest);
        }

        @Override
        public void chunkSize(long size, int sizeTextLength) {
            if (ev != null) {
                ev.chunk(EventType.HTTP_CHUNK_SIZE, size, sizeTextLength);
            }
        }

        @Override
        public void chunkData(byte[] a, int off, int len) {
            if (ev != null && ev.withData) {
                ev.data(EventType.HTTP_CHUNKED_DATA_READ, Arrays.copyOfRange(a, off, off + len));
            }
        }

        @Override
        public void chunkRead(long size) {
            if (ev != null) {
                ev.chunk(EventType.HTTP_CHUNKED_DATA_RECEIVED, size, size + 2);
            }
        }
    }

    /** Reads a chunked body; {@code text} decodes it in the socket's charset. */
    HttpChunkedBody<?> readChunked(String m, long timeoutMs, boolean text) throws SocketException {
        SocketFd f = socket.acquire(m);
        ChunkScan sc = new ChunkScan(m);
        try {
            receiver.scan(f, m, sc, timeoutMs, 0, null);
        } catch (SocketException e) {
            if (e.error() != SocketError.TIMEOUT) {
                pendingChunked = false; // the body cannot be read any more; a timeout leaves it for the next call
            }
            throw e;
        } finally {
            f.release();
        }
        pendingChunked = false;
        if (sc.error != null) {
            throw sc.error;
        }
        byte[] body = sc.decoder.takeBody();
        Map<String, Object> trailers = Map.of();
        byte[] tb = sc.decoder.trailerBytes();
        if (tb != null) {
            trailers = HttpParser.parseTrailers(m, new String(tb, headerCharset()));
        }
        Object b = text ? socket.decode(m, body) : body;
        HttpChunkedBody<?> result = text ? new HttpChunkedBody<>((String) b, trailers)
                : new HttpChunkedBody<>((byte[]) b, trailers);
        SocketEvents ev = sc.ev;
        if (ev != null && !trailers.isEmpty()) {
            ev.headers(EventType.HTTP_FOOTERS_RECEIVED, java.util.Collections.unmodifiableMap(result.toMap()));
        }
        return result;
    }

    /**
     * Reads the body that follows {@code h}, framed as RFC 9112 section 6.3 says: chunked when Transfer-Encoding
     * ends with chunked, else Content-Length bytes, else nothing for a request (and for a 1xx, 204 or 304 response),
     * else everything until the peer closes.
     */
    byte[] readBody(String m, HttpHeader h, long timeoutMs) throws SocketException {
        if (h.isChunked()) {
            return (byte[]) readChunked(m, timeoutMs, false).body();
        }
        long cl;
        try {
            cl = h.contentLength();
        } catch (IllegalStateException e) {
            throw new HttpException(SocketError.HTTP_ERROR, m, e.getMessage() + " in " + m + "(); the body's length "
                    + "is unknown, so the connection cannot be read any further", null, null);
        }
        long limit = bodyLimit;
        if (cl >= 0) {
            if (cl > limit) {
                throw new HttpException(SocketError.HTTP_ERROR, m, "Content-Length " + cl + " exceeds the body size "
                        + "limit of " + limit + " bytes in " + m + "(); nothing was read", null, null);
            }
            if (cl > Integer.MAX_VALUE - 16) {
                throw new HttpException(SocketError.HTTP_ERROR, m, "Content-Length " + cl + " is too large for one "
                        + "array in " + m + "(); nothing was read", null, null);
            }
            return cl == 0 ? new byte[0] : socket.recvForHttp(m, (int) cl, timeoutMs);
        }
        int status = h.statusCode();
        if (h.isRequest() || (status >= 100 && status < 200) || status == 204 || status == 304) {
            return new byte[0];
        }
        // a response framed by the connection's end
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (socket.isOpen()) {
            byte[] b;
            try {
                b = socket.recvForHttp(m, 0, timeoutMs);
            } catch (SocketException e) {
                if (e.error() == SocketError.NOT_OPEN) {
                    break;
                }
                if (out.size() == 0) {
                    throw e;
                }
                // the body read so far is off the connection: hand it over with what the failed read had
                out.writeBytes(e.partialData());
                SocketException se = new SocketException(e.error(), e.operation(), e.getMessage() + "; the "
                        + Errors.plural(out.size(), "byte") + " of the body read before that are in partialData()",
                        e.errno(), e.strerror(), out.toByteArray());
                se.initCause(e);
                throw se;
            }
            if (b.length == 0) {
                break;
            }
            if (out.size() + (long) b.length > limit) {
                byte[] got = out.toByteArray();
                byte[] all = Arrays.copyOf(got, got.length + b.length);
                System.arraycopy(b, 0, all, got.length, b.length);
                throw new HttpException(SocketError.HTTP_ERROR, m, "the body exceeds the body size limit of " + limit
                        + " bytes in " + m + "()", null, all);
            }
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }
}
