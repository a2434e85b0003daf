package io.ffsock.http;

import io.ffsock.SocketError;
import io.ffsock.SocketException;

/**
 * A {@link SocketException} about HTTP data that could not be read as HTTP ({@code SOCKET-HTTP-ERROR}) or sent as
 * HTTP, carrying the text that was read: as in Qore, {@link #getArg()} is that text, so a server can log what a
 * client actually sent. The bytes themselves are in {@link #partialData()}: nothing received is lost.
 */
public class HttpException extends SocketException {
    private static final long serialVersionUID = 1L;

    private final String rawText;

    /**
     * @param error     the code, usually {@link SocketError#HTTP_ERROR}
     * @param operation the method that failed, e.g. {@code "Socket::readHTTPHeader"}
     * @param message   what happened, for a person
     * @param rawText   the text read, or {@code null}
     * @param partial   the bytes read, or {@code null}
     */
    public HttpException(SocketError error, String operation, String message, String rawText, byte[] partial) {
        super(error, operation, message, 0, null, partial);
        this.rawText = rawText;
    }

    /** The text that was read (the header, or the part of it that arrived), or {@code null}. */
    public String rawText() {
        return rawText;
    }

    /** Qore's {@code arg}: the text read, when there is one. */
    @Override
    public Object getArg() {
        return rawText != null ? rawText : super.getArg();
    }
}
