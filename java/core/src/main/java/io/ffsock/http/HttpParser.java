package io.ffsock.http;

import io.ffsock.SocketError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the text of an HTTP header (as {@link HttpHeaderScanner} delimits it) into an {@link HttpHeader}, with the
 * rules of Qore's {@code Socket::readHTTPHeader()}:
 * <ul>
 * <li>The first line ends at the first {@code CR LF} of the text, else at the first {@code LF}, else at the first
 *     {@code CR}; each following line likewise, searching the rest of the text. So lines must all end the same way
 *     ({@code CR LF}, or bare {@code LF}); mixed endings split where Qore splits them.</li>
 * <li>The first line must contain {@code "HTTP/"}; the version is the three characters after it. A line that starts
 *     with it is a status line ({@code "HTTP/1.1 200 OK"}), any other a request line
 *     ({@code "GET /a%20b HTTP/1.1"}, the path kept as sent).</li>
 * <li>Field names are lower-cased; values lose leading blanks and keep trailing ones; a repeated field becomes a
 *     list. The first line without a {@code ':'} ends the fields: it and the lines after it are ignored.</li>
 * <li>{@code info}: see {@link HttpHeader#info()}.</li>
 * </ul>
 * Stricter than Qore, because Java strings are not C strings: a NUL byte anywhere is an error (Qore would silently
 * stop reading at it), and a status code of more than 9 digits is an error.
 */
public final class HttpParser {
    /** The charset Qore assumes for a message whose Content-Type names none. */
    public static final String ASSUMED_CHARSET = "ISO-8859-1";

    private HttpParser() {}

    /**
     * Parses a header.
     *
     * @param method the method to name in messages, e.g. {@code "Socket::readHTTPHeader"}
     * @param text   the header text without its terminator
     * @throws HttpException {@code SOCKET-HTTP-ERROR} with the text attached when the first line has no
     *                       {@code "HTTP/"} or the text holds a NUL
     */
    public static HttpHeader parseHeader(String method, String text) throws HttpException {
        if (text.indexOf('\0') >= 0) {
            throw new HttpException(SocketError.HTTP_ERROR, method, "invalid header received with an embedded NUL "
                    + "character in " + method + "()", text, null);
        }
        Lines lines = new Lines(text + "\n");
        String first = lines.next();
        int v = first.indexOf("HTTP/");
        if (v < 0) {
            throw new HttpException(SocketError.HTTP_ERROR, method, "missing HTTP version string in first header "
                    + "line in " + method + "()", text, null);
        }
        String version = first.substring(v + 5, Math.min(v + 8, first.length()));
        boolean http11 = version.equals("1.1");
        String reqMethod = null;
        String path = null;
        int status = -1;
        String statusMessage = null;
        Map<String, Object> info = new LinkedHashMap<>();
        boolean request = v != 0;
        if (!request) {
            int sp = first.length() > 8 ? first.indexOf(' ', 8) : -1;
            if (sp >= 0) {
                String rest = first.substring(sp + 1);
                int digits = 0;
                while (digits < rest.length() && isDigit(rest.charAt(digits))) {
                    digits++;
                }
                if (digits > 9) {
                    throw new HttpException(SocketError.HTTP_ERROR, method, "status code of " + digits
                            + " digits in the status line in " + method + "()", text, null);
                }
                if (digits > 0) {
                    status = Integer.parseInt(rest, 0, digits, 10);
                    if (rest.length() > 4) {
                        statusMessage = rest.substring(4);
                    }
                }
            }
            info.put("response-uri", first);
        } else {
            int sp = first.indexOf(' ');
            if (sp >= 0) {
                reqMethod = first.substring(0, sp);
                int sp2 = first.indexOf(' ', sp + 1);
                if (sp2 >= 0) {
                    path = first.substring(sp + 1, sp2);
                }
            }
            info.put("request-uri", first);
        }
        Fields f = fields(lines, true, request, http11, info);
        if (request) {
            info.put("close", f.close);
        }
        return new HttpHeader(reqMethod, path, status, statusMessage, version, f.headers, freeze(info));
    }

    /**
     * Parses the trailers after a chunked body: lines of {@code name: value} as in a header, with no first line and
     * no special fields.
     *
     * @param text the trailer text without its terminator
     */
    public static Map<String, Object> parseTrailers(String method, String text) throws HttpException {
        if (text.indexOf('\0') >= 0) {
            throw new HttpException(SocketError.HTTP_ERROR, method, "invalid trailer received with an embedded NUL "
                    + "character in " + method + "()", text, null);
        }
        return fields(new Lines(text + "\n"), false, false, false, null).headers;
    }

    /** What the field lines gave: the fields and, for requests, whether to close after the response. */
    private record Fields(Map<String, Object> headers, boolean close) {}

    private static Fields fields(Lines lines, boolean process, boolean request, boolean http11,
                                 Map<String, Object> info) {
        boolean close = !http11;
        boolean acceptCharset = false;
        Map<String, Object> headers = new LinkedHashMap<>();
        Map<String, Object> raw = info != null ? new LinkedHashMap<>() : null;
        if (raw != null) {
            info.put("headers-raw", raw);
        }
        String line;
        while ((line = lines.next()) != null) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                break;
            }
            String rawKey = line.substring(0, colon);
            int s = colon + 1;
            while (s < line.length() && (line.charAt(s) == ' ' || line.charAt(s) == '\t')) {
                s++;
            }
            String value = line.substring(s);
            String key = lower(rawKey);
            if (process) {
                switch (key) {
                    case "connection" -> {
                        if (http11) {
                            close |= containsIgnoreCase(value, "close");
                        } else if (containsIgnoreCase(value, "keep-alive")) {
                            close = false;
                        }
                    }
                    case "content-type" -> contentType(value, info);
                    case "accept-charset" -> acceptCharset |= acceptCharset(value, info);
                    case "accept-encoding" -> {
                        if (request) {
                            acceptEncoding(value, info);
                        }
                    }
                    default -> { }
                }
            }
            add(headers, key, value);
            if (raw != null) {
                add(raw, rawKey, value);
            }
        }
        if (process && !acceptCharset) {
            info.put("accept-charset", "utf8");
        }
        if (raw != null) {
            info.put("headers-raw", freeze(raw));
        }
        return new Fields(freeze(headers), close);
    }

    /** {@code charset} and {@code body-content-type} from a Content-Type value. */
    private static void contentType(String value, Map<String, Object> info) {
        int at = indexOfIgnoreCase(value, "charset=");
        String cs = null;
        int end = -1;
        if (at >= 0) {
            end = value.indexOf(';', at + 8);
            cs = (end >= 0 ? value.substring(at + 8, end) : value.substring(at + 8)).strip();
        }
        if (cs == null || cs.isEmpty()) {
            info.put("charset", ASSUMED_CHARSET);
            info.put("body-content-type", value);
            return;
        }
        info.put("charset", cs);
        // the type without the charset parameter: what precedes it (less the "; " before it) and what follows it
        int b = at;
        while (b > 0 && (value.charAt(b - 1) == ' ' || value.charAt(b - 1) == ';' || value.charAt(b - 1) == '\t')) {
            b--;
        }
        String ct = value.substring(0, b);
        if (end >= 0) {
            ct = ct.isEmpty() ? value.substring(end + 1) : ct + value.substring(end);
        }
        ct = ct.strip();
        if (!ct.isEmpty()) {
            info.put("body-content-type", ct);
        } else {
            info.remove("body-content-type");
        }
    }

    /** {@code accept-charset}: "utf8" when the list has *, utf8 or utf-8, else its first charset. */
    private static boolean acceptCharset(String value, Map<String, Object> info) {
        String first = null;
        for (String item : value.split(",", -1)) {
            int semi = item.indexOf(';');
            String cs = (semi >= 0 ? item.substring(0, semi) : item).strip();
            String l = lower(cs);
            if (l.startsWith("*") || l.startsWith("utf8") || l.startsWith("utf-8")) {
                info.put("accept-charset", "utf8");
                return true;
            }
            if (first == null) {
                first = cs;
            }
        }
        if (first != null && !first.isEmpty()) {
            info.put("accept-charset", first);
            return true;
        }
        return false;
    }

    /** {@code accept-encoding}: the codings listed, without their parameters. */
    private static void acceptEncoding(String value, Map<String, Object> info) {
        List<String> l = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            int semi = item.indexOf(';');
            String enc = (semi >= 0 ? item.substring(0, semi) : item).strip();
            if (!enc.isEmpty()) {
                l.add(enc);
            }
        }
        if (!l.isEmpty()) {
            info.put("accept-encoding", List.copyOf(l));
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> m, String key, String value) {
        Object old = m.get(key);
        if (old == null) {
            m.put(key, value);
        } else if (old instanceof List<?> l) {
            ((List<Object>) l).add(value);
        } else {
            List<Object> l = new ArrayList<>(2);
            l.add(old);
            l.add(value);
            m.put(key, l);
        }
    }

    /** An unmodifiable copy whose list values are unmodifiable too. */
    private static Map<String, Object> freeze(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>(m.size() * 2);
        m.forEach((k, v) -> out.put(k, v instanceof List<?> l ? Collections.unmodifiableList(l) : v));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Qore's line splitter: the next line ends at the first CR LF of the remaining text, else its first LF, else its
     * first CR. The three positions are searched once each and kept until passed, so splitting is linear in the
     * text's length.
     */
    private static final class Lines {
        private final String s;
        private int pos;
        private int crlf = -2;
        private int lf = -2;
        private int cr = -2;

        Lines(String s) {
            this.s = s;
        }

        String next() {
            if (pos >= s.length()) {
                return null;
            }
            if (crlf != -1 && crlf < pos) {
                crlf = s.indexOf("\r\n", pos);
            }
            int end;
            int skip;
            if (crlf >= 0) {
                end = crlf;
                skip = 2;
            } else {
                if (lf != -1 && lf < pos) {
                    lf = s.indexOf('\n', pos);
                }
                if (lf >= 0) {
                    end = lf;
                    skip = 1;
                } else {
                    if (cr != -1 && cr < pos) {
                        cr = s.indexOf('\r', pos);
                    }
                    if (cr < 0) {
                        return null;
                    }
                    end = cr;
                    skip = 1;
                }
            }
            String line = s.substring(pos, end);
            pos = end + skip;
            return line;
        }
    }

    /** ASCII lower case (header names are ASCII; the JVM's locale plays no part). */
    public static String lower(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] a = s.toCharArray();
                for (int j = i; j < a.length; j++) {
                    if (a[j] >= 'A' && a[j] <= 'Z') {
                        a[j] += 'a' - 'A';
                    }
                }
                return new String(a);
            }
        }
        return s;
    }

    static boolean containsIgnoreCase(String s, String what) {
        return indexOfIgnoreCase(s, what) >= 0;
    }

    static int indexOfIgnoreCase(String s, String what) {
        for (int i = 0; i + what.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, what, 0, what.length())) {
                return i;
            }
        }
        return -1;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A decimal length of 1 to 18 digits, or -1. */
    static long parseLength(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
