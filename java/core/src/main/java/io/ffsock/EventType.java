package io.ffsock;

/**
 * The kinds of {@link SocketEvent} a {@link Socket} posts to its event queue, with Qore's event numbers
 * ({@link #code()}), so that a listener ported from Qore can switch on the same values. Each constant lists the keys
 * its events carry (see {@link SocketEvent#keys()}); keys in brackets are present only sometimes.
 */
public enum EventType {
    /** Bytes were read: {@code read}, {@code total_read} (cumulative in the call), [{@code total_to_read}]. */
    PACKET_READ(1),
    /** Bytes were written: {@code sent}, {@code total_sent} (cumulative in the call), {@code total_to_send}. */
    PACKET_SENT(2),
    /** An open socket was closed (by {@code close()}, end of stream, an error, or a new connect or bind). */
    CHANNEL_CLOSED(7),
    /** {@code close()} was called on the socket object; no keys. */
    DELETED(8),
    /** A name is about to be resolved: [{@code name}] (absent for a wildcard bind), [{@code service}]. */
    HOSTNAME_LOOKUP(11),
    /** One resolved address: {@code address}, [{@code port}], {@code type} (the family), {@code typename}. */
    HOSTNAME_RESOLVED(12),
    /** An HTTP message is about to be sent: {@code message} (the first line), {@code headers} (the caller's). */
    HTTP_SEND_MESSAGE(13),
    /** An HTTP header was read: {@code headers} (as {@code HttpHeader.toMap()}). */
    HTTP_MESSAGE_RECEIVED(14),
    /** The trailers of a chunked body were read: {@code headers} (the trailers and {@code body}). */
    HTTP_FOOTERS_RECEIVED(15),
    /** A chunk of a chunked body was read: {@code read} (the chunk size), {@code total_read} (size + 2). */
    HTTP_CHUNKED_DATA_RECEIVED(16),
    /** A chunk-size line was read: {@code size}, {@code total_read} (the length of the size text). */
    HTTP_CHUNK_SIZE(17),
    /**
     * A connection attempt starts: {@code address}, {@code type}, {@code typename}, {@code target}, and for INET
     * {@code service} and {@code port}.
     */
    CONNECTING(18),
    /** The connection was established; no keys. */
    CONNECTED(19),
    /** A TLS handshake starts; no keys. */
    START_SSL(20),
    /** A TLS handshake completed: {@code cipher}, {@code cipher_version}. */
    SSL_ESTABLISHED(21),
    /** With data events on: the data of one chunk read, {@code data} (bytes). */
    HTTP_CHUNKED_DATA_READ(26),
    /** With data events on: the data of one chunk sent, {@code data} (bytes). */
    HTTP_CHUNKED_DATA_SENT(27),
    /** With data events on: the trailers sent after a chunked body, {@code headers}. */
    HTTP_FOOTERS_SENT(28),
    /** With data events on: what one receive returned, {@code data} (a String for string reads, else bytes). */
    SOCKET_DATA_READ(29),
    /** With data events on: what one send wrote, {@code data} (a String for string sends, else bytes). */
    SOCKET_DATA_SENT(30),
    /** With data events on: the header text {@code readHTTPHeaderString} read, {@code data}. */
    HTTP_HEADERS_READ(31);

    private static final EventType[] BY_CODE = new EventType[32];
    static {
        for (EventType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    EventType(int code) {
        this.code = code;
    }

    /** Qore's event number ({@code EVENT_CONNECTING} is 18). */
    public int code() {
        return code;
    }

    /** The type with Qore's event number {@code code}, or {@code null} when a socket never posts that number. */
    public static EventType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
