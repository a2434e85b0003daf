package io.ffsock;

import io.ffsock.http.ChunkedBodyDecoder;
import io.ffsock.http.HttpHeader;
import io.ffsock.http.HttpHeaderScanner;
import io.ffsock.http.HttpParser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A seeded fuzz test of the HTTP header scanner and parser and the chunked-body decoder: inputs drawn from a grammar
 * of HTTP messages and then mutated (bytes flipped, inserted, deleted, CR/LF/NUL/':' sprinkled, lines repeated,
 * sizes made huge or negative), offered whole and in random pieces. Each run goes through seeds from a fixed start
 * for a bounded time (about {@code ffsock.fuzz.seconds}, default 3, per target), so CI is reproducible and a failure
 * names its seed and input.
 * <p>
 * What must hold for every input: nothing but a {@link SocketException} is thrown; offering the bytes in pieces gives
 * the same outcome as offering them at once; the header scanner finds the end exactly where a plain transcription of
 * Qore's state machine finds it; the decoder returns a valid body unchanged; and the heap allocated per input stays
 * within a small multiple of its length, whatever sizes it claims.
 */
class HttpFuzzTest {
    private static final long SEED = Long.getLong("ffsock.fuzz.seed", 20240917L);
    private static final long BUDGET_MS = (long) (Double.parseDouble(System.getProperty("ffsock.fuzz.seconds", "3"))
            * 1000);
    private static final int LIMIT = 16384;
    /**
     * {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes()}, found reflectively: the tests are
     * compiled into the io.ffsock module, which does not read the management modules.
     */
    private static final MethodHandle ALLOCATED;
    static {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            ALLOCATED = MethodHandles.publicLookup().findVirtual(type, "getCurrentThreadAllocatedBytes",
                    MethodType.methodType(long.class)).bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // =============================================================================================================
    // generators
    // =============================================================================================================

    private static final String[] EOLS = {"\r\n", "\r\n", "\r\n", "\n", "\r", "\n\r"};
    private static final String[] NAMES = {"Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection",
        "Accept-Charset", "Accept-Encoding", "X-A", "x-a", "Set-Cookie", "", " ", "A B", "Ü"};
    private static final String[] VALUES = {"localhost", "text/plain; charset=utf-8", "charset=", "text/html;charset=",
        "; charset=latin1;x", "chunked", " chunked ", "gzip, chunked", "close", "keep-alive", "*", "utf-8;q=0.1, x",
        "gzip;q=1, , br", "", "\t \t", "a:b:c", "99999999999999999999", "-1", "é"};
    private static final String[] FIRST = {"GET / HTTP/1.1", "POST /a%20b?x=1 HTTP/1.0", "HTTP/1.1 200 OK",
        "HTTP/1.0 404 Not Found", "HTTP/1.1 200", "HTTP/1.1", "HTTP/", "HTTP/1.1 9999999999 big", "HTTP/1.1 2", "GET",
        "hello world", "", " HTTP/1.1 200 OK", "GET /HTTP/x HTTP/1.1", "HTTP/1.1 abc"};
    private static final String[] TERMS = {"\r\n\r\n", "\n\n", "\r\n\n", "\r\r", "\n\r\n", "\r\n\r", ""};

    static byte[] header(Random r) {
        StringBuilder sb = new StringBuilder(FIRST[r.nextInt(FIRST.length)]);
        String eol = EOLS[r.nextInt(3) == 0 ? r.nextInt(EOLS.length) : 0];
        int fields = r.nextInt(8);
        for (int i = 0; i < fields; i++) {
            sb.append(eol);
            if (r.nextInt(20) == 0) {
                sb.append("no colon here");
            } else {
                sb.append(NAMES[r.nextInt(NAMES.length)]).append(r.nextBoolean() ? ": " : ":")
                        .append(VALUES[r.nextInt(VALUES.length)]);
            }
            if (r.nextInt(10) == 0) {
                eol = EOLS[r.nextInt(EOLS.length)];
            }
        }
        if (r.nextInt(50) == 0) {
            sb.append(eol).append("X-Long: ").append("v".repeat(LIMIT - 10 + r.nextInt(20)));
        }
        sb.append(TERMS[r.nextInt(6) == 0 ? r.nextInt(TERMS.length) : 0]);
        if (r.nextBoolean()) {
            sb.append("BODY");
        }
        return mutate(r, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A valid chunked body of {@code data} (random chunking, extensions, trailers) and its trailers. */
    static byte[] chunked(Random r, byte[] data, Map<String, String> trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int off = 0;
        while (off < data.length) {
            int n = 1 + r.nextInt(Math.min(data.length - off, r.nextBoolean() ? 16 : 5000));
            String size = Integer.toHexString(n);
            size = r.nextBoolean() ? size.toUpperCase() : size;
            if (r.nextInt(4) == 0) {
                size = "0".repeat(r.nextInt(3)) + size;
            }
            out.writeBytes(size.getBytes(ISO_8859_1));
            if (r.nextInt(4) == 0) {
                out.writeBytes(((r.nextBoolean() ? " " : "") + ";ext=" + r.nextInt(100)).getBytes(ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
            out.write(data, off, n);
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
            off += n;
        }
        out.writeBytes("0\r\n".getBytes(ISO_8859_1));
        int t = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < t; i++) {
            String name = "x-t" + i;
            String value = "v" + r.nextInt(1000);
            trailers.put(name, value);
            out.writeBytes((name + ": " + value + "\r\n").getBytes(ISO_8859_1));
        }
        out.writeBytes("\r\n".getBytes(ISO_8859_1));
        return out.toByteArray();
    }

    static byte[] mutate(Random r, byte[] in) {
        int rounds = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(4);
        byte[] b = in;
        for (int i = 0; i < rounds; i++) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (r.nextInt(8)) {
                case 0 -> { // flip a byte
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] = (byte) r.nextInt(256);
                    }
                }
                case 1 -> b = insert(b, at, new byte[] {(byte) "\r\n\0:; -\t".charAt(r.nextInt(8))});
                case 2 -> { // delete a run
                    if (b.length > 0) {
                        int n = Math.min(b.length - at, 1 + r.nextInt(8));
                        byte[] c = new byte[b.length - n];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + n, c, at, b.length - at - n);
                        b = c;
                    }
                }
                case 3 -> b = insert(b, at, "ffffffff".repeat(1 + r.nextInt(3)).getBytes(ISO_8859_1));
                case 4 -> b = insert(b, at, "-7fffffff\r\n".getBytes(ISO_8859_1));
                case 5 -> { // repeat a slice
                    int n = Math.min(b.length - at, 1 + r.nextInt(64));
                    b = insert(b, at, Arrays.copyOfRange(b, at, at + n));
                }
                case 6 -> b = Arrays.copyOf(b, at); // truncate
                default -> b = insert(b, at, randomBytes(r, 1 + r.nextInt(16)));
            }
        }
        return b;
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] c = new byte[b.length + what.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(what, 0, c, at, what.length);
        System.arraycopy(b, at, c, at + what.length, b.length - at);
        return c;
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // =============================================================================================================
    // what one input does
    // =============================================================================================================

    /** The outcome of scanning (and parsing) one input: compared between whole and piecewise offers. */
    record Outcome(String kind, int position, String detail) {}

    /** Offers {@code in} to a header scanner in pieces; parses the text when complete. */
    static Outcome scanHeader(byte[] in, Random cuts) {
        HttpHeaderScanner s = new HttpHeaderScanner("Socket::readHTTPHeader", LIMIT, false);
        int offered = 0;
        try {
            while (true) {
                offered = cuts == null ? in.length : Math.min(in.length, offered + 1 + cuts.nextInt(64));
                int n = s.scan(in, 0, offered);
                if (n >= 0) {
                    assertTrue(n <= offered, "the scanner claims bytes it was not offered");
                    assertTrue(n < LIMIT, "a header of " + n + " bytes passed the limit");
                    String text = new String(in, 0, s.textLength(), ISO_8859_1);
                    HttpHeader h = HttpParser.parseHeader("Socket::readHTTPHeader", text);
                    for (String k : h.headers().keySet()) {
                        assertEquals(HttpParser.lower(k), k, "a field name was not lower-cased");
                    }
                    assertNotNull(h.info().get("accept-charset"));
                    return new Outcome("header", n, h.toMap().toString());
                }
                if (offered == in.length) {
                    return new Outcome("incomplete", s.scanned(), "");
                }
            }
        } catch (SocketException e) {
            return new Outcome(e.error().code(), s.scanned(), e.getMessage());
        }
    }

    /**
     * Qore's readHTTPData state machine transcribed as plainly as possible: returns the header text (without the
     * terminator) or null while incomplete / over the limit. The scanner must agree with it on every input.
     */
    static String reference(byte[] in) {
        int state = -1;
        StringBuilder hdr = new StringBuilder();
        int count = 0;
        for (byte b : in) {
            char c = (char) (b & 0xff);
            if (++count == LIMIT) {
                return null;
            }
            if (c == '\n') {
                if (state == -1) {
                    state = 3;
                    continue;
                }
                if (state == 0) {
                    state = 1;
                    continue;
                }
                return hdr.toString();
            } else if (c == '\r') {
                if (state == -1) {
                    state = 0;
                    continue;
                }
                if (state == 0) {
                    return hdr.toString();
                }
                if (state == 1) {
                    state = 2;
                    continue;
                }
            }
            if (state != -1) {
                hdr.append(switch (state) {
                    case 0 -> "\r";
                    case 1 -> "\r\n";
                    case 2 -> "\r\n\r";
                    default -> "\n";
                });
                state = -1;
            }
            hdr.append(c);
        }
        return null;
    }

    static Outcome decodeChunked(byte[] in, Random cuts, List<byte[]> bodyOut, List<Map<String, Object>> trailersOut) {
        return decodeChunked(in, cuts, bodyOut, trailersOut, 1 << 20, 1024);
    }

    static Outcome decodeChunked(byte[] in, Random cuts, List<byte[]> bodyOut, List<Map<String, Object>> trailersOut,
                                 long limit, int lineLimit) {
        ChunkedBodyDecoder d = new ChunkedBodyDecoder("Socket::readHTTPChunkedBody", limit, lineLimit, null);
        int offered = 0;
        try {
            while (true) {
                offered = cuts == null ? in.length : Math.min(in.length, offered + 1 + cuts.nextInt(64));
                int n = d.scan(in, 0, offered);
                if (n >= 0) {
                    assertTrue(n <= offered);
                    byte[] tb = d.trailerBytes();
                    Map<String, Object> t = tb == null ? Map.of()
                            : HttpParser.parseTrailers("Socket::readHTTPChunkedBody", new String(tb, ISO_8859_1));
                    byte[] body = d.takeBody();
                    if (bodyOut != null) {
                        bodyOut.add(body);
                        trailersOut.add(t);
                    }
                    return new Outcome("body", n, HexFormat.of().formatHex(body) + t);
                }
                if (offered == in.length) {
                    return new Outcome("incomplete", d.scanned(), "");
                }
            }
        } catch (SocketException e) {
            return new Outcome(e.error().code(), d.scanned(), e.getMessage());
        }
    }

    /** One fuzz case, for one seed. */
    @FunctionalInterface
    interface Case {
        void run(long seed) throws Exception;
    }

    /** Runs {@code one} for seeds from SEED on until the budget is spent; returns how many inputs ran. */
    static int run(String what, long budgetMs, Case one) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        int n = 0;
        for (long seed = SEED; System.nanoTime() < end; seed++, n++) {
            try {
                one.run(seed);
            } catch (Throwable t) {
                throw new AssertionError(what + " failed for seed " + seed + " (rerun with -Dffsock.fuzz.seed="
                        + seed + "): " + t, t);
            }
        }
        return n;
    }

    static void assertBoundedAllocation(long before, int inputLength, String what) {
        long used = allocated() - before;
        long bound = 64L * inputLength + (1 << 20);
        assertTrue(used <= bound, what + " allocated " + used + " bytes for an input of " + inputLength + " bytes");
    }

    // =============================================================================================================
    // the targets
    // =============================================================================================================

    @Test
    @DisplayName("fuzz: the header scanner and parser throw only SocketException, agree with Qore's state machine, "
            + "and give the same outcome whole or in pieces")
    void fuzzHeaders() {
        int[] complete = new int[1];
        int n = assertTimeoutPreemptively(Duration.ofMillis(BUDGET_MS + 20_000), () -> run("header", BUDGET_MS,
                seed -> {
                    Random r = new Random(seed);
                    byte[] in = header(r);
                    long before = allocated();
                    Outcome whole = scanHeader(in, null);
                    Outcome pieces = scanHeader(in, new Random(seed ^ 0x5DEECE66DL));
                    assertBoundedAllocation(before, in.length, "parsing a header");
                    assertEquals(whole, pieces, () -> "whole and piecewise differ for " + show(in));
                    String ref = reference(in);
                    if (whole.kind().equals("header") || whole.kind().equals(SocketError.HTTP_ERROR.code())
                            && !whole.detail().startsWith("header size")) {
                        assertNotNull(ref, () -> "Qore's state machine finds no end in " + show(in));
                        HttpHeaderScanner s = new HttpHeaderScanner("m", LIMIT, false);
                        try {
                            s.scan(in, 0, in.length);
                        } catch (SocketException e) {
                            fail(e);
                        }
                        assertEquals(ref, new String(in, 0, s.textLength(), ISO_8859_1), () -> show(in));
                        complete[0]++;
                    } else {
                        assertNull(ref, () -> "the scanner missed the end Qore finds in " + show(in) + ": " + whole);
                    }
                }));
        System.out.println("header fuzz: " + n + " inputs, " + complete[0] + " complete headers, seeds from " + SEED);
        assertTrue(n > 1000, "too few inputs ran to mean anything: " + n);
        assertTrue(complete[0] > n / 4, "the generator makes too few complete headers: " + complete[0]);
    }

    @Test
    @DisplayName("fuzz: the chunked decoder returns valid bodies unchanged, throws only SocketException for the rest, "
            + "and never allocates for sizes that do not arrive")
    void fuzzChunked() {
        int[] valid = new int[1];
        int n = assertTimeoutPreemptively(Duration.ofMillis(BUDGET_MS + 20_000), () -> run("chunked", BUDGET_MS,
                seed -> {
                    Random r = new Random(seed);
                    byte[] data = randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(20_000) : r.nextInt(100));
                    Map<String, String> trailers = new LinkedHashMap<>();
                    byte[] good = chunked(r, data, trailers);
                    boolean mutated = r.nextInt(3) != 0;
                    byte[] in = mutated ? mutate(r, good) : good;
                    long before = allocated();
                    List<byte[]> bodies = new ArrayList<>();
                    List<Map<String, Object>> ts = new ArrayList<>();
                    Outcome whole = decodeChunked(in, null, bodies, ts);
                    Outcome pieces = decodeChunked(in, new Random(~seed), null, null);
                    assertBoundedAllocation(before, in.length, "decoding a chunked body");
                    assertEquals(whole, pieces, () -> "whole and piecewise differ for " + show(in));
                    if (!mutated) {
                        assertEquals("body", whole.kind(), () -> whole + " for the valid " + show(in));
                        assertEquals(in.length, whole.position());
                        assertArrayEquals(data, bodies.getFirst());
                        assertEquals(trailers, ts.getFirst());
                        valid[0]++;
                    }
                }));
        System.out.println("chunked fuzz: " + n + " inputs, " + valid[0] + " valid, seeds from " + SEED);
        assertTrue(n > 1000, "too few inputs ran to mean anything: " + n);
    }

    @Test
    @DisplayName("fuzz over a socket: random inputs in random pieces from a JDK peer; readHTTPHeader and "
            + "readHTTPChunkedBody give the parsers' outcome or a SocketException, never hang, and keep the stream in "
            + "step")
    void fuzzOverSocket() {
        // after each input: a header terminator, a last chunk, more padding than the body limit lets a chunk take
        // (so a read that wants more data fails instead of waiting), and an end mark to resynchronise on
        byte[] marker = ("\r\n\r\n0\r\n\r\n" + "x".repeat(4096) + "#END#").getBytes(ISO_8859_1);
        int bodyLimit = 2048;
        int n = assertTimeoutPreemptively(Duration.ofMillis(BUDGET_MS / 2 + 20_000), () -> {
            int[] count = new int[1];
            try (Loopback.RawClient rc = Loopback.rawClient()) {
                Socket a = rc.accepted();
                a.setHttpBodySizeLimit(bodyLimit);
                OutputStream out = rc.raw().getOutputStream();
                run("socket", BUDGET_MS / 2, seed -> {
                    Random r = new Random(seed);
                    boolean header = r.nextBoolean();
                    byte[] in = header ? header(r)
                            : mutate(r, chunked(r, randomBytes(r, r.nextInt(300)), new LinkedHashMap<>()));
                    byte[] all = insert(marker, 0, in);
                    CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                        try {
                            for (int off = 0; off < all.length; ) {
                                int k = Math.min(all.length - off, 1 + r.nextInt(200));
                                out.write(all, off, k);
                                out.flush();
                                off += k;
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    Outcome direct = header ? scanHeader(all, null)
                            : decodeChunked(all, null, null, null, bodyLimit, LIMIT);
                    a.setCharset("ISO-8859-1");
                    try {
                        if (header) {
                            HttpHeader h = a.readHTTPHeader(2000);
                            assertEquals(new Outcome("header", direct.position(), h.toMap().toString()), direct);
                        } else {
                            byte[] body = a.readHTTPChunkedBodyBinary(2000).body();
                            assertEquals("body", direct.kind());
                            assertTrue(direct.detail().startsWith(HexFormat.of().formatHex(body)));
                        }
                    } catch (SocketException e) {
                        assertNotEquals(SocketError.TIMEOUT, e.error(), () -> "a read waited on " + show(in));
                        assertEquals(direct.kind(), e.error().code(), () -> e + " for " + show(in));
                    }
                    w.join();
                    ByteArrayOutputStream rest = new ByteArrayOutputStream();
                    String tail = "";
                    while (!tail.endsWith("#END#")) {
                        rest.writeBytes(a.recvBinary(0, 2000));
                        byte[] got = rest.toByteArray();
                        tail = new String(got, Math.max(0, got.length - 5), Math.min(5, got.length), ISO_8859_1);
                    }
                    assertTrue(a.isOpen());
                    count[0]++;
                });
            }
            return count[0];
        });
        System.out.println("socket fuzz: " + n + " inputs, seeds from " + SEED);
        assertTrue(n > 50, "too few inputs ran over the socket: " + n);
    }

    static String show(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < b.length && i < 400; i++) {
            int c = b[i] & 0xff;
            sb.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c >= 0x7f ? String.format("\\x%02x", c)
                    : String.valueOf((char) c));
        }
        return sb.append(b.length > 400 ? "...\" (" + b.length + " bytes)" : "\"").toString();
    }
}
