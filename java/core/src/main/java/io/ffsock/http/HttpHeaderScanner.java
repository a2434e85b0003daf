package io.ffsock.http;

import io.ffsock.SocketError;

/**
 * Finds where an HTTP header ends in bytes as they arrive, with Qore's rules, so that a reader can take exactly the
 * header off a connection and leave the body.
 * <p>
 * Any of these ends the header: {@code CR LF CR LF}, {@code LF LF}, {@code CR LF LF} and {@code CR CR}; an
 * {@code LF CR LF} does not. The header <em>text</em> is everything before that terminator; {@link HttpParser}
 * splits it into lines. At most {@code limit - 1} bytes, terminator included, are accepted: the byte that would be
 * the {@code limit}-th fails the header, as in Qore, where the limit is 16384.
 * <pre>
 *   G E T   / …  H T T P / 1 . 1 \r \n H o s t : x \r \n \r \n B O D Y …
 *   |&lt;------------------------ text ------------------&gt;|&lt;-term-&gt;|
 *   |&lt;------------------------ length() --------------------------&gt;|
 * </pre>
 * The scanner never consumes: it is offered every byte since the header began, as often as more arrive, and keeps
 * its place. One instance scans one header.
 */
public final class HttpHeaderScanner {
    private static final int NONE = 0;
    private static final int CR = 1;
    private static final int CR_LF = 2;
    private static final int CR_LF_CR = 3;
    private static final int LF = 4;

    private final String method;
    private final int limit;
    private final boolean trailers;
    private int pos;
    private int state = NONE;
    private int length = -1;
    private int textLength = -1;

    /**
     * @param method   the method to name in messages, e.g. {@code "Socket::readHTTPHeader"}
     * @param limit    the header size limit (Qore: 16384); the header and its terminator must be shorter
     * @param trailers scan trailers after a chunked body: a {@code CR LF} straight away means there are none
     */
    public HttpHeaderScanner(String method, int limit, boolean trailers) {
        if (limit < 2) {
            throw new IllegalArgumentException("header size limit " + limit + " is too small: at least 2 bytes");
        }
        this.method = method;
        this.limit = limit;
        this.trailers = trailers;
    }

    /**
     * Scans {@code a[off, off + len)}: every byte since the header began (more than last time, or the same).
     *
     * @return {@link #length()} once the header is complete, else -1 (offer more bytes)
     * @throws HttpException {@code SOCKET-HTTP-ERROR} when the header reaches the size limit; the caller attaches the
     *                       bytes (the first {@link #scanned()})
     */
    public int scan(byte[] a, int off, int len) throws HttpException {
        if (length >= 0) {
            return length;
        }
        while (pos < len) {
            if (pos + 1 >= limit) {
                pos++;
                throw new HttpException(SocketError.HTTP_ERROR, method, "header size cannot exceed " + limit
                        + " bytes in " + method + "()", null, null);
            }
            byte c = a[off + pos++];
            if (c == '\n') {
                switch (state) {
                    case NONE -> state = LF;
                    case CR -> {
                        if (trailers && pos == 2) {
                            return end(0);
                        }
                        state = CR_LF;
                    }
                    case CR_LF -> {
                        return end(3);
                    }
                    case CR_LF_CR -> {
                        return end(4);
                    }
                    default -> {
                        return end(2);
                    }
                }
            } else if (c == '\r' && state == NONE) {
                state = CR;
            } else if (c == '\r' && state == CR) {
                return end(2);
            } else if (c == '\r' && state == CR_LF) {
                state = CR_LF_CR;
            } else {
                state = NONE;
            }
        }
        return -1;
    }

    private int end(int terminator) {
        length = pos;
        textLength = pos - (trailers && terminator == 0 ? 2 : terminator);
        return length;
    }

    /** Whether the end of the header was found. */
    public boolean isComplete() {
        return length >= 0;
    }

    /** The header's length with its terminator, or -1 while incomplete. */
    public int length() {
        return length;
    }

    /** The length of the header text (without the terminator), or -1 while incomplete. */
    public int textLength() {
        return textLength;
    }

    /** How many bytes have been scanned. */
    public int scanned() {
        return pos;
    }
}
