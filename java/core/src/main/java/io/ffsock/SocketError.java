package io.ffsock;

/**
 * The error codes a {@link SocketException} carries: the Qore {@code Socket} class's exception codes, so code
 * ported from Qore can match on the same strings through {@link #code()}.
 */
public enum SocketError {
    /** The operation needs an open socket and this one is not open. */
    NOT_OPEN("SOCKET-NOT-OPEN"),
    /** The peer closed or reset the connection, or the socket was closed while the call was blocked in it. */
    CLOSED("SOCKET-CLOSED"),
    /** An I/O wait exceeded its timeout. The socket stays open and nothing received is lost. */
    TIMEOUT("SOCKET-TIMEOUT"),
    /** Any failure to connect: resolution, refusal, unreachable, or a connect timeout. */
    CONNECT_ERROR("SOCKET-CONNECT-ERROR"),
    /** A failure to bind, or missing bind arguments. */
    BIND_ERROR("SOCKET-BIND-ERROR"),
    /** accept(2) failed. */
    ACCEPT_ERROR("SOCKET-ACCEPT-ERROR"),
    /** send(2) failed (EPIPE, ECONNRESET, ...); the socket is closed afterwards. */
    SEND_ERROR("SOCKET-SEND-ERROR"),
    /** recv(2) failed with an error other than a reset. */
    RECV_ERROR("SOCKET-RECV-ERROR"),
    /** A TLS failure: handshake, read or write. */
    SSL_ERROR("SOCKET-SSL-ERROR"),
    /** getpeername(2) failed, for example on a socket that is not connected. */
    GETPEERINFO_ERROR("SOCKET-GETPEERINFO-ERROR"),
    /** getsockname(2) failed. */
    GETSOCKETINFO_ERROR("SOCKET-GETSOCKETINFO-ERROR"),
    /** A malformed, oversized or truncated HTTP header. */
    HTTP_ERROR("SOCKET-HTTP-ERROR"),
    /** Name resolution failed in {@code bindINET} (connect reports it as {@link #CONNECT_ERROR}). */
    ADDRINFO_ERROR("QOREADDRINFO-GETINFO-ERROR"),
    /** A string could not be converted to or from the socket's character encoding. */
    ENCODING_ERROR("ENCODING-CONVERSION-ERROR"),
    /** A status code outside 100 to 599 given to {@code sendHTTPResponse}; raised before any I/O. */
    SENDHTTPRESPONSE_STATUS_ERROR("SOCKET-SENDHTTPRESPONSE-STATUS-ERROR"),
    /** A chunked HTTP body that cannot be read: a negative or non-hex chunk size, or no CRLF after a chunk. */
    READ_HTTP_CHUNK_ERROR("READ-HTTP-CHUNK-ERROR"),
    /** A chunk size below 1 given for sending a chunked HTTP body. */
    HTTP_CHUNK_ERROR("HTTP-CHUNK-ERROR"),
    /** An event queue with a maximum size given to {@code setEventQueue}. */
    QUEUE_ERROR("QUEUE-ERROR"),
    /** An internal error that fits no other code. */
    ERROR("SOCKET-ERROR");

    private final String code;

    SocketError(String code) {
        this.code = code;
    }

    /** The Qore error code string, e.g. {@code "SOCKET-TIMEOUT"}. */
    public String code() {
        return code;
    }
}
