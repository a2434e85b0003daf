package io.ffsock;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event a {@link Socket} posted to the queue given to {@link Socket#setEventQueue}: Qore's event hash as a
 * record. The keys Qore puts in every event are components ({@code event} is {@link #type()}, {@code source},
 * {@code id}, {@code arg}); the keys particular to the event are in {@link #keys()}, under Qore's names, and the
 * typed accessors read them ({@code -1} or {@code null} when the event does not carry the key).
 *
 * @param type   what happened; {@code type().code()} is Qore's event number
 * @param source {@link #SOURCE_SOCKET}
 * @param id     the posting socket's id: the same for every event of one {@code Socket} object, across reconnects,
 *               and different for every other {@code Socket} object (an accepted socket has its own)
 * @param arg    the argument given to {@link Socket#setEventQueue(java.util.concurrent.BlockingQueue, Object, boolean)},
 *               or {@code null}
 * @param keys   the event's own keys in Qore's order (unmodifiable); integers are {@link Long}s
 */
public record SocketEvent(EventType type, int source, long id, Object arg, Map<String, Object> keys) {
    /** Qore's {@code SOURCE_SOCKET}: the event comes from a socket. */
    public static final int SOURCE_SOCKET = 1;

    public SocketEvent {
        keys = keys == null || keys.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /** Whether the event carries {@code key}. */
    public boolean has(String key) {
        return keys.containsKey(key);
    }

    /** The value of {@code key}, or {@code null}. */
    public Object get(String key) {
        return keys.get(key);
    }

    private long num(String key) {
        return keys.get(key) instanceof Number n ? n.longValue() : -1;
    }

    private String str(String key) {
        return keys.get(key) instanceof String s ? s : null;
    }

    /** PACKET_READ: bytes in this packet; HTTP_CHUNKED_DATA_RECEIVED: the chunk size. */
    public long read() {
        return num("read");
    }

    /** PACKET_READ: bytes read so far by the call; the HTTP chunk events: see {@link EventType}. */
    public long totalRead() {
        return num("total_read");
    }

    /** PACKET_READ of a read of a fixed size: that size. */
    public long totalToRead() {
        return num("total_to_read");
    }

    /** PACKET_SENT: bytes in this packet. */
    public long sent() {
        return num("sent");
    }

    /** PACKET_SENT: bytes sent so far by the call. */
    public long totalSent() {
        return num("total_sent");
    }

    /** PACKET_SENT: bytes the call sends in all. */
    public long totalToSend() {
        return num("total_to_send");
    }

    /** HTTP_CHUNK_SIZE: the chunk size. */
    public long size() {
        return num("size");
    }

    /** HOSTNAME_LOOKUP: the name looked up. */
    public String name() {
        return str("name");
    }

    /** HOSTNAME_LOOKUP, CONNECTING: the service (port) as given. */
    public String service() {
        return str("service");
    }

    /** HOSTNAME_RESOLVED, CONNECTING: the numeric address or the UNIX socket path. */
    public String address() {
        return str("address");
    }

    /** HOSTNAME_RESOLVED, CONNECTING: the port, or -1. */
    public int port() {
        return (int) num("port");
    }

    /** HOSTNAME_RESOLVED, CONNECTING: the address family number (Qore's {@code type}: AF_INET is 2). */
    public int family() {
        return (int) num("type");
    }

    /** HOSTNAME_RESOLVED, CONNECTING: {@code "ipv4"}, {@code "ipv6"} or {@code "unix"} (Qore's {@code typename}). */
    public String familyName() {
        return str("typename");
    }

    /** CONNECTING: the host or path the caller gave. */
    public String target() {
        return str("target");
    }

    /** HTTP_SEND_MESSAGE: the first line of the message, without CRLF. */
    public String message() {
        return str("message");
    }

    /** The HTTP events: the headers (see {@link EventType}). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> headers() {
        return keys.get("headers") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The data events: a {@link String} or a {@code byte[]} (a copy; changing it changes nothing else). */
    public Object data() {
        return keys.get("data");
    }

    /** SSL_ESTABLISHED: the cipher's name. */
    public String cipher() {
        return str("cipher");
    }

    /** SSL_ESTABLISHED: the protocol version, e.g. {@code "TLSv1.3"}. */
    public String cipherVersion() {
        return str("cipher_version");
    }

    /** The event as Qore's hash: {@code event} (the number), {@code source}, {@code id}, [{@code arg}], the keys. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (arg != null) {
            m.put("arg", arg);
        }
        m.put("event", (long) type.code());
        m.put("source", (long) source);
        m.put("id", id);
        m.putAll(keys);
        return m;
    }
}
