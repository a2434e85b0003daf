package io.ffsock;

import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.Net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

/**
 * Posts a socket's events to the queue set with {@link Socket#setEventQueue}. A socket without a queue has no
 * instance of this class: the read and write paths test one field for {@code null} and allocate nothing.
 * <p>
 * Events are offered, never put: the queue is unbounded (a bounded one is refused), so posting never waits, and a
 * socket never blocks on its listener. Immutable; a new queue means a new instance.
 */
final class SocketEvents {
    private final BlockingQueue<SocketEvent> queue;
    private final long id;
    private final Object arg;
    /** Whether the data events (SOCKET_DATA_READ/SENT, the HTTP data and footer events) are wanted. */
    final boolean withData;

    SocketEvents(BlockingQueue<SocketEvent> queue, long id, Object arg, boolean withData) {
        this.queue = queue;
        this.id = id;
        this.arg = arg;
        this.withData = withData;
    }

    /**
     * Refuses a queue with a maximum size: posting to a full one would have to wait (or drop events), and the
     * socket's I/O would then depend on whoever empties the queue.
     */
    static void checkUnbounded(String m, BlockingQueue<?> q) throws SocketException {
        long capacity = (long) q.remainingCapacity() + q.size();
        if (capacity < Integer.MAX_VALUE) {
            throw new SocketException(SocketError.QUEUE_ERROR, m, "the queue passed to " + m + "() has a maximum "
                    + "size of " + capacity + " entr" + (capacity == 1 ? "y" : "ies") + ", which could make the "
                    + "socket's I/O wait for whoever empties it; use a queue with no maximum size (such as "
                    + "new LinkedBlockingQueue<>()) for I/O monitoring");
        }
    }

    private void post(EventType type, Map<String, Object> keys) {
        queue.offer(new SocketEvent(type, SocketEvent.SOURCE_SOCKET, id, arg, keys));
    }

    private static Map<String, Object> keys() {
        return new LinkedHashMap<>();
    }

    // ---- open / close ----------------------------------------------------------------------------------------

    void closed() {
        post(EventType.CHANNEL_CLOSED, null);
    }

    void deleted() {
        post(EventType.DELETED, null);
    }

    void lookup(String name, String service) {
        Map<String, Object> k = keys();
        if (name != null) {
            k.put("name", name);
        }
        if (service != null) {
            k.put("service", service);
        }
        post(EventType.HOSTNAME_LOOKUP, k);
    }

    void resolved(SockAddr a) {
        Map<String, Object> k = keys();
        k.put("address", a.address());
        if (a.port() > 0) {
            k.put("port", (long) a.port());
        }
        family(k, a.family());
        post(EventType.HOSTNAME_RESOLVED, k);
    }

    /** CONNECTING for an INET address ({@code service} and {@code port} set) or a UNIX path (both absent). */
    void connecting(SockAddr a, String target, String service) {
        Map<String, Object> k = keys();
        k.put("address", a.address());
        family(k, a.family());
        k.put("target", target);
        if (service != null) {
            k.put("service", service);
        }
        if (a.family() != Net.AF_UNIX) {
            k.put("port", (long) a.port());
        }
        post(EventType.CONNECTING, k);
    }

    void connected() {
        post(EventType.CONNECTED, null);
    }

    /** START_SSL, for the TLS layer. */
    void startSsl() {
        post(EventType.START_SSL, null);
    }

    /** SSL_ESTABLISHED, for the TLS layer. */
    void sslEstablished(String cipher, String version) {
        Map<String, Object> k = keys();
        k.put("cipher", cipher);
        k.put("cipher_version", version);
        post(EventType.SSL_ESTABLISHED, k);
    }

    private static void family(Map<String, Object> k, int family) {
        k.put("type", (long) family);
        k.put("typename", Net.familyName(family));
    }

    // ---- bytes ------------------------------------------------------------------------------------------------

    /** PACKET_READ; {@code totalToRead} &lt;= 0 leaves that key out. */
    void read(long n, long total, long totalToRead) {
        Map<String, Object> k = keys();
        k.put("read", n);
        k.put("total_read", total);
        if (totalToRead > 0) {
            k.put("total_to_read", totalToRead);
        }
        post(EventType.PACKET_READ, k);
    }

    /**
     * PACKET_SENT for one write of bytes [{@code from}, {@code to}) of a buffer of {@code len} bytes whose first
     * {@code split} bytes are one message part (an HTTP header block) and the rest another (its body): a write
     * across the split posts one event per part, each with the totals of its own part.
     */
    void sent(long from, long to, long split, long len) {
        if (from < split) {
            long end = Math.min(to, split);
            sent(end - from, end, split);
        }
        if (to > split) {
            long start = Math.max(from, split);
            sent(to - start, to - split, len - split);
        }
    }

    private void sent(long n, long total, long toSend) {
        Map<String, Object> k = keys();
        k.put("sent", n);
        k.put("total_sent", total);
        k.put("total_to_send", toSend);
        post(EventType.PACKET_SENT, k);
    }

    /** SOCKET_DATA_READ (data events only; empty data is not posted). */
    void dataRead(Object data) {
        data(EventType.SOCKET_DATA_READ, data);
    }

    /** SOCKET_DATA_SENT (data events only; empty data is not posted). */
    void dataSent(Object data) {
        data(EventType.SOCKET_DATA_SENT, data);
    }

    /** SOCKET_DATA_SENT for {@code len} bytes of {@code seg}, copied. */
    void dataSent(MemorySegment seg, long len) {
        if (withData && len > 0) {
            data(EventType.SOCKET_DATA_SENT, seg.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** SOCKET_DATA_SENT for an integer sent as {@code size} bytes in {@code order}. */
    void dataSentInt(long v, int size, ByteOrder order) {
        if (!withData) {
            return;
        }
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? size - 1 - i : i);
            b[i] = (byte) (v >>> shift);
        }
        data(EventType.SOCKET_DATA_SENT, b);
    }

    /** A data event of {@code type} carrying {@code data} (a String or bytes); nothing when empty or data is off. */
    void data(EventType type, Object data) {
        if (!withData || data == null) {
            return;
        }
        if (data instanceof String s ? s.isEmpty() : data instanceof byte[] b && b.length == 0) {
            return;
        }
        Map<String, Object> k = keys();
        k.put("data", data);
        post(type, k);
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    void httpSendMessage(String firstLine, Map<String, ?> headers) {
        Map<String, Object> k = keys();
        k.put("message", firstLine);
        k.put("headers", headers == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new LinkedHashMap<String, Object>(headers)));
        post(EventType.HTTP_SEND_MESSAGE, k);
    }

    /** HTTP_MESSAGE_RECEIVED or HTTP_FOOTERS_RECEIVED (always), HTTP_FOOTERS_SENT (data events only). */
    void headers(EventType type, Map<String, Object> headers) {
        if (type == EventType.HTTP_FOOTERS_SENT && !withData) {
            return;
        }
        Map<String, Object> k = keys();
        k.put("headers", headers);
        post(type, k);
    }

    /** HTTP_CHUNK_SIZE ({@code size}) or HTTP_CHUNKED_DATA_RECEIVED ({@code read}), with {@code total_read}. */
    void chunk(EventType type, long bytes, long totalRead) {
        Map<String, Object> k = keys();
        k.put(type == EventType.HTTP_CHUNKED_DATA_RECEIVED ? "read" : "size", bytes);
        k.put("total_read", totalRead);
        post(type, k);
    }
}
