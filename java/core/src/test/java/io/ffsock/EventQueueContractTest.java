package io.ffsock;

import io.ffsock.http.HttpHeader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;

import static io.ffsock.HttpContractTest.hdrs;
import static io.ffsock.HttpContractTest.write;
import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section H: the event queue (C86 to C95), with the event table's keys. Events are drained from
 * the queue after each step, so each test states the exact sequence a step posts.
 * <p>
 * Where ffsock decides differently from Qore's implementation: PACKET_READ totals are cumulative in every read (Qore
 * restarts them per packet for binary reads) and carry {@code total_to_read} in every read of a fixed size (Qore:
 * string reads only); {@code close()} posts DELETED (it is also the object's disposal); a binary send posts its data
 * event once (C95). C90's events are posted by the TLS layer; here the keys it will post are checked.
 */
@Timeout(10)
class EventQueueContractTest {
    @TempDir
    Path dir;

    /** Takes every event posted so far. */
    static List<SocketEvent> drain(BlockingQueue<SocketEvent> q) {
        List<SocketEvent> l = new ArrayList<>();
        q.drainTo(l);
        return l;
    }

    static List<EventType> types(List<SocketEvent> l) {
        return l.stream().map(SocketEvent::type).toList();
    }

    static List<SocketEvent> only(List<SocketEvent> l, EventType t) {
        return l.stream().filter(e -> e.type() == t).toList();
    }

    static Map<String, Object> keys(Object... kv) {
        return hdrs(kv);
    }

    @Test
    @SuppressWarnings("try") // closes inside try-with-resources on purpose: a socket is reused after close()
    @DisplayName("C86 a queue with a maximum size is refused with QUEUE-ERROR; no argument (or null) removes the queue")
    void c86_boundedQueueRefused() throws Exception {
        try (Socket s = new Socket()) {
            SocketException e = expect(SocketError.QUEUE_ERROR, "Socket::setEventQueue",
                    () -> s.setEventQueue(new ArrayBlockingQueue<>(10)));
            assertTrue(e.getMessage().contains("maximum size of 10 entries"), e::getMessage);
            expect(SocketError.QUEUE_ERROR, "Socket::setEventQueue", () -> s.setEventQueue(new LinkedBlockingQueue<>(1)));
            expect(SocketError.QUEUE_ERROR, "Socket::setEventQueue", () -> s.setEventQueue(new SynchronousQueue<>()));
            // unbounded queues, already holding events or not, are accepted
            LinkedBlockingQueue<SocketEvent> full = new LinkedBlockingQueue<>();
            full.add(new SocketEvent(EventType.CONNECTED, 1, 0, null, null));
            s.setEventQueue(full);
            s.setEventQueue(new LinkedTransferQueue<>());
            s.setEventQueue(new LinkedBlockingDeque<>());

            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            s.setEventQueue(q);
            s.bind("127.0.0.1:0");
            assertFalse(drain(q).isEmpty());
            s.setEventQueue();
            s.bind("127.0.0.1:0");
            s.close();
            assertEquals(List.of(), drain(q), "events after setEventQueue()");
            s.setEventQueue(q);
            s.setEventQueue(null);
            s.bind("127.0.0.1:0");
            s.close();
            assertEquals(List.of(), drain(q), "events after setEventQueue(null)");
        }
    }

    @Test
    @DisplayName("C87 every event has source 1 and the socket object's id (stable across reconnects, its own for an "
            + "accepted socket); arg only when one was given")
    void c87_commonKeys() throws Exception {
        try (Socket server = Loopback.listener("127.0.0.1:0"); Socket c = new Socket(); Socket c2 = new Socket()) {
            int port = server.getSocketInfo(false).port();
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            c.setEventQueue(q, "my-arg", false);
            c2.setEventQueue(q);
            c.connect("127.0.0.1:" + port, 2000);
            Socket a1 = server.accept(2000);
            c.connect("127.0.0.1:" + port, 2000);
            Socket a2 = server.accept(2000);
            c2.connect("127.0.0.1:" + port, 2000);
            Socket a3 = server.accept(2000);
            try (a1; a2; a3) {
                a3.setEventQueue(q);
                a3.send("x");
                List<SocketEvent> l = drain(q);
                assertTrue(l.stream().allMatch(e -> e.source() == SocketEvent.SOURCE_SOCKET));
                long id = l.getFirst().id();
                List<SocketEvent> mine = l.stream().filter(e -> "my-arg".equals(e.arg())).toList();
                assertEquals(9, mine.size(), "two connects (lookup, resolved, connecting, connected), a close between");
                assertTrue(mine.stream().allMatch(e -> e.id() == id), "the id changed on reconnect");
                List<SocketEvent> other = l.stream().filter(e -> e.arg() == null).toList();
                assertFalse(other.isEmpty());
                assertTrue(other.stream().noneMatch(e -> e.id() == id), "two socket objects share an id");
                long c2Id = other.getFirst().id();
                assertNotEquals(c2Id, other.getLast().id(), "an accepted socket must have its own id");
                // Qore's hash: arg only when given, then event, source, id, the keys
                assertEquals(List.of("arg", "event", "source", "id"), List.copyOf(mine.get(3).toMap().keySet()));
                assertEquals(List.of("event", "source", "id", "sent", "total_sent", "total_to_send"),
                        List.copyOf(other.getLast().toMap().keySet()));
                assertEquals(19L, mine.get(3).toMap().get("event"));
            }
        }
    }

    @Test
    @DisplayName("C88 connect(\"127.0.0.1:p\"): [CHANNEL_CLOSED] HOSTNAME_LOOKUP, HOSTNAME_RESOLVED, CONNECTING, "
            + "CONNECTED with the table's keys; bind posts the lookup events")
    void c88_connectSequence() throws Exception {
        try (Socket server = Loopback.listener("127.0.0.1:0"); Socket c = new Socket()) {
            int p = server.getSocketInfo(false).port();
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            c.setEventQueue(q);
            c.connect("127.0.0.1:" + p, 2000);
            List<SocketEvent> l = drain(q);
            assertEquals(List.of(EventType.HOSTNAME_LOOKUP, EventType.HOSTNAME_RESOLVED, EventType.CONNECTING,
                    EventType.CONNECTED), types(l));
            assertEquals(keys("name", "127.0.0.1", "service", "" + p), l.get(0).keys());
            assertEquals(keys("address", "127.0.0.1", "port", (long) p, "type", 2L, "typename", "ipv4"),
                    l.get(1).keys());
            assertEquals(keys("address", "127.0.0.1", "type", 2L, "typename", "ipv4", "target", "127.0.0.1",
                    "service", "" + p, "port", (long) p), l.get(2).keys());
            assertEquals(Map.of(), l.get(3).keys());
            assertEquals(18, l.get(2).type().code());
            assertEquals("127.0.0.1", l.get(2).address());
            assertEquals(p, l.get(2).port());
            assertEquals(2, l.get(2).family());
            assertEquals("ipv4", l.get(2).familyName());
            assertEquals("127.0.0.1", l.get(2).target());
            assertEquals("" + p, l.get(2).service());
            try (Socket a = server.accept(2000)) {
                assertNotNull(a);
            }

            // C30: a reconnect of an open socket first closes the old connection
            int before = c.getConnectionId();
            c.connect("127.0.0.1:" + p, 2000);
            assertEquals(before + 1, c.getConnectionId());
            l = drain(q);
            assertEquals(List.of(EventType.CHANNEL_CLOSED, EventType.HOSTNAME_LOOKUP, EventType.HOSTNAME_RESOLVED,
                    EventType.CONNECTING, EventType.CONNECTED), types(l));
            server.accept(2000).close();
        }
        try (Socket b = new Socket()) {
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            b.setEventQueue(q);
            assertEquals(0, b.bind("127.0.0.1:0", true));
            List<SocketEvent> l = drain(q);
            assertEquals(List.of(EventType.HOSTNAME_LOOKUP, EventType.HOSTNAME_RESOLVED), types(l));
            assertEquals(keys("name", "127.0.0.1", "service", "0"), l.get(0).keys());
            assertEquals(keys("address", "127.0.0.1", "type", 2L, "typename", "ipv4"), l.get(1).keys(),
                    "port 0 is left out");
            assertEquals(0, b.bind(0, true));
            l = drain(q);
            assertEquals(EventType.CHANNEL_CLOSED, l.getFirst().type());
            assertEquals(keys("service", "0"), l.get(1).keys(), "a wildcard bind has no name");
        }
    }

    @Test
    @DisplayName("C89 connectUNIX: CONNECTING (address, type, typename, target; no service or port), CONNECTED; no "
            + "lookup events")
    void c89_connectUnixSequence() throws Exception {
        String path = dir.resolve("c89.sock").toString();
        try (Socket l = new Socket(); Socket c = new Socket()) {
            l.bindUNIX(path);
            l.listen();
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            c.setEventQueue(q);
            c.connectUNIX(path);
            List<SocketEvent> ev = drain(q);
            assertEquals(List.of(EventType.CONNECTING, EventType.CONNECTED), types(ev));
            assertEquals(keys("address", path, "type", 1L, "typename", "unix", "target", path), ev.get(0).keys());
            assertEquals(-1, ev.get(0).port());
            assertNull(ev.get(0).service());
            c.connect(path);
            assertEquals(List.of(EventType.CHANNEL_CLOSED, EventType.CONNECTING, EventType.CONNECTED),
                    types(drain(q)));
        }
    }

    @Test
    @DisplayName("C90 START_SSL has no keys and SSL_ESTABLISHED carries cipher and cipher_version (posted by the TLS "
            + "layer)")
    void c90_sslEventKeys() {
        BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
        SocketEvents ev = new SocketEvents(q, 7, null, false);
        ev.startSsl();
        ev.sslEstablished("TLS_AES_256_GCM_SHA384", "TLSv1.3");
        List<SocketEvent> l = drain(q);
        assertEquals(List.of(EventType.START_SSL, EventType.SSL_ESTABLISHED), types(l));
        assertEquals(20, l.get(0).type().code());
        assertEquals(Map.of(), l.get(0).keys());
        assertEquals(keys("cipher", "TLS_AES_256_GCM_SHA384", "cipher_version", "TLSv1.3"), l.get(1).keys());
        assertEquals("TLSv1.3", l.get(1).cipherVersion());
        assertEquals("TLS_AES_256_GCM_SHA384", l.get(1).cipher());
    }

    @Test
    @DisplayName("C91 PACKET_SENT per write: sent, cumulative total_sent, total_to_send; the last has total_sent == "
            + "total_to_send; nothing for an empty send")
    void c91_packetSent() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            p.client().setEventQueue(q);
            p.client().send("hello");
            assertEquals(List.of(keys("sent", 5L, "total_sent", 5L, "total_to_send", 5L)),
                    drain(q).stream().map(SocketEvent::keys).toList());
            p.client().send("");
            p.client().send(new byte[0]);
            assertEquals(List.of(), drain(q), "C47: an empty send posts nothing");
            p.client().sendi4(1);
            assertEquals(4, drain(q).getFirst().totalToSend());

            // 8 MiB to a peer that reads slowly: the kernel takes it in several writes
            int n = 8 << 20;
            CompletableFuture<Void> reader = later(100, () -> p.accepted().recvBinary(n, 5000));
            p.client().send(new byte[n], 5000);
            join(reader);
            List<SocketEvent> l = drain(q);
            assertTrue(l.size() > 1, "one write took 8 MiB; cannot check the totals");
            long total = 0;
            for (SocketEvent e : l) {
                assertEquals(EventType.PACKET_SENT, e.type());
                total += e.sent();
                assertEquals(total, e.totalSent());
                assertEquals(n, e.totalToSend());
            }
            assertEquals(n, l.getLast().totalSent());
        }
    }

    @Test
    @DisplayName("C92 PACKET_READ: read and cumulative total_read, total_to_read for fixed-size reads only; "
            + "readHTTPHeader posts none")
    void c92_packetRead() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket a = p.accepted();
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            a.setEventQueue(q);
            CompletableFuture<Void> f = later(0, () -> {
                p.client().send("abc");
                Thread.sleep(100);
                p.client().send("defgh");
            });
            assertEquals("abcdefgh", a.recv(8, 2000));
            join(f);
            assertEquals(List.of(keys("read", 3L, "total_read", 3L, "total_to_read", 8L),
                    keys("read", 5L, "total_read", 8L, "total_to_read", 8L)),
                    drain(q).stream().map(SocketEvent::keys).toList());

            f = later(0, () -> {
                p.client().send("ab");
                Thread.sleep(100);
                p.client().send("cd");
            });
            assertEquals(4, a.recvBinary(4, 2000).length);
            join(f);
            List<SocketEvent> l = drain(q);
            assertEquals(List.of(2L, 4L), l.stream().map(SocketEvent::totalRead).toList(),
                    "ffsock: binary reads count cumulatively too");
            assertEquals(4, l.getLast().totalToRead());

            p.client().send("xyz");
            assertTrue(a.isDataAvailable(2000));
            Thread.sleep(20);
            assertEquals("xyz", a.recv(0, 2000));
            l = drain(q);
            assertEquals(keys("read", 3L, "total_read", 3L), l.getFirst().keys(), "recv(0) has no total_to_read");

            p.client().sendHTTPMessage("GET", "/", "1.1", hdrs());
            a.readHTTPHeader(2000);
            assertEquals(List.of(EventType.HTTP_MESSAGE_RECEIVED), types(drain(q)));

            p.client().send("tail");
            p.client().close();
            assertEquals("tail", a.recv(-1, 2000));
            l = drain(q);
            assertEquals(EventType.PACKET_READ, l.getFirst().type());
            assertFalse(l.getFirst().has("total_to_read"));
            assertEquals(EventType.CHANNEL_CLOSED, l.getLast().type(), "end of stream closes the socket");
        }
    }

    @Test
    @DisplayName("C93 close(): CHANNEL_CLOSED when it was open, then DELETED; a closed socket posts only DELETED")
    void c93_closeEvents() throws Exception {
        BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
        Socket s = new Socket();
        s.setEventQueue(q);
        s.close();
        assertEquals(List.of(EventType.DELETED), types(drain(q)), "C03: no CHANNEL_CLOSED for a closed socket");
        assertEquals(0, s.bind("127.0.0.1:0", true));
        drain(q);
        s.close();
        assertEquals(List.of(EventType.CHANNEL_CLOSED, EventType.DELETED), types(drain(q)));
        assertEquals(8, EventType.DELETED.code());
        assertEquals(7, EventType.CHANNEL_CLOSED.code());
    }

    @Test
    @DisplayName("C94 HTTP events: SEND_MESSAGE (caller's headers, no automatic Content-Length) then PACKET_SENT for "
            + "the header and for the body; MESSAGE_RECEIVED; the chunk events and FOOTERS_RECEIVED")
    void c94_httpEvents() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            p.client().setEventQueue(q);
            Map<String, Object> h = hdrs("Accept", "text", "Content-Length", "99");
            p.client().sendHTTPMessage("POST", "/x", "1.1", h, "hello");
            String head = "POST /x HTTP/1.1\r\nAccept: text\r\nContent-Length: 5\r\n\r\n";
            List<SocketEvent> l = drain(q);
            assertEquals(List.of(EventType.HTTP_SEND_MESSAGE, EventType.PACKET_SENT, EventType.PACKET_SENT), types(l));
            assertEquals("POST /x HTTP/1.1", l.get(0).message());
            assertEquals(h, l.get(0).headers());
            assertEquals(keys("sent", (long) head.length(), "total_sent", (long) head.length(), "total_to_send",
                    (long) head.length()), l.get(1).keys());
            assertEquals(keys("sent", 5L, "total_sent", 5L, "total_to_send", 5L), l.get(2).keys());

            // a body over 64 KiB goes in its own writes: header events first, then the body's, each with its totals
            byte[] big = new byte[200_000];
            CompletableFuture<Void> reader = later(50, () -> {
                HttpHeader rh = p.accepted().readHTTPHeader(2000);
                p.accepted().recv(5, 2000);
                rh = p.accepted().readHTTPHeader(2000);
                p.accepted().readHTTPBodyBinary(rh, 2000);
            });
            p.client().sendHTTPResponse(200, "OK", "1.1", hdrs(), big, 5000);
            join(reader);
            l = drain(q);
            assertEquals(EventType.HTTP_SEND_MESSAGE, l.getFirst().type());
            List<SocketEvent> sent = only(l, EventType.PACKET_SENT);
            int hl = "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n".length();
            assertEquals(hl, sent.getFirst().totalToSend());
            assertEquals(hl, sent.getFirst().totalSent());
            assertEquals(big.length, sent.getLast().totalSent());
            assertEquals(big.length, sent.getLast().totalToSend());

            // the receiving side
            BlockingQueue<SocketEvent> rq = new LinkedBlockingQueue<>();
            p.client().setEventQueue(rq);
            p.accepted().sendHTTPResponse(201, "Created", "1.1", hdrs("X-A", "1"));
            HttpHeader rh = p.client().readHTTPHeader(2000);
            l = drain(rq);
            assertEquals(List.of(EventType.HTTP_MESSAGE_RECEIVED), types(l));
            assertEquals(rh.toMap(), l.getFirst().headers());
            assertEquals(keys("http_version", "1.1", "status_code", 201L, "status_message", "Created", "x-a", "1",
                    "content-length", "0"), l.getFirst().headers());

            try (Loopback.RawClient rc = Loopback.rawClient()) {
                rc.accepted().setEventQueue(rq);
                write(rc.raw(), "5;ext=1\r\nhello\r\n0\r\nX-T: v\r\n\r\n");
                rc.accepted().readHTTPChunkedBody(2000);
                l = drain(rq);
                assertEquals(List.of(EventType.HTTP_CHUNK_SIZE, EventType.HTTP_CHUNKED_DATA_RECEIVED,
                        EventType.HTTP_CHUNK_SIZE, EventType.HTTP_FOOTERS_RECEIVED), types(l));
                assertEquals(keys("size", 5L, "total_read", 1L), l.get(0).keys(), "total_read: the size text's length");
                assertEquals(keys("read", 5L, "total_read", 7L), l.get(1).keys());
                assertEquals(keys("size", 0L, "total_read", 1L), l.get(2).keys());
                assertEquals(keys("body", "hello", "x-t", "v"), l.get(3).headers());
                // no trailers, no FOOTERS event
                write(rc.raw(), "0\r\n\r\n");
                rc.accepted().readHTTPChunkedBodyBinary(2000);
                assertEquals(List.of(EventType.HTTP_CHUNK_SIZE), types(drain(rq)));
            }
        }
    }

    @Test
    @DisplayName("C95 with data: SOCKET_DATA_SENT and SOCKET_DATA_READ once per call (a string for string calls), "
            + "never for empty data; the HTTP data events; none without withData")
    void c95_dataEvents() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            BlockingQueue<SocketEvent> q = new LinkedBlockingQueue<>();
            p.client().setEventQueue(q, null, true);
            p.accepted().setEventQueue(q, "acc", true);
            p.client().send("abc");
            assertEquals(List.of(EventType.PACKET_SENT, EventType.SOCKET_DATA_SENT), types(drain(q)).subList(0, 2));
            assertEquals("abc", p.accepted().recv(3, 2000));
            List<SocketEvent> l = drain(q);
            assertEquals(List.of(EventType.PACKET_READ, EventType.SOCKET_DATA_READ), types(l));
            assertEquals("abc", l.get(1).data());
            assertEquals("acc", l.get(1).arg());

            p.client().send(new byte[] {1, 2, 3});
            l = drain(q);
            assertEquals(1, only(l, EventType.SOCKET_DATA_SENT).size(), "Qore posts a binary send's data twice");
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) only(l, EventType.SOCKET_DATA_SENT).getFirst().data());
            byte[] got = p.accepted().recvBinary(3, 2000);
            l = drain(q);
            byte[] posted = (byte[]) only(l, EventType.SOCKET_DATA_READ).getFirst().data();
            assertArrayEquals(got, posted);
            got[0] = 99;
            assertEquals(1, posted[0], "the event must hold a copy");

            p.client().sendi2(0x0102);
            assertArrayEquals(new byte[] {1, 2}, (byte[]) only(drain(q), EventType.SOCKET_DATA_SENT).getFirst().data());
            assertEquals(0x0102, p.accepted().recvi2(2000));
            drain(q);
            ByteBuffer bb = ByteBuffer.allocateDirect(2).put((byte) 7).put((byte) 8).flip();
            p.client().write(bb);
            ByteBuffer in = ByteBuffer.allocate(2);
            while (in.hasRemaining()) {
                p.accepted().read(in);
            }
            l = drain(q);
            assertArrayEquals(new byte[] {7, 8}, (byte[]) only(l, EventType.SOCKET_DATA_SENT).getFirst().data());
            assertFalse(only(l, EventType.SOCKET_DATA_READ).isEmpty(), "the hot-path read posted no data event");

            p.client().send("");
            assertEquals(List.of(), drain(q), "empty data is never posted");

            // HTTP with data: the body's data event, the chunks' and the footers'
            p.client().sendHTTPMessage("POST", "/", "1.1", hdrs(), "body");
            l = drain(q);
            assertEquals(List.of(EventType.HTTP_SEND_MESSAGE, EventType.PACKET_SENT, EventType.PACKET_SENT,
                    EventType.SOCKET_DATA_SENT), types(l));
            assertEquals("body", l.getLast().data());
            HttpHeader h = p.accepted().readHTTPHeader(2000);
            l = drain(q);
            assertEquals(List.of(EventType.SOCKET_DATA_READ, EventType.HTTP_MESSAGE_RECEIVED), types(l));
            assertEquals("POST / HTTP/1.1", l.getFirst().data(), "Qore posts the first line as data");
            p.accepted().recv((int) h.contentLength(), 2000);
            drain(q);

            p.client().sendHTTPMessage("POST", "/", "1.1", hdrs(),
                    new ByteArrayInputStream("abcde".getBytes(ISO_8859_1)), 3, -1, () -> hdrs("X-T", "1"));
            l = drain(q);
            List<SocketEvent> chunks = only(l, EventType.HTTP_CHUNKED_DATA_SENT);
            assertEquals(List.of("abc", "de"), chunks.stream().map(e -> new String((byte[]) e.data(), ISO_8859_1))
                    .toList());
            assertEquals(keys("X-T", "1"), only(l, EventType.HTTP_FOOTERS_SENT).getFirst().headers());
            p.accepted().readHTTPHeader(2000);
            p.accepted().readHTTPChunkedBody(2000);
            l = drain(q);
            assertEquals(List.of("abc", "de"), only(l, EventType.HTTP_CHUNKED_DATA_READ).stream()
                    .map(e -> new String((byte[]) e.data(), ISO_8859_1)).toList());

            // readHTTPHeaderString posts the text it read
            p.client().sendHTTPMessage("GET", "/s", "1.1", hdrs());
            drain(q);
            assertEquals("GET /s HTTP/1.1\r\nContent-Length: 0\n", p.accepted().readHTTPHeaderString(2000));
            l = drain(q);
            assertEquals(List.of(EventType.HTTP_HEADERS_READ), types(l));
            assertEquals("GET /s HTTP/1.1\r\nContent-Length: 0\n", l.getFirst().data());

            // without withData, none of the data events
            p.client().setEventQueue(q);
            p.client().send("abc");
            p.client().sendHTTPMessage("POST", "/", "1.1", hdrs(), new ByteArrayInputStream(new byte[5]), 2, -1,
                    () -> hdrs("X-T", "1"));
            l = drain(q);
            assertTrue(l.stream().noneMatch(e -> e.type() == EventType.SOCKET_DATA_SENT
                    || e.type() == EventType.HTTP_CHUNKED_DATA_SENT || e.type() == EventType.HTTP_FOOTERS_SENT),
                    () -> "data events without withData: " + types(drain(q)));
        }
    }

    @Test
    @DisplayName("EventType codes are Qore's and ofCode maps them back")
    void eventCodes() {
        int[] codes = Arrays.stream(EventType.values()).mapToInt(EventType::code).toArray();
        assertArrayEquals(new int[] {1, 2, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 26, 27, 28, 29, 30, 31},
                codes);
        for (EventType t : EventType.values()) {
            assertSame(t, EventType.ofCode(t.code()));
        }
        assertNull(EventType.ofCode(3));
        assertNull(EventType.ofCode(99));
    }
}
