package io.ffsock.frame;

import io.ffsock.Socket;
import io.ffsock.SocketError;
import io.ffsock.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Framing over real loopback sockets: wire formats, coalescing, bounds, and hostile peers. */
@Timeout(10)
class FramingTest {
    private Socket listener;
    private Socket client;
    private Socket server;

    @BeforeEach
    void connect() throws SocketException {
        listener = new Socket();
        assertEquals(0, listener.bind("127.0.0.1:0", true));
        assertEquals(0, listener.listen());
        client = new Socket();
        client.connect("127.0.0.1:" + listener.getSocketInfo(false).port(), 2000);
        client.setNoDelay(true);
        server = listener.accept(2000);
        assertNotNull(server);
    }

    @AfterEach
    void close() {
        client.close();
        server.close();
        listener.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(LengthPrefix.class)
    @DisplayName("every length prefix carries empty, small and maximum-size frames intact")
    void lengthPrefixedRoundTrip(LengthPrefix prefix) throws Exception {
        FrameFormat f = FrameFormat.lengthPrefixed(prefix, 70_000);
        int max = f.maxFrameSize();
        int[] sizes = {0, 1, 200, max};
        try (FrameWriter w = new FrameWriter(client, f); FrameReader r = new FrameReader(server, f)) {
            for (int i = 0; i < sizes.length; i++) {
                w.write(bytes(sizes[i], i));
            }
            w.flush();
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(bytes(sizes[i], i), r.nextBytes(2000), prefix + " frame " + i);
            }
        }
    }

    @Test
    @DisplayName("the length fields are the sendi*/recvu* encodings: a plain Socket reads them with recvu2 and recvu4LSB")
    void prefixesMatchQoreIntegers() throws Exception {
        try (FrameWriter a = new FrameWriter(client, FrameFormat.lengthPrefixed(LengthPrefix.U2));
             FrameWriter b = new FrameWriter(client, FrameFormat.lengthPrefixed(LengthPrefix.U4_LSB))) {
            a.write(new byte[300]);
            a.flush();
            b.write(new byte[70_000]);
            b.flush();
        }
        assertEquals(300, server.recvu2(2000));
        server.recvBinary(300, 2000);
        assertEquals(70_000, server.recvu4LSB(2000));
        server.recvBinary(70_000, 2000);
        client.sendi4(5);
        client.send("hello");
        try (FrameReader r = new FrameReader(server, FrameFormat.lengthPrefixed(LengthPrefix.I4))) {
            assertEquals("hello", r.next(2000).toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    @DisplayName("a thousand small frames leave in one send and arrive in a handful of reads, through one flyweight")
    void coalescedWritesAndBufferedReads() throws Exception {
        FrameFormat f = FrameFormat.lengthPrefixed(LengthPrefix.U4);
        try (FrameWriter w = new FrameWriter(client, f); FrameReader r = new FrameReader(server, f)) {
            for (int i = 0; i < 1000; i++) {
                w.write(bytes(40, i));
            }
            assertEquals(0, w.sends(), "nothing leaves before a bound or a flush");
            assertFalse(server.isDataAvailable(50));
            w.flush();
            assertEquals(1, w.sends());
            assertEquals(1000, w.framesWritten());
            Frame first = r.next(2000);
            assertTrue(first.contentEquals(bytes(40, 0)));
            for (int i = 1; i < 1000; i++) {
                Frame fr = r.next(2000);
                assertSame(first, fr, "one flyweight, re-pointed");
                assertTrue(fr.contentEquals(bytes(40, i)), "frame " + i);
            }
            assertTrue(r.reads() < 20, "1000 frames decoded from " + r.reads() + " reads");
        }
    }

    @Test
    @DisplayName("the size bound sends a full buffer on its own, and no frame is split across a flush")
    void sizeBound() throws Exception {
        FrameFormat f = FrameFormat.lengthPrefixed(LengthPrefix.U2);
        try (FrameWriter w = new FrameWriter(client, f, 1024, null); FrameReader r = new FrameReader(server, f)) {
            for (int i = 0; i < 100; i++) {
                w.write(bytes(62, i)); // 64 bytes a frame: 16 fill the buffer exactly
            }
            assertEquals(6, w.sends());
            assertEquals(4 * 64, w.buffered());
            for (int i = 0; i < 96; i++) {
                assertArrayEquals(bytes(62, i), r.nextBytes(2000));
            }
            assertThrows(SocketException.class, () -> r.next(100), "the last 4 frames wait for a flush");
            w.flush();
            for (int i = 96; i < 100; i++) {
                assertArrayEquals(bytes(62, i), r.nextBytes(2000));
            }
        }
    }

    @Test
    @DisplayName("the time bound: a write that finds the oldest frame older than maxDelay sends both")
    void timeBound() throws Exception {
        FrameFormat f = FrameFormat.delimited(Delimiter.LF);
        try (FrameWriter w = new FrameWriter(client, f, 4096, Duration.ofMillis(30));
             FrameReader r = new FrameReader(server, f)) {
            w.write("one".getBytes(StandardCharsets.US_ASCII));
            assertFalse(server.isDataAvailable(60), "held back until the bound");
            w.write("two".getBytes(StandardCharsets.US_ASCII));
            assertEquals(1, w.sends());
            assertEquals("one", r.next(2000).toString(StandardCharsets.US_ASCII));
            assertEquals("two", r.next(2000).toString(StandardCharsets.US_ASCII));
        }
        try (FrameWriter w = new FrameWriter(client, f, 4096, Duration.ZERO)) {
            w.write("now".getBytes(StandardCharsets.US_ASCII));
            assertEquals(1, w.sends(), "Duration.ZERO sends each frame at once");
            assertEquals("now\n", server.recv(4, 2000));
        }
    }

    @ParameterizedTest
    @EnumSource(Delimiter.class)
    @DisplayName("a frame larger than the buffer arrives whole, for both kinds of format")
    void largeFrames(Delimiter d) throws Exception {
        for (FrameFormat f : new FrameFormat[] {FrameFormat.delimited(d, 200_000),
                FrameFormat.lengthPrefixed(LengthPrefix.U4, 200_000)}) {
            byte[] big = new byte[150_000];
            java.util.Arrays.fill(big, (byte) 'x');
            try (FrameWriter w = new FrameWriter(client, f, 64, null); FrameReader r = new FrameReader(server, f)) {
                w.write(big);
                w.write("tail".getBytes(StandardCharsets.US_ASCII));
                w.flush();
                assertArrayEquals(big, r.nextBytes(2000), f.toString());
                assertEquals("tail", r.next(2000).toString(StandardCharsets.US_ASCII));
                assertTrue(r.capacity() >= 150_000 && r.capacity() <= 200_000 + 4, "grown to fit, not beyond");
            }
        }
    }

    @Test
    @DisplayName("CRLF frames: a lone LF or CR is data, only the pair ends a frame")
    void crlf() throws Exception {
        client.send("a\r\nb\nc\r\n\r\nd\r\r\n");
        try (FrameReader r = new FrameReader(server, FrameFormat.delimited(Delimiter.CRLF))) {
            assertEquals("a", r.next(2000).toString(StandardCharsets.US_ASCII));
            assertEquals("b\nc", r.next(2000).toString(StandardCharsets.US_ASCII));
            assertEquals("", r.next(2000).toString(StandardCharsets.US_ASCII));
            assertEquals("d\r", r.next(2000).toString(StandardCharsets.US_ASCII));
        }
        try (FrameWriter w = new FrameWriter(client, FrameFormat.delimited(Delimiter.CRLF))) {
            w.write("x\ny\r".getBytes(StandardCharsets.US_ASCII));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.write("x\r\ny".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(e.getMessage().contains("delimiter"), e.getMessage());
        }
        assertEquals("x\ny\r\r\n", server.recv(6, 2000));
    }

    @Test
    @DisplayName("an oversized or negative length from the peer is a SocketException, with nothing allocated for it")
    void hostileLengths() throws Exception {
        client.sendi4(0xFFFF_FFF0L);
        client.send("junk");
        FrameFormat f = FrameFormat.lengthPrefixed(LengthPrefix.U4, 1 << 20);
        try (FrameReader r = new FrameReader(server, f)) {
            SocketException e = assertThrows(SocketException.class, () -> r.next(2000));
            assertEquals(SocketError.RECV_ERROR, e.error());
            assertTrue(e.getMessage().contains("4294967280") && e.getMessage().contains("1048576"), e.getMessage());
            assertEquals(64 * 1024, r.capacity(), "the buffer did not grow for the announced size");
            assertSame(e, assertThrows(SocketException.class, () -> r.next(2000)), "the reader stays broken");
        }
        client.sendi4(-5);
        try (FrameReader r = new FrameReader(server, FrameFormat.lengthPrefixed(LengthPrefix.I4))) {
            SocketException e = assertThrows(SocketException.class, () -> r.next(2000));
            assertTrue(e.getMessage().contains("negative"), e.getMessage());
        }
        client.send("x".repeat(5000));
        try (FrameReader r = new FrameReader(server, FrameFormat.delimited(Delimiter.LF, 4000))) {
            SocketException e = assertThrows(SocketException.class, () -> r.next(2000));
            assertTrue(e.getMessage().contains("without its LF delimiter"), e.getMessage());
        }
    }

    @Test
    @DisplayName("the writer refuses a frame above the maximum; U1 and U2 cap the maximum at what they hold")
    void writerBounds() {
        assertEquals(255, FrameFormat.lengthPrefixed(LengthPrefix.U1, 1 << 20).maxFrameSize());
        assertEquals(65535, FrameFormat.lengthPrefixed(LengthPrefix.U2_LSB).maxFrameSize());
        try (FrameWriter w = new FrameWriter(client, FrameFormat.lengthPrefixed(LengthPrefix.U1))) {
            assertThrows(IllegalArgumentException.class, () -> w.write(new byte[256]));
            assertEquals(0, w.framesWritten());
        } catch (SocketException e) {
            fail(e);
        }
    }

    @Test
    @DisplayName("end of stream between frames is null; in the middle of one it is SOCKET-CLOSED with the bytes")
    void endOfStream() throws Exception {
        client.sendi2(10);
        client.send("abc");
        client.shutdown();
        try (FrameReader r = new FrameReader(server, FrameFormat.lengthPrefixed(LengthPrefix.U2))) {
            SocketException e = assertThrows(SocketException.class, () -> r.next(2000));
            assertEquals(SocketError.CLOSED, e.error());
            assertArrayEquals(new byte[] {0, 10, 'a', 'b', 'c'}, e.partialData());
            assertNull(r.next(2000));
        }
    }

    @Test
    @DisplayName("a read that times out in the middle of a frame keeps its bytes; the frame completes later")
    void timeoutKeepsPartialFrame() throws Exception {
        FrameFormat f = FrameFormat.lengthPrefixed(LengthPrefix.U4);
        try (FrameReader r = new FrameReader(server, f); Arena arena = Arena.ofConfined()) {
            client.sendi4(6);
            client.send("hal");
            SocketException e = assertThrows(SocketException.class, () -> r.next(50));
            assertEquals(SocketError.TIMEOUT, e.error());
            assertEquals(7, r.buffered());
            client.send("f!!");
            Frame fr = r.next(2000);
            MemorySegment copy = arena.allocate(fr.length());
            fr.copyTo(copy, 0);
            assertEquals("half!!", new String(copy.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII));
            assertEquals((byte) 'h', fr.get(0));
            assertThrows(IndexOutOfBoundsException.class, () -> fr.get(6));
        }
    }
}
