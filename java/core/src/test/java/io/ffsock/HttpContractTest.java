package io.ffsock;

import io.ffsock.http.HttpChunkedBody;
import io.ffsock.http.HttpException;
import io.ffsock.http.HttpHeader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static io.ffsock.Loopback.since;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section F: the HTTP helpers (C58 to C78), over real loopback sockets. Where the contract gives
 * exact bytes, a RAW JDK socket captures (or supplies) them. The TLS half of C66 belongs to the TLS tests.
 */
@Timeout(10)
class HttpContractTest {
    /** The header hash of Qore's test, in its insertion order. */
    static Map<String, Object> qoreHeaders() {
        return hdrs("Accept", "text", "Content-Type", "text", "User-Agent", "Qore HTTP Test Agent",
                "Connection", "Keep-Alive");
    }

    static Map<String, Object> hdrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Reads exactly the bytes of {@code expected} from the RAW peer, compares them, and checks nothing follows. */
    static void assertWire(java.net.Socket raw, String expected) throws IOException {
        byte[] got = raw.getInputStream().readNBytes(expected.length());
        assertEquals(expected, new String(got, ISO_8859_1));
        assertNothingMore(raw);
    }

    static void assertNothingMore(java.net.Socket raw) throws IOException {
        int old = raw.getSoTimeout();
        raw.setSoTimeout(100);
        try {
            int b = raw.getInputStream().read();
            fail("unexpected byte after the message: " + b);
        } catch (SocketTimeoutException expected) {
            // nothing more was sent
        } finally {
            raw.setSoTimeout(old);
        }
    }

    static void write(java.net.Socket raw, String s) throws IOException {
        OutputStream o = raw.getOutputStream();
        o.write(s.getBytes(ISO_8859_1));
        o.flush();
    }

    static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(ISO_8859_1));
    }

    @Test
    @DisplayName("C58 sendHTTPMessage POST: readHTTPHeader gives method, path, version, lower-cased fields, the raw "
            + "fields and request-uri; recv(content-length) gives the body")
    void c58_sendHttpMessagePost() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            assertEquals("POST none HTTP/1.1",
                    p.client().sendHTTPMessage("POST", "none", "1.1", qoreHeaders(), "This is a binary string"));
            HttpHeader m = p.accepted().readHTTPHeader(-1);
            assertEquals("POST", m.method());
            assertEquals("none", m.path());
            assertEquals("1.1", m.httpVersion());
            assertEquals("23", m.headers().get("content-length"), "content-length is a string");
            assertEquals("text", m.headers().get("accept"));
            assertEquals("text", m.headers().get("content-type"));
            assertEquals("Keep-Alive", m.headers().get("connection"));
            assertEquals("Qore HTTP Test Agent", m.headers().get("user-agent"));
            assertEquals(List.of("accept", "content-type", "user-agent", "connection", "content-length"),
                    List.copyOf(m.headers().keySet()));
            Map<?, ?> raw = (Map<?, ?>) m.info().get("headers-raw");
            assertEquals(List.of("Accept", "Content-Type", "User-Agent", "Connection", "Content-Length"),
                    List.copyOf(raw.keySet()), "headers-raw keeps the names as sent");
            assertEquals("POST none HTTP/1.1", m.info().get("request-uri"));
            assertEquals(-1, m.statusCode());
            assertTrue(m.isRequest());
            assertEquals("This is a binary string", p.accepted().recv(Integer.parseInt(m.header("Content-Length"))));
            assertFalse(p.accepted().isDataAvailable(), "more than the body was sent");
        }
    }

    @Test
    @DisplayName("C59 sendHTTPMessage without a body sends Content-Length: 0")
    void c59_noBodyContentLengthZero() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            p.client().sendHTTPMessage("GET", "none", "1.1", qoreHeaders());
            HttpHeader m = p.accepted().readHTTPHeader();
            assertEquals("GET", m.method());
            assertEquals("0", m.headers().get("content-length"));
            assertEquals(0, m.contentLength());
        }
    }

    @Test
    @DisplayName("C60 exact wire bytes: empty path is /, headers in insertion order, computed Content-Length last, "
            + "the body's byte length after charset conversion")
    void c60_exactWireFormat() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            String line = rp.socket().sendHTTPMessage("PUT", "", "1.1", hdrs("X-A", "1", "X-B", "2"), "OK");
            assertEquals("PUT / HTTP/1.1", line, "request-uri is the line without CRLF");
            assertWire(rp.raw(), "PUT / HTTP/1.1\r\nX-A: 1\r\nX-B: 2\r\nContent-Length: 2\r\n\r\nOK");

            rp.socket().sendHTTPMessage("PUT", "/x", "1.1", hdrs(), "\u00e9");
            assertWire(rp.raw(), "PUT /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n\u00c3\u00a9"); // UTF-8: c3 a9
            rp.socket().setCharset("ISO-8859-1");
            rp.socket().sendHTTPMessage("PUT", "/x", "1.1", hdrs(), "\u00e9");
            assertWire(rp.raw(), "PUT /x HTTP/1.1\r\nContent-Length: 1\r\n\r\n\u00e9"); // e9
        }
    }

    @Test
    @DisplayName("C61 a Content-Length of the caller's (any case) is dropped for the computed one")
    void c61_userContentLengthDropped() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            rp.socket().sendHTTPMessage("POST", "/", "1.1", hdrs("content-length", "999"), "abc");
            assertWire(rp.raw(), "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
            rp.socket().sendHTTPMessage("POST", "/", "1.1", hdrs("X-A", "1", "CONTENT-LENGTH", 7), "abc".getBytes());
            assertWire(rp.raw(), "POST / HTTP/1.1\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc");
            rp.socket().sendHTTPMessage("GET", "/", "1.1", hdrs("Content-Length", "5"));
            assertWire(rp.raw(), "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        }
    }

    @Test
    @DisplayName("C62 Transfer-Encoding turns the automatic Content-Length off for an empty body only; a chunked "
            + "stream body gets no Content-Length")
    void c62_transferEncodingRules() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            Socket s = rp.socket();
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "chunked"), stream("OK"));
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n");
            // rule 3: after Transfer-Encoding, with an empty body, the caller's Content-Length passes through
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "x", "Content-Length", "5"));
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: x\r\nContent-Length: 5\r\n\r\n");
            // ... but before it, the automatic one was still on, so it is dropped, and none is added
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Content-Length", "5", "transfer-encoding", "x"));
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\ntransfer-encoding: x\r\n\r\n");
            // rule 2: a body always gets its Content-Length
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "identity"), "abc");
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc");
            // ffsock: a stream body without Transfer-Encoding gets one (Qore would send Content-Length: 0 first)
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Content-Length", "9"), stream("OK"));
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n");
        }
        try (Loopback.Pair p = Loopback.pair()) {
            p.accepted().sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "chunked"), stream("OK"));
            HttpHeader h = p.client().readHTTPHeader();
            assertEquals("chunked", h.headers().get("transfer-encoding"));
            assertNull(h.headers().get("content-length"));
            assertEquals("OK", p.client().readHTTPChunkedBody().body());
        }
    }

    @Test
    @DisplayName("C63 values: strings as-is, integers in decimal, booleans 1/0, floats %f, numbers plain, a list as "
            + "repeated lines; anything else silently left out")
    void c63_valueFormatting() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            Map<String, Object> h = hdrs("S", "s", "I", 42, "L", -7L, "T", true, "F", false, "D", 1.5,
                    "N", new BigDecimal("2.50"), "Set-Cookie", List.of("a", "b"), "Null", null, "Map", Map.of("k", 1),
                    "Bin", new byte[] {1}, "Date", Instant.EPOCH, "Nested", List.of(List.of("x")));
            rp.socket().sendHTTPMessage("GET", "/", "1.1", h);
            assertWire(rp.raw(), "GET / HTTP/1.1\r\nS: s\r\nI: 42\r\nL: -7\r\nT: 1\r\nF: 0\r\nD: 1.500000\r\n"
                    + "N: 2.50\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nContent-Length: 0\r\n\r\n");
        }
    }

    @Test
    @DisplayName("C64 sendHTTPResponse: status line, response-uri, body; the peer reads status_code as an int")
    void c64_sendHttpResponse() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            assertEquals("HTTP/1.1 200 OK", p.accepted().sendHTTPResponse(200, "OK", "1.1", qoreHeaders(), "OK"));
            HttpHeader h = p.client().readHTTPHeader();
            assertEquals(200, h.statusCode());
            assertEquals("OK", h.statusMessage());
            assertEquals("1.1", h.httpVersion());
            assertNull(h.method());
            assertFalse(h.isRequest());
            assertEquals("HTTP/1.1 200 OK", h.info().get("response-uri"));
            assertEquals(200L, h.toMap().get("status_code"));
            assertEquals("OK", p.client().recv((int) h.contentLength()));
        }
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            rp.socket().sendHTTPResponse(200, "OK", "1.1", hdrs("Connection", "Keep-Alive"), "OK");
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nOK");
        }
    }

    @Test
    @DisplayName("C65 status codes outside 100-599 fail with SOCKET-SENDHTTPRESPONSE-STATUS-ERROR before the open "
            + "check and before any I/O; 100 and 599 are sent")
    void c65_statusValidation() throws Exception {
        try (Socket unopened = new Socket()) {
            SocketException e = expect(SocketError.SENDHTTPRESPONSE_STATUS_ERROR, "Socket::sendHTTPResponse",
                    () -> unopened.sendHTTPResponse(99, "x", "1.1", hdrs()));
            assertEquals("expecting valid HTTP status code between 100 and 599 as first parameter of "
                    + "Socket::sendHTTPResponse() call, got value 99 instead", e.getMessage());
            expect(SocketError.SENDHTTPRESPONSE_STATUS_ERROR, "Socket::sendHTTPResponse",
                    () -> unopened.sendHTTPResponse(600, "x", "1.1", hdrs(), "body"));
            expect(SocketError.SENDHTTPRESPONSE_STATUS_ERROR, "Socket::sendHTTPResponse",
                    () -> unopened.sendHTTPResponse(-1, "x", "1.1", hdrs(), stream("x")));
            // a valid code reaches the open check
            expect(SocketError.NOT_OPEN, "Socket::sendHTTPResponse",
                    () -> unopened.sendHTTPResponse(200, "OK", "1.1", hdrs()));
        }
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            expect(SocketError.SENDHTTPRESPONSE_STATUS_ERROR, "Socket::sendHTTPResponse",
                    () -> rp.socket().sendHTTPResponse(600, "x", "1.1", hdrs(), "body"));
            assertNothingMore(rp.raw());
            rp.socket().sendHTTPResponse(100, "Continue", "1.1", hdrs());
            assertWire(rp.raw(), "HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n");
            rp.socket().sendHTTPResponse(599, "X", "1.0", hdrs());
            assertWire(rp.raw(), "HTTP/1.0 599 X\r\nContent-Length: 0\r\n\r\n");
        }
    }

    @Test
    @DisplayName("C66 readHTTPHeader when the peer closes before sending anything: SOCKET-CLOSED")
    void c66_peerClosesBeforeAnything() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            p.client().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::readHTTPHeader",
                    () -> p.accepted().readHTTPHeader(2000));
            assertEquals("error in Socket::readHTTPHeader(): remote end closed the connection", e.getMessage());
            assertEquals(0, e.partialData().length);
            assertFalse(p.accepted().isOpen(), "end of stream closes the socket");
        }
    }

    @Test
    @DisplayName("C67 a first line without HTTP/: SOCKET-HTTP-ERROR with the raw text in arg; the bytes after the "
            + "header stay buffered")
    void c67_firstLineWithoutHttp() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "hello world\r\nA: b\r\n\r\nXYZ");
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader",
                    () -> rc.accepted().readHTTPHeader(2000));
            assertEquals("missing HTTP version string in first header line in Socket::readHTTPHeader()",
                    e.getMessage());
            assertInstanceOf(HttpException.class, e);
            assertEquals("hello world\r\nA: b", e.getArg(), "arg is the text read");
            assertEquals("hello world\r\nA: b\r\n\r\n", new String(e.partialData(), ISO_8859_1));
            assertEquals("XYZ", rc.accepted().recv(3, 1000), "the bytes after the header were lost or doubled");
            assertTrue(rc.accepted().isOpen());
        }
    }

    @Test
    @DisplayName("C68 the peer closes part-way through the header: SOCKET-HTTP-ERROR naming the bytes read, the "
            + "partial text attached")
    void c68_peerClosesMidHeader() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "GET / HTTP/1.1\r\nHost: x");
            rc.raw().shutdownOutput();
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader",
                    () -> rc.accepted().readHTTPHeader(2000));
            assertEquals("socket closed on remote end while reading header data after reading 23 bytes in "
                    + "Socket::readHTTPHeader()", e.getMessage());
            assertEquals("GET / HTTP/1.1\r\nHost: x", e.getArg());
            assertEquals("GET / HTTP/1.1\r\nHost: x", new String(e.partialData(), ISO_8859_1));
            assertFalse(rc.accepted().isOpen());
        }
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "G");
            rc.raw().shutdownOutput();
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader",
                    () -> rc.accepted().readHTTPHeader(2000));
            assertTrue(e.getMessage().contains("after reading 1 byte in"), e::getMessage);
        }
    }

    @Test
    @DisplayName("C69 header size limit: 16384 bytes (the terminator included) fail, 16383 pass; the limit is "
            + "configurable and the bytes beyond it stay buffered")
    void c69_headerSizeLimit() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            assertEquals(16384, a.getHttpHeaderSizeLimit());
            write(rc.raw(), "a".repeat(20000));
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader", () -> a.readHTTPHeader(2000));
            assertTrue(e.getMessage().startsWith("header size cannot exceed 16384 bytes"), e::getMessage);
            assertEquals(16384, e.partialData().length);
            assertEquals(20000 - 16384, a.recvBinary(20000 - 16384, 2000).length, "the rest was not kept");

            // exactly at the limit: 16383 bytes with the terminator pass, 16384 fail
            String head = "HTTP/1.1 200 OK\r\nX: ";
            String ok = head + "v".repeat(16383 - head.length() - 4) + "\r\n\r\n";
            assertEquals(16383, ok.length());
            write(rc.raw(), ok);
            assertEquals(200, a.readHTTPHeader(2000).statusCode());
            String tooBig = head + "v".repeat(16384 - head.length() - 4) + "\r\n\r\n";
            write(rc.raw(), tooBig);
            expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader", () -> a.readHTTPHeader(2000));

            a.setHttpHeaderSizeLimit(100);
            write(rc.raw(), "HTTP/1.1 200 OK\r\nX: " + "v".repeat(100) + "\r\n\r\n");
            e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPHeader", () -> a.readHTTPHeader(2000));
            assertTrue(e.getMessage().startsWith("header size cannot exceed 100 bytes"), e::getMessage);
            assertThrows(IllegalArgumentException.class, () -> a.setHttpHeaderSizeLimit(1));
        }
    }

    @Test
    @DisplayName("C70 CRLF CRLF, LF LF, CRLF LF and CR CR end a header, exactly; LF CRLF does not; mixed line "
            + "endings split where Qore splits them")
    void c70_headerTerminators() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            String[][] cases = {
                {"\r\n", "\r\n\r\n"}, {"\n", "\n\n"}, {"\r\n", "\r\n\n"}, {"\r\n", "\r\r"},
            };
            for (String[] c : cases) {
                write(rc.raw(), "HTTP/1.1 204 No Content" + c[0] + "X-A: 1" + c[1] + "NEXT");
                HttpHeader h = a.readHTTPHeader(2000);
                String what = "terminator " + c[1].replace("\r", "CR ").replace("\n", "LF ");
                assertEquals(204, h.statusCode(), what);
                assertEquals("No Content", h.statusMessage(), what);
                assertEquals("1", h.headers().get("x-a"), what);
                assertEquals("NEXT", a.recv(4, 2000), what + " did not end the header exactly");
            }
            // LF CR LF does not end it: the header goes on to the LF LF
            write(rc.raw(), "HTTP/1.1 204 No Content\nX-A: 1\n\r\nX-B: 2\n\nNEXT");
            HttpHeader h = a.readHTTPHeader(2000);
            assertEquals("2", h.headers().get("x-b"), "LF CR LF ended the header");
            // ... and, the text holding a CR LF, the first "line" runs up to it (Qore's split of mixed endings)
            assertEquals("No Content\nX-A: 1\n", h.statusMessage());
            assertNull(h.headers().get("x-a"));
            assertEquals("NEXT", a.recv(4, 2000));
        }
    }

    @Test
    @DisplayName("C71 field lines: names lower-cased, leading blanks removed and trailing kept, repeats become "
            + "lists (in headers-raw too), the first line without ':' ends the fields")
    void c71_fieldLines() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nX-A:  \t3  \r\nHost:\tlocalhost\r\n"
                    + "NoColonHere\r\nX-After: 1\r\n\r\n");
            HttpHeader h = rc.accepted().readHTTPHeader(2000);
            assertEquals(List.of("x-a", "host"), List.copyOf(h.headers().keySet()));
            assertEquals(List.of("1", "2", "3  "), h.headers().get("x-a"));
            assertEquals("localhost", h.headers().get("host"));
            assertNull(h.headers().get("x-after"), "lines after the first without ':' must be ignored");
            Map<?, ?> raw = (Map<?, ?>) h.info().get("headers-raw");
            assertEquals(List.of("1", "3  "), raw.get("X-A"));
            assertEquals("2", raw.get("x-a"));
            assertEquals(List.of("X-A", "x-a", "Host"), List.copyOf(raw.keySet()));
            assertEquals("1, 2, 3  ", h.header("X-A"));
            assertEquals(List.of("1", "2", "3  "), h.headerValues("x-a"));
        }
    }

    @Test
    @DisplayName("C72 Content-Type's charset becomes the socket's charset (ISO-8859-1 without one, even with no "
            + "Content-Type); accept-charset and accept-encoding")
    void c72_contentTypeCharset() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            a.setCharset("latin1");
            write(rc.raw(), "POST / HTTP/1.1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
            HttpHeader h = a.readHTTPHeader(2000);
            assertEquals("utf-8", h.info().get("charset"));
            assertEquals("text/plain", h.info().get("body-content-type"));
            assertEquals("UTF-8", a.getCharset());
            assertEquals("utf8", h.info().get("accept-charset"), "no Accept-Charset means utf8");

            write(rc.raw(), "HTTP/1.1 200 OK\r\nContent-Type: text/html;charset=ISO-8859-1;level=1\r\n\r\n\u00e9");
            h = a.readHTTPHeader(2000);
            assertEquals("ISO-8859-1", h.info().get("charset"));
            assertEquals("text/html;level=1", h.info().get("body-content-type"));
            assertEquals("ISO-8859-1", a.getCharset());
            assertEquals("\u00e9", a.recv(1, 2000), "the body was not read in the header's charset");

            a.setCharset("UTF-8");
            write(rc.raw(), "POST / HTTP/1.1\r\nContent-Type: text/html\r\n\r\n");
            h = a.readHTTPHeader(2000);
            assertEquals("ISO-8859-1", h.info().get("charset"));
            assertEquals("text/html", h.info().get("body-content-type"));
            assertEquals("ISO-8859-1", a.getCharset());

            a.setCharset("UTF-8");
            write(rc.raw(), "GET / HTTP/1.1\r\nAccept-Charset: iso-8859-5;q=1, koi8-r\r\n"
                    + "Accept-Encoding: gzip;q=1.0, deflate , br;q=0.5\r\n\r\n");
            h = a.readHTTPHeader(2000);
            assertEquals("ISO-8859-1", a.getCharset(), "no Content-Type at all still sets ISO-8859-1");
            assertFalse(h.info().containsKey("charset"));
            assertEquals("iso-8859-5", h.info().get("accept-charset"));
            assertEquals(List.of("gzip", "deflate", "br"), h.info().get("accept-encoding"));

            for (String ac : new String[] {"*", "UTF-8", "utf8;q=0.9", "koi8-r, utf-8"}) {
                write(rc.raw(), "GET / HTTP/1.1\r\nAccept-Charset: " + ac + "\r\n\r\n");
                assertEquals("utf8", a.readHTTPHeader(2000).info().get("accept-charset"), ac);
            }
            // accept-encoding is for requests only
            write(rc.raw(), "HTTP/1.1 200 OK\r\nAccept-Encoding: gzip\r\n\r\n");
            assertFalse(a.readHTTPHeader(2000).info().containsKey("accept-encoding"));
        }
    }

    @Test
    @DisplayName("C73 info.close for requests: HTTP/1.0 closes unless keep-alive, HTTP/1.1 keeps unless close; "
            + "responses have no close")
    void c73_keepAliveRules() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Object[][] cases = {
                {"GET / HTTP/1.0\r\n\r\n", true},
                {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false},
                {"GET / HTTP/1.0\r\nConnection: x-KEEP-ALIVE-y\r\n\r\n", false},
                {"GET / HTTP/1.1\r\n\r\n", false},
                {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", true},
                {"GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", true},
                {"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", false},
            };
            for (Object[] c : cases) {
                write(rc.raw(), (String) c[0]);
                assertEquals(c[1], rc.accepted().readHTTPHeader(2000).info().get("close"), (String) c[0]);
            }
            write(rc.raw(), "HTTP/1.0 200 OK\r\n\r\n");
            assertFalse(rc.accepted().readHTTPHeader(2000).info().containsKey("close"));
        }
    }

    @Test
    @DisplayName("C74 request and status lines: path not decoded, status_code an int, no status_message without text, "
            + "the version the 3 characters after HTTP/")
    void c74_firstLineParsing() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            write(rc.raw(), "GET /a%20b?x=1 HTTP/1.1\r\n\r\n");
            HttpHeader h = a.readHTTPHeader(2000);
            assertEquals("GET", h.method());
            assertEquals("/a%20b?x=1", h.path());
            assertEquals("1.1", h.httpVersion());
            assertEquals("GET /a%20b?x=1 HTTP/1.1", h.info().get("request-uri"));
            assertEquals("GET /a%20b?x=1 HTTP/1.1", h.firstLine());

            write(rc.raw(), "HTTP/1.0 404 Not Found\r\n\r\n");
            h = a.readHTTPHeader(2000);
            assertEquals(404, h.statusCode());
            assertEquals("Not Found", h.statusMessage());
            assertEquals("1.0", h.httpVersion());
            assertEquals("HTTP/1.0 404 Not Found", h.info().get("response-uri"));

            write(rc.raw(), "HTTP/1.1 200\r\n\r\n");
            h = a.readHTTPHeader(2000);
            assertEquals(200, h.statusCode());
            assertNull(h.statusMessage());
            assertFalse(h.toMap().containsKey("status_message"));

            write(rc.raw(), "HTTP/1.12 200 OK\r\n\r\n");
            assertEquals("1.1", a.readHTTPHeader(2000).httpVersion());
        }
    }

    @Test
    @DisplayName("C75 readHTTPHeader timeout: SOCKET-TIMEOUT per wait, not for the whole header; the total deadline "
            + "stops a slow-drip peer; what arrived is kept")
    void c75_readHttpHeaderTimeout() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            long start = System.nanoTime();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::readHTTPHeader", () -> a.readHTTPHeader(100));
            assertEquals("timed out after 100 milliseconds in Socket::readHTTPHeader() call", e.getMessage());
            assertTrue(since(start) >= 90, "returned before the timeout");
            assertTrue(a.isOpen());

            // two bytes every 40 ms: no single wait comes near 1 s even on a loaded machine, so the header completes
            // after ~400 ms although the whole of it takes far longer than one short wait
            String msg = "GET /drip HTTP/1.1\r\n\r\n";
            CompletableFuture<Void> drip = later(0, () -> {
                for (int i = 0; i < 10; i++) {
                    write(rc.raw(), msg.substring(i * 2, i * 2 + 2));
                    Thread.sleep(40);
                }
                write(rc.raw(), msg.substring(20));
            });
            start = System.nanoTime();
            assertEquals("/drip", a.readHTTPHeader(1_000).path());
            assertTrue(since(start) >= 300, "the header cannot have arrived yet");
            join(drip);

            // the same drip against a limit of 200 ms for the whole header
            drip = later(0, () -> {
                for (int i = 0; i < 10; i++) {
                    write(rc.raw(), msg.substring(i * 2, i * 2 + 2));
                    Thread.sleep(40);
                }
                write(rc.raw(), msg.substring(20));
            });
            start = System.nanoTime();
            e = expect(SocketError.TIMEOUT, "Socket::readHTTPHeader", () -> a.readHTTPHeader(1_000, 200));
            long took = since(start);
            assertTrue(took >= 190 && took < 900, "the total limit was not applied: " + took + " ms");
            assertTrue(e.getMessage().contains("limit for the whole header"), e::getMessage);
            join(drip);
            // nothing received was lost: the header is read again from its first byte
            assertEquals("/drip", a.readHTTPHeader(1000).path());
        }
    }

    @Test
    @DisplayName("C76 pendingHttpChunkedBody: true after a chunked header, false after the body and once closed")
    void c76_pendingChunkedBody() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            Socket c = p.client();
            assertFalse(c.pendingHttpChunkedBody());
            p.accepted().sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "chunked"), stream("OK"));
            c.readHTTPHeader(2000);
            assertTrue(c.pendingHttpChunkedBody());
            assertEquals("OK", c.readHTTPChunkedBody(2000).body());
            assertFalse(c.pendingHttpChunkedBody());

            p.accepted().sendHTTPResponse(200, "OK", "1.1", hdrs(), "OK");
            c.readHTTPHeader(2000);
            assertFalse(c.pendingHttpChunkedBody());
            assertEquals("OK", c.recv(2, 2000));

            p.accepted().sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "gzip, chunked"), stream("OK"));
            c.readHTTPHeader(2000);
            assertTrue(c.pendingHttpChunkedBody());
            c.close();
            assertFalse(c.pendingHttpChunkedBody(), "a closed socket has no body pending");
        }
    }

    @Test
    @DisplayName("C77 readHTTPChunkedBody: extensions ignored, trailers returned, negative size READ-HTTP-CHUNK-ERROR, "
            + "strict hex and CRLF, SOCKET-CLOSED mid-body with the bytes kept")
    void c77_readChunkedBody() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            write(rc.raw(), "5;ext=1\r\nhello\r\n0\r\n\r\nNEXT");
            HttpChunkedBody<String> b = a.readHTTPChunkedBody(2000);
            assertEquals("hello", b.body());
            assertEquals(Map.of(), b.trailers());
            assertEquals("NEXT", a.recv(4, 2000), "the body was not ended exactly");

            write(rc.raw(), "3\r\nabc\r\nA;x=\"y\"\r\n0123456789\r\n0\r\nX-T: v\r\nx-t: w\r\nX-U: u\r\n\r\n");
            HttpChunkedBody<byte[]> bb = a.readHTTPChunkedBodyBinary(2000);
            assertEquals("abc0123456789", new String(bb.body(), ISO_8859_1));
            assertEquals(List.of("v", "w"), bb.trailers().get("x-t"));
            assertEquals("u", bb.trailers().get("x-u"));
            assertEquals(List.of("body", "x-t", "x-u"), List.copyOf(bb.toMap().keySet()));

            write(rc.raw(), "-5\r\n");
            SocketException e = expect(SocketError.READ_HTTP_CHUNK_ERROR, "Socket::readHTTPChunkedBody",
                    () -> a.readHTTPChunkedBody(2000));
            assertTrue(e.getMessage().startsWith("negative value given for chunk size (-5)"), e::getMessage);
            assertEquals("-5\r\n", new String(e.partialData(), ISO_8859_1));

            // stricter than Qore: a size that is not hex, and a chunk without CRLF after it, are errors
            write(rc.raw(), "zz\r\n");
            e = expect(SocketError.READ_HTTP_CHUNK_ERROR, "Socket::readHTTPChunkedBody",
                    () -> a.readHTTPChunkedBody(2000));
            assertTrue(e.getMessage().contains("invalid chunk size 'z'"), e::getMessage);
            assertEquals("z", new String(e.partialData(), ISO_8859_1), "it fails at the first byte that cannot fit");
            assertEquals("z\r\n", a.recv(3, 2000), "the bytes after the error were lost");
            write(rc.raw(), "5\r\nhelloXX0\r\n\r\n");
            e = expect(SocketError.READ_HTTP_CHUNK_ERROR, "Socket::readHTTPChunkedBodyBinary",
                    () -> a.readHTTPChunkedBodyBinary(2000));
            assertTrue(e.getMessage().contains("not followed by CR LF"), e::getMessage);
            assertEquals("5\r\nhello", new String(e.partialData(), ISO_8859_1));
            assertEquals("XX0\r\n\r\n", a.recv(7, 2000), "bytes after the error were lost");
            write(rc.raw(), "5\nhello\r\n");
            e = expect(SocketError.READ_HTTP_CHUNK_ERROR, "Socket::readHTTPChunkedBody",
                    () -> a.readHTTPChunkedBody(2000));
            assertTrue(e.getMessage().contains("bare LF"), e::getMessage);
            a.recv(7, 2000);

            write(rc.raw(), "5\r\nhel");
            rc.raw().shutdownOutput();
            e = expect(SocketError.CLOSED, "Socket::readHTTPChunkedBody", () -> a.readHTTPChunkedBody(2000));
            assertTrue(e.getMessage().startsWith("error in Socket::readHTTPChunkedBody(): remote end closed the "
                    + "connection"), e::getMessage);
            assertEquals("5\r\nhel", new String(e.partialData(), ISO_8859_1));
            assertFalse(a.isOpen());
        }
    }

    @Test
    @DisplayName("C78 chunked sending from an InputStream: <hex size> CRLF data CRLF per block of up to "
            + "max_chunk_size bytes, then 0, the trailers and CRLF; max_chunk_size < 1 is HTTP-CHUNK-ERROR")
    void c78_chunkedSendWire() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            Socket s = rp.socket();
            String body = Loopback.randomAscii(10_000, 78);
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "chunked"), stream(body), 4096, 2000,
                    () -> hdrs("X-Sum", "abc", "X-List", List.of(1, 2)));
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1000\r\n" + body.substring(0, 4096) + "\r\n"
                    + "1000\r\n" + body.substring(4096, 8192) + "\r\n"
                    + "710\r\n" + body.substring(8192) + "\r\n"
                    + "0\r\nX-Sum: abc\r\nX-List: 1\r\nX-List: 2\r\n\r\n");
            s.sendHTTPMessage("POST", "/up", "1.1", hdrs(), stream("OK"), 1, -1, null);
            assertWire(rp.raw(), "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nO\r\n1\r\nK\r\n0\r\n\r\n");
            SocketException e = expect(SocketError.HTTP_CHUNK_ERROR, "Socket::sendHTTPResponse",
                    () -> s.sendHTTPResponse(200, "OK", "1.1", hdrs(), stream("OK"), 0, -1, null));
            assertTrue(e.getMessage().startsWith("the max chunk size must be greater than 0; value given is: 0"),
                    e::getMessage);
            assertNothingMore(rp.raw());
            // a body sent on its own, after a header sent by hand
            s.sendHTTPResponse(200, "OK", "1.1", hdrs("Transfer-Encoding", "chunked"));
            s.sendHTTPChunkedBodyFromInputStream(stream("abc"), 2, -1, null);
            assertWire(rp.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
        }
    }

    // =============================================================================================================
    // beyond the contract: what a user needs next, and input that must not get through
    // =============================================================================================================

    @Test
    @DisplayName("CR, LF or NUL in a header, a name that is not a token, or a space in the path: SOCKET-HTTP-ERROR, "
            + "nothing sent")
    void headerInjectionRefused() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            Socket s = rp.socket();
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET", "/", "1.1", hdrs("X-A", "1\r\nSet-Cookie: evil=1")));
            assertTrue(e.getMessage().contains("header 'X-A' contains a CR"), e::getMessage);
            assertTrue(e.getMessage().contains("nothing was sent"), e::getMessage);
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET", "/", "1.1", hdrs("X-A", List.of("ok", "bad\n"))));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET", "/", "1.1", hdrs("Bad Name", "1")));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET", "/", "1.1", hdrs("X:Y", "1")));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET", "/a b", "1.1", hdrs()));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPMessage",
                    () -> s.sendHTTPMessage("GET\r\n", "/", "1.1", hdrs()));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPResponse",
                    () -> s.sendHTTPResponse(200, "OK\r\nX: y", "1.1", hdrs()));
            expect(SocketError.HTTP_ERROR, "Socket::sendHTTPResponse",
                    () -> s.sendHTTPResponse(200, "OK", "1.1", hdrs(), stream("x"), 10, -1,
                            () -> hdrs("X-T", "a\u0000b")));
            // that last one failed only at the trailers: the message went out, except its last chunk
            byte[] sent = rp.raw().getInputStream().readNBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n".length());
            assertTrue(new String(sent, ISO_8859_1).startsWith("HTTP/1.1 200 OK"));
            assertNothingMore(rp.raw());
        }
    }

    @Test
    @DisplayName("readHTTPBody: by Content-Length, chunked, none for a request, until close for a response; limits "
            + "and a bad Content-Length are SOCKET-HTTP-ERROR")
    void readHttpBody() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            write(rc.raw(), "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    + "h\u00c3\u00a9lo");
            HttpHeader h = a.readHTTPHeader(2000);
            assertEquals("h\u00e9lo", a.readHTTPBody(h, 2000));
            write(rc.raw(), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n");
            h = a.readHTTPHeader(2000);
            assertArrayEquals("ab".getBytes(), a.readHTTPBodyBinary(h, 2000));
            write(rc.raw(), "GET / HTTP/1.1\r\n\r\nGET");
            h = a.readHTTPHeader(2000);
            assertEquals(0, a.readHTTPBodyBinary(h, 2000).length, "a request without length has no body");
            assertEquals("GET", a.recv(3, 2000));

            write(rc.raw(), "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n");
            HttpHeader bad = a.readHTTPHeader(2000);
            SocketException e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPBodyBinary",
                    () -> a.readHTTPBodyBinary(bad, 2000));
            assertTrue(e.getMessage().contains("conflicting Content-Length"), e::getMessage);
            a.setHttpBodySizeLimit(10);
            write(rc.raw(), "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
            HttpHeader big = a.readHTTPHeader(2000);
            e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPBodyBinary", () -> a.readHTTPBodyBinary(big, 2000));
            assertTrue(e.getMessage().contains("exceeds the body size limit of 10 bytes"), e::getMessage);
            write(rc.raw(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n");
            HttpHeader chunked = a.readHTTPHeader(2000);
            e = expect(SocketError.HTTP_ERROR, "Socket::readHTTPBodyBinary",
                    () -> a.readHTTPBodyBinary(chunked, 2000));
            assertTrue(e.getMessage().contains("limit of 10 bytes"), e::getMessage);
            a.setHttpBodySizeLimit(1 << 20);
        }
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "HTTP/1.0 200 OK\r\n\r\nuntil the end");
            rc.raw().shutdownOutput();
            HttpHeader h = rc.accepted().readHTTPHeader(2000);
            assertEquals("until the end", rc.accepted().readHTTPBody(h, 2000));
            assertFalse(rc.accepted().isOpen());
        }
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            // a response framed by the connection's end that stalls: what was read is not lost
            write(rc.raw(), "HTTP/1.0 200 OK\r\n\r\npart one, ");
            HttpHeader h = rc.accepted().readHTTPHeader(2000);
            CompletableFuture<Void> f = later(50, () -> write(rc.raw(), "part two"));
            SocketException e = expect(SocketError.TIMEOUT, "Socket::readHTTPBody",
                    () -> rc.accepted().readHTTPBody(h, 300));
            join(f);
            assertEquals("part one, part two", new String(e.partialData(), ISO_8859_1));
            assertTrue(rc.accepted().isOpen());
        }
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "HTTP/1.1 204 No Content\r\n\r\n");
            HttpHeader h = rc.accepted().readHTTPHeader(2000);
            assertEquals(0, rc.accepted().readHTTPBodyBinary(h, 2000).length);
            assertTrue(rc.accepted().isOpen());
        }
    }

    @Test
    @DisplayName("a chunked body that times out half-way is read again, whole, by the next call")
    void chunkedBodyTimeoutKeepsBytes() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            Socket a = rc.accepted();
            write(rc.raw(), "5\r\nhello\r\n3\r\nab");
            expect(SocketError.TIMEOUT, "Socket::readHTTPChunkedBody", () -> a.readHTTPChunkedBody(100));
            assertTrue(a.isOpen());
            write(rc.raw(), "c\r\n0\r\n\r\n");
            assertEquals("helloabc", a.readHTTPChunkedBody(2000).body());
        }
    }

    @Test
    @DisplayName("readHTTPHeaderString returns the header text and a LF, and leaves the body")
    void readHttpHeaderString() throws Exception {
        try (Loopback.RawClient rc = Loopback.rawClient()) {
            write(rc.raw(), "GET / HTTP/1.1\r\nA: b\r\n\r\nBODY");
            assertEquals("GET / HTTP/1.1\r\nA: b\n", rc.accepted().readHTTPHeaderString(2000));
            assertEquals("BODY", rc.accepted().recv(4, 2000));
        }
    }

    @Test
    @DisplayName("a body over 64 KiB goes out after the header from the caller's memory; both arrive whole")
    void largeBody() throws Exception {
        try (Loopback.Pair p = Loopback.pair()) {
            byte[] body = Loopback.randomBytes(300_000, 7);
            CompletableFuture<Void> f = later(0, () -> p.client().sendHTTPMessage("PUT", "/big", "1.1",
                    hdrs("Content-Type", "application/octet-stream"), java.nio.ByteBuffer.wrap(body), 5000));
            HttpHeader h = p.accepted().readHTTPHeader(2000);
            assertEquals(300_000, h.contentLength());
            assertArrayEquals(body, p.accepted().readHTTPBodyBinary(h, 2000));
            join(f);
        }
    }

    @Test
    @DisplayName("HTTP methods on an unopened socket: SOCKET-NOT-OPEN naming the method")
    void notOpen() throws Exception {
        try (Socket s = new Socket()) {
            expect(SocketError.NOT_OPEN, "Socket::sendHTTPMessage", () -> s.sendHTTPMessage("GET", "/", "1.1", hdrs()));
            expect(SocketError.NOT_OPEN, "Socket::readHTTPHeader", s::readHTTPHeader);
            expect(SocketError.NOT_OPEN, "Socket::readHTTPChunkedBody", s::readHTTPChunkedBody);
            expect(SocketError.NOT_OPEN, "Socket::readHTTPChunkedBodyBinary", s::readHTTPChunkedBodyBinary);
            assertFalse(s.pendingHttpChunkedBody());
        }
    }

    @Test
    @DisplayName("a charset a peer named and the JVM does not know: a String body fails with ENCODING-CONVERSION-ERROR "
            + "unsent, while headers and bytes still go out (in ISO-8859-1)")
    void unknownCharset() throws Exception {
        try (Loopback.RawPair rp = Loopback.rawPair()) {
            Socket s = rp.socket();
            write(rp.raw(), "GET / HTTP/1.1\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\n");
            s.readHTTPHeader(2000);
            assertEquals("x-no-such-charset", s.getCharset());
            expect(SocketError.ENCODING_ERROR, "Socket::sendHTTPResponse",
                    () -> s.sendHTTPResponse(200, "OK", "1.1", hdrs(), "x"));
            assertNothingMore(rp.raw());
            s.sendHTTPResponse(400, "Bad Request", "1.1", hdrs("X-Why", "caf\u00e9"), "x".getBytes(StandardCharsets.UTF_8));
            assertWire(rp.raw(), "HTTP/1.1 400 Bad Request\r\nX-Why: caf\u00e9\r\nContent-Length: 1\r\n\r\nx");
            expect(SocketError.ENCODING_ERROR, "Socket::sendHTTPResponse",
                    () -> s.sendHTTPResponse(400, "Bad Request", "1.1", hdrs("X-Why", "\u20ac"), new byte[0]));
            assertNothingMore(rp.raw());
        }
    }
}
