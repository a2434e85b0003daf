package io.ffsock;

import io.ffsock.internal.sys.Errno;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ffsock.Loopback.expect;
import static io.ffsock.Loopback.hex;
import static io.ffsock.Loopback.join;
import static io.ffsock.Loopback.later;
import static io.ffsock.Loopback.since;
import static org.junit.jupiter.api.Assertions.*;

/**
 * qore-contract.md section D: send and recv (C32 to C51) on plain sockets, with ffsock's decisions where Qore
 * contradicts itself: {@code recv(-1)} reads until the peer closes, {@code recv(0)} returns what is available,
 * {@code recv(n)} cut short by the peer throws SOCKET-CLOSED carrying the bytes that did arrive, and bytes gathered
 * by a read that timed out are returned by the next read. C50's TLS half belongs to the TLS tests.
 */
@Timeout(10)
class SendRecvTest {
    private static final int BIG = 128 * 1024;

    /** Contract fixture PAIR; {@code TlsSendRecvTest} runs every case here over TLS by overriding the fixtures. */
    Loopback.Pair pair() throws Exception {
        return Loopback.pair();
    }

    /** An ffsock client and a JDK peer that reads and writes exact bytes. */
    Loopback.RawPair rawPair() throws Exception {
        return Loopback.rawPair();
    }

    /** A JDK client and the ffsock socket its listener accepted. */
    Loopback.RawClient rawClient() throws Exception {
        return Loopback.rawClient();
    }

    @Test
    @DisplayName("C32 recv(n) returns exactly n bytes, only once all have arrived; the rest stays buffered")
    void c32_recvExactlyN() throws Exception {
        try (Loopback.Pair p = pair()) {
            AtomicBoolean lastSent = new AtomicBoolean();
            CompletableFuture<Void> f = later(0, () -> {
                p.client().send("hel");
                Thread.sleep(100);
                lastSent.set(true);
                p.client().send("lo");
            });
            assertEquals("hello", p.accepted().recv(5));
            assertTrue(lastSent.get(), "recv(5) returned before the last 2 bytes were sent");
            join(f);
            // bytes beyond n are kept for the next read: one write of 8, read as 5 + 3 (the 3 are in ffsock's buffer)
            p.client().send("helloXYZ");
            assertEquals("hello", p.accepted().recv(5, 200));
            assertTrue(p.accepted().isDataAvailable(), "the 3 extra bytes were not kept");
            assertEquals("XYZ", p.accepted().recv(3, 200));
            assertFalse(p.accepted().isDataAvailable());
        }
    }

    @Test
    @DisplayName("C33 send(str), send(bin), sendBinary and sendi* return 0 on success")
    void c33_sendReturnsZero() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket c = p.client();
            assertEquals(0, c.send("ab"));
            assertEquals(0, c.send("cd", 200));
            assertEquals(0, c.send("ef".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(0, c.send(ByteBuffer.wrap("gh".getBytes(StandardCharsets.US_ASCII))));
            assertEquals(0, c.send(MemorySegment.ofArray("ij".getBytes(StandardCharsets.US_ASCII))));
            assertEquals(0, c.sendBinary("kl"));
            assertEquals(0, c.sendBinary("mn".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("abcdefghijklmn", p.accepted().recv(14, 200));
            assertEquals(0, c.sendi1(1));
            assertEquals(0, c.sendi2(2));
            assertEquals(0, c.sendi4(3));
            assertEquals(0, c.sendi8(4));
            assertEquals(0, c.sendi2LSB(5));
            assertEquals(0, c.sendi4LSB(6));
            assertEquals(0, c.sendi8LSB(7));
            assertEquals(1 + 2 + 4 + 8 + 2 + 4 + 8, p.accepted().recvBinary(29, 200).length);
        }
    }

    @Test
    @DisplayName("C34 recv(-1) after the peer sent data and closed returns all of it, then the socket is closed")
    void c34_recvAllAfterPeerClosed() throws Exception {
        String random256 = Loopback.randomAscii(256, 34);
        try (Loopback.Pair p = pair()) {
            p.client().send(random256);
            p.client().close();
            assertEquals(random256, p.accepted().recv(-1));
            assertFalse(p.accepted().isOpen());
        }
    }

    @Test
    @DisplayName("C35 recv(-1)/recvBinary(-1) read until the peer closes, across pauses (Qore returns early)")
    void c35_recvAllWaitsForClose() throws Exception {
        byte[] data = Loopback.randomBytes(BIG, 35);
        try (Loopback.Pair p = pair()) {
            CompletableFuture<Void> f = later(0, () -> {
                p.client().send(java.util.Arrays.copyOfRange(data, 0, BIG / 2));
                Thread.sleep(100);
                p.client().send(java.util.Arrays.copyOfRange(data, BIG / 2, BIG));
                p.client().close();
            });
            assertArrayEquals(data, p.accepted().recvBinary(-1), "one recvBinary(-1) must return everything");
            assertFalse(p.accepted().isOpen());
            join(f);
        }
        String text = Loopback.randomAscii(1000, 35);
        try (Loopback.Pair p = pair()) {
            CompletableFuture<Void> f = later(0, () -> {
                p.client().send(text.substring(0, 10));
                Thread.sleep(100);
                p.client().send(text.substring(10));
                p.client().close();
            });
            assertEquals(text, p.accepted().recv(-1));
            assertFalse(p.accepted().isOpen());
            join(f);
        }
    }

    @Test
    @DisplayName("C36 recv(0) returns what is available (waiting for at least one byte) and leaves the socket open")
    void c36_recvZeroReturnsAvailable() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket a = p.accepted();
            p.client().send("abc");
            assertTrue(a.isDataAvailable(200));
            assertEquals("abc", a.recv(0), "recv(0) must not wait for the peer to close");
            assertTrue(a.isOpen());
            // blocks until something arrives
            AtomicBoolean sent = new AtomicBoolean();
            CompletableFuture<Void> f = later(100, () -> {
                sent.set(true);
                p.client().send("xyz");
            });
            assertEquals("xyz", a.recv(0));
            assertTrue(sent.get(), "recv(0) returned before anything was sent");
            join(f);
            // recvBinary(0) and recv() (size 0) likewise
            p.client().send("123");
            assertTrue(a.isDataAvailable(200));
            assertArrayEquals("123".getBytes(StandardCharsets.US_ASCII), a.recvBinary(0));
            p.client().send("456");
            assertTrue(a.isDataAvailable(200));
            assertEquals("456", a.recv());
            // and honours its timeout
            expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(0, 100));
            assertTrue(a.isOpen());
        }
    }

    @Test
    @DisplayName("C37 recv(-1)/recv(0)/recvBinary(-1) when the peer closed without sending: empty, no exception, "
            + "closed; the next call throws SOCKET-NOT-OPEN")
    void c37_recvAllAtEof() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().close();
            assertEquals("", p.accepted().recv(-1));
            assertFalse(p.accepted().isOpen());
            expect(SocketError.NOT_OPEN, "Socket::recv", () -> p.accepted().recv(-1));
        }
        try (Loopback.Pair p = pair()) {
            p.client().close();
            assertEquals("", p.accepted().recv(0));
            assertFalse(p.accepted().isOpen());
            expect(SocketError.NOT_OPEN, "Socket::recv", () -> p.accepted().recv(0));
        }
        try (Loopback.Pair p = pair()) {
            p.client().close();
            assertArrayEquals(new byte[0], p.accepted().recvBinary(-1));
            assertFalse(p.accepted().isOpen());
            expect(SocketError.NOT_OPEN, "Socket::recvBinary", () -> p.accepted().recvBinary(-1));
        }
    }

    @Test
    @DisplayName("C38 recv(n) when the peer closes before n bytes: SOCKET-CLOSED with the bytes in partialData(), "
            + "closed")
    void c38_recvNCutShort() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().send("abc");
            p.client().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::recv", () -> p.accepted().recv(10));
            assertTrue(e.getMessage().startsWith("error in Socket::recv(): remote end closed the connection"),
                    e::getMessage);
            assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), e.partialData());
            assertFalse(p.accepted().isOpen());
        }
        try (Loopback.Pair p = pair()) {
            p.client().send("abc");
            p.client().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::recvBinary", () -> p.accepted().recvBinary(10));
            assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), e.partialData());
            assertFalse(p.accepted().isOpen());
        }
    }

    @Test
    @DisplayName("C39 recv with a timeout and no data: SOCKET-TIMEOUT naming the method and the timeout; "
            + "the socket stays open")
    void c39_recvTimeout() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket a = p.accepted();
            long start = System.nanoTime();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(10, 100));
            long ms = since(start);
            assertTrue(ms >= 90 && ms < 1000, () -> "timed out after " + ms + " ms");
            assertEquals("timed out after 100 milliseconds in Socket::recv() call (10 bytes requested; 0 bytes "
                    + "received)", e.getMessage());
            e = expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(-1, 100));
            assertEquals("timed out after 100 milliseconds in Socket::recv() call", e.getMessage());
            e = expect(SocketError.TIMEOUT, "Socket::recvBinary", () -> a.recvBinary(10, 100));
            assertTrue(e.getMessage().startsWith("timed out after 100 milliseconds in Socket::recvBinary() call"),
                    e::getMessage);
            e = expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(10, 1));
            assertTrue(e.getMessage().startsWith("timed out after 1 millisecond in Socket::recv() call"),
                    e::getMessage);
            assertTrue(a.isOpen(), "a timeout closed the socket");
            p.client().send("later");
            assertEquals("later", a.recv(5, 200), "the socket is unusable after a timeout");
        }
    }

    @Test
    @DisplayName("C39 bytes a timed-out recv had gathered are returned by the next read, in order")
    void c39_timedOutBytesAreKept() throws Exception {
        try (Loopback.RawClient r = rawClient()) {
            OutputStream out = r.raw().getOutputStream();
            Socket a = r.accepted();
            out.write("012".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(10, 100));
            assertTrue(e.getMessage().endsWith("(10 bytes requested; 3 bytes received)"), e::getMessage);
            assertTrue(a.isOpen());
            out.write("3456789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("0123456789", a.recv(10, 200));
            // the same for a recv(-1) that timed out, read back by recv(0)
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(-1, 100));
            assertEquals("abc", a.recv(0, 200));
        }
    }

    @Test
    @DisplayName("C40 timeout 0 with no data: SOCKET-TIMEOUT at once")
    void c40_zeroTimeout() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket a = p.accepted();
            long start = System.nanoTime();
            SocketException e = expect(SocketError.TIMEOUT, "Socket::recv", () -> a.recv(-1, 0));
            assertTrue(e.getMessage().startsWith("timed out after 0 milliseconds in Socket::recv() call"),
                    e::getMessage);
            expect(SocketError.TIMEOUT, "Socket::recvBinary", () -> a.recvBinary(0, 0));
            long ms = since(start);
            assertTrue(ms < 150, () -> "timeout 0 waited " + ms + " ms");
            assertTrue(a.isOpen());
        }
    }

    @Test
    @DisplayName("C41 isDataAvailable(t) then recvBinary(0, 0) returns what is buffered; looped, 128 KiB arrive intact")
    void c41_isDataAvailableThenRecvNoWait() throws Exception {
        byte[] data = Loopback.randomBytes(BIG, 41);
        try (Loopback.Pair p = pair()) {
            CompletableFuture<Void> f = later(0, () -> p.client().send(data, 200));
            Socket a = p.accepted();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            while (got.size() < BIG) {
                assertTrue(a.isDataAvailable(200), () -> "stalled at " + got.size());
                byte[] b = a.recvBinary(0, 0);
                assertTrue(b.length > 0);
                got.writeBytes(b);
            }
            assertArrayEquals(data, got.toByteArray());
            join(f);
        }
    }

    @Test
    @DisplayName("C42 connection reset while receiving: SOCKET-CLOSED \"remote end closed the connection\", closed")
    void c42_resetWhileReceiving() throws Exception {
        try (Loopback.RawClient r = rawClient()) {
            Socket a = r.accepted();
            r.raw().setSoLinger(true, 0);
            CompletableFuture<Void> f = later(50, () -> r.raw().close());
            SocketException e = expect(SocketError.CLOSED, "Socket::recv", () -> a.recv(10));
            assertTrue(e.getMessage().startsWith("error in Socket::recv(): remote end closed the connection"),
                    e::getMessage);
            assertEquals(Errno.ECONNRESET, e.errno(), "a reset carries its errno, as Qore's arg does");
            assertEquals(Errno.ECONNRESET, e.getArg());
            assertFalse(a.isOpen());
            join(f);
        }
        // bytes that arrived before the reset are not lost
        try (Loopback.RawClient r = rawClient()) {
            Socket a = r.accepted();
            r.raw().getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
            assertTrue(a.isDataAvailable(200));
            r.raw().setSoLinger(true, 0);
            r.raw().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::recv", () -> a.recv(10));
            assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), e.partialData());
            assertFalse(a.isOpen());
        }
    }

    @Test
    @DisplayName("C43 integer round trips, big-endian and LSB")
    void c43_integerRoundTrips() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket c = p.client();
            Socket a = p.accepted();
            c.sendi1(10);
            c.sendi2(5121);
            c.sendi4(2393921);
            c.sendi8(12309309203932L);
            c.sendi2LSB(5121);
            c.sendi4LSB(2393921);
            c.sendi8LSB(12309309203932L);
            assertEquals(10, a.recvi1());
            assertEquals(5121, a.recvi2());
            assertEquals(2393921, a.recvi4());
            assertEquals(12309309203932L, a.recvi8());
            assertEquals(5121, a.recvi2LSB());
            assertEquals(2393921, a.recvi4LSB());
            assertEquals(12309309203932L, a.recvi8LSB());
            c.sendi1(10, 200);
            c.sendi2(5121, 200);
            c.sendi4(2393921, 200);
            c.sendi8(-12309309203932L, 200);
            c.sendi2LSB(5121, 200);
            c.sendi4LSB(2393921, 200);
            c.sendi8LSB(-12309309203932L, 200);
            assertEquals(10, a.recvu1(200));
            assertEquals(5121, a.recvu2(200));
            assertEquals(2393921, a.recvu4(200));
            assertEquals(-12309309203932L, a.recvi8(200));
            assertEquals(5121, a.recvu2LSB(200));
            assertEquals(2393921, a.recvu4LSB(200));
            assertEquals(-12309309203932L, a.recvi8LSB(200));
            assertFalse(a.isDataAvailable());
        }
    }

    @Test
    @DisplayName("C44 integer wire byte order, checked by a RAW peer")
    void c44_integerWireOrder() throws Exception {
        try (Loopback.RawPair r = rawPair()) {
            Socket s = r.socket();
            InputStream in = r.raw().getInputStream();
            s.sendi1(10);
            assertEquals("0a", hex(in.readNBytes(1)));
            s.sendi2(5121);
            assertEquals("14 01", hex(in.readNBytes(2)));
            s.sendi2LSB(5121);
            assertEquals("01 14", hex(in.readNBytes(2)));
            s.sendi4(2393921);
            assertEquals("00 24 87 41", hex(in.readNBytes(4)));
            s.sendi4LSB(2393921);
            assertEquals("41 87 24 00", hex(in.readNBytes(4)));
            s.sendi8(12309309203932L);
            assertEquals("00 00 0b 31 fc 00 a5 dc", hex(in.readNBytes(8)));
            s.sendi8LSB(12309309203932L);
            assertEquals("dc a5 00 fc 31 0b 00 00", hex(in.readNBytes(8)));
        }
    }

    @Test
    @DisplayName("C45 integer truncation and sign: sendi* keep the low bytes; recvi* are signed, recvu* unsigned")
    void c45_integerTruncationAndSign() throws Exception {
        try (Loopback.RawPair r = rawPair()) {
            Socket s = r.socket();
            InputStream in = r.raw().getInputStream();
            OutputStream out = r.raw().getOutputStream();
            s.sendi1(0x1FF);
            assertEquals("ff", hex(in.readNBytes(1)));
            s.sendi2(0x12345);
            assertEquals("23 45", hex(in.readNBytes(2)));
            s.sendi4(0x1_0000_0001L);
            assertEquals("00 00 00 01", hex(in.readNBytes(4)));

            out.write(new byte[] {(byte) 0xff, (byte) 0xff});
            assertEquals(-1, s.recvi1(200));
            assertEquals(255, s.recvu1(200));
            out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertEquals(-1, s.recvi2(200));
            assertEquals(65535, s.recvu2(200));
            assertEquals(65535, s.recvu2LSB(200));
            byte[] ones = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
            out.write(ones);
            out.write(ones);
            out.write(ones);
            assertEquals(-1, s.recvi4(200));
            assertEquals(4294967295L, s.recvu4(200));
            assertEquals(4294967295L, s.recvu4LSB(200));
            out.write(new byte[] {(byte) 0x80, 0, 0, 0});
            assertEquals(2147483648L, s.recvu4(200));
            out.write(new byte[] {0, (byte) 0x80});
            assertEquals(32768, s.recvu2LSB(200));
        }
    }

    @Test
    @DisplayName("C46 integer readers throw SOCKET-CLOSED on EOF and SOCKET-TIMEOUT naming Socket::recvi4()")
    void c46_integerReaderEofAndTimeout() throws Exception {
        try (Loopback.Pair p = pair()) {
            expect(SocketError.TIMEOUT, "Socket::recvi4", () -> p.accepted().recvi4(100));
            assertTrue(p.accepted().isOpen());
            p.client().sendi1(1);
            p.client().close();
            SocketException e = expect(SocketError.CLOSED, "Socket::recvi4", () -> p.accepted().recvi4());
            assertTrue(e.getMessage().startsWith("error in Socket::recvi4(): remote end closed the connection"),
                    e::getMessage);
            assertArrayEquals(new byte[] {1}, e.partialData());
            assertFalse(p.accepted().isOpen());
        }
    }

    @Test
    @DisplayName("C46 an integer split across reads is assembled: 4 bytes sent one at a time with pauses")
    void c46_integerSplitAcrossReads() throws Exception {
        try (Loopback.RawPair r = rawPair()) {
            OutputStream out = r.raw().getOutputStream();
            byte[] v = {0x00, 0x24, (byte) 0x87, 0x41};
            CompletableFuture<Void> f = later(0, () -> {
                for (byte b : v) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(30);
                }
            });
            assertEquals(2393921, r.socket().recvi4(200));
            join(f);
            // an 8-byte LSB value in 3 pieces, the first two of them before a recvi8LSB that times out
            byte[] w = {(byte) 0xdc, (byte) 0xa5, 0x00, (byte) 0xfc, 0x31, 0x0b, 0x00, 0x00};
            out.write(w, 0, 3);
            out.flush();
            Thread.sleep(20);
            out.write(w, 3, 2);
            out.flush();
            expect(SocketError.TIMEOUT, "Socket::recvi8LSB", () -> r.socket().recvi8LSB(100));
            out.write(w, 5, 3);
            out.flush();
            assertEquals(12309309203932L, r.socket().recvi8LSB(200));
        }
    }

    @Test
    @DisplayName("C47 sending zero bytes returns 0 and sends nothing; unopened it still throws SOCKET-NOT-OPEN")
    void c47_sendZeroBytes() throws Exception {
        try (Loopback.RawPair r = rawPair()) {
            Socket s = r.socket();
            assertEquals(0, s.send(""));
            assertEquals(0, s.send(new byte[0]));
            assertEquals(0, s.sendBinary(new byte[0]));
            assertEquals(0, s.sendBinary(""));
            assertEquals(0, s.send("x"));
            InputStream in = r.raw().getInputStream();
            assertEquals('x', in.read());
            r.raw().setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, in::read, "an empty send put bytes on the wire");
        }
        try (Socket s = new Socket()) {
            expect(SocketError.NOT_OPEN, "Socket::send", () -> s.send(""));
            expect(SocketError.NOT_OPEN, "Socket::send", () -> s.send(new byte[0]));
            expect(SocketError.NOT_OPEN, "Socket::sendBinary", () -> s.sendBinary(new byte[0]));
        }
    }

    @Test
    @DisplayName("C48 a 128 KiB binary transfer arrives byte for byte (recvBinary(0) looped, and recvBinary(-1))")
    void c48_largeBinaryTransfer() throws Exception {
        byte[] data = Loopback.randomBytes(BIG, 48);
        try (Loopback.Pair p = pair()) {
            CompletableFuture<Void> f = later(0, () -> assertEquals(0, p.client().send(data)));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            while (got.size() < BIG) {
                got.writeBytes(p.accepted().recvBinary(0, 200));
            }
            assertArrayEquals(data, got.toByteArray());
            join(f);
            // the other direction, read in one call until the peer closes
            f = later(0, () -> {
                p.accepted().send(data);
                p.accepted().close();
            });
            assertArrayEquals(data, p.client().recvBinary(-1, 200));
            join(f);
        }
    }

    @Test
    @DisplayName("C49 charset: names looked up without case; latin1 send(\"\u00e9\") puts e9 on the wire, "
            + "sendBinary(\"\u00e9\") c3 a9; recv decodes with the socket charset")
    void c49_charsets() throws Exception {
        try (Socket s = new Socket()) {
            assertEquals("UTF-8", s.getCharset(), "the default charset");
            s.setCharset("utf8");
            assertEquals("UTF-8", s.getCharset());
            s.setCharset("latin1");
            assertEquals("ISO-8859-1", s.getCharset());
            s.setCharset("LATIN1");
            assertEquals("ISO-8859-1", s.getCharset());
            s.setCharset("X-FOO");
            assertEquals("X-FOO", s.getCharset());
            s.setEncoding("Utf-8");
            assertEquals("UTF-8", s.getEncoding());
            assertEquals("UTF-8", s.getCharset());
        }
        try (Loopback.RawPair r = rawPair()) {
            Socket s = r.socket();
            InputStream in = r.raw().getInputStream();
            OutputStream out = r.raw().getOutputStream();
            s.setCharset("ISO-8859-1");
            s.send("\u00e9");
            assertEquals("e9", hex(in.readNBytes(1)));
            s.sendBinary("\u00e9");
            assertEquals("c3 a9", hex(in.readNBytes(2)));
            out.write(0xe9);
            assertEquals("\u00e9", s.recv(1, 200));
            s.setCharset("UTF-8");
            s.send("\u00e9");
            assertEquals("c3 a9", hex(in.readNBytes(2)));
            out.write(new byte[] {(byte) 0xc3, (byte) 0xa9});
            assertEquals("\u00e9", s.recv(2, 200));
        }
    }

    @Test
    @DisplayName("C50 sending after the peer went away: SOCKET-SEND-ERROR (EPIPE or ECONNRESET) naming "
            + "Socket::send(), then closed")
    void c50_sendAfterPeerClosed() throws Exception {
        try (Loopback.Pair p = pair()) {
            p.client().close();
            Socket a = p.accepted();
            byte[] chunk = new byte[1024];
            SocketException e = null;
            for (int i = 0; i < 200 && e == null; i++) {
                try {
                    assertEquals(0, a.send(chunk, 200));
                    Thread.sleep(5);
                } catch (SocketException x) {
                    e = x;
                }
            }
            assertNotNull(e, "send never failed after the peer closed");
            SocketException err = e;
            assertEquals(SocketError.SEND_ERROR, err.error(), err::toString);
            assertTrue(err.errno() == Errno.EPIPE || err.errno() == Errno.ECONNRESET, err::toString);
            assertEquals("error while executing Socket::send(): " + Errno.strerror(err.errno()), err.getMessage());
            assertFalse(a.isOpen());
            expect(SocketError.NOT_OPEN, "Socket::send", () -> a.send(chunk));
        }
    }

    @Test
    @DisplayName("C51 send timeout while the peer does not read: SOCKET-TIMEOUT naming Socket::send(); still open")
    void c51_sendTimeout() throws Exception {
        try (Loopback.Pair p = pair()) {
            Socket a = p.accepted();
            byte[] chunk = new byte[1 << 20];
            SocketException e = null;
            long ms = 0;
            for (int i = 0; i < 64 && e == null; i++) {
                long start = System.nanoTime();
                try {
                    a.send(chunk, 200);
                } catch (SocketException x) {
                    ms = since(start);
                    e = x;
                }
            }
            assertNotNull(e, "64 MiB went into a peer that does not read");
            assertEquals(SocketError.TIMEOUT, e.error(), e::toString);
            assertTrue(e.getMessage().startsWith("timed out after 200 milliseconds in Socket::send() call"),
                    e::getMessage);
            assertTrue(ms >= 190, "the send timed out after " + ms + " ms");
            assertTrue(a.isOpen(), "a send timeout closed the socket");
        }
    }
}
