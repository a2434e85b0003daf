package io.ffsock.http;

import io.ffsock.SocketError;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the first line and the header block of an HTTP message with the rules of Qore's
 * {@code Socket::sendHTTPMessage()} and {@code sendHTTPResponse()}:
 * <pre>
 *   PUT / HTTP/1.1\r\n          request line: an empty path is sent as "/"
 *   X-A: 1\r\n                  the caller's headers, in the map's order
 *   X-B: 2\r\n
 *   Content-Length: 2\r\n       computed from the body, always last; a Content-Length of the caller's is dropped
 *   \r\n
 *   OK                          the body
 * </pre>
 * <b>Content-Length.</b> The computed Content-Length is written, and the caller's dropped (the name matched in any
 * case), unless a {@code Transfer-Encoding} header comes first and the body is empty: then neither is added, and a
 * caller's Content-Length that comes after the Transfer-Encoding is passed through. A non-empty body always gets
 * its Content-Length. A body streamed in chunks gets no Content-Length at all, and gets
 * {@code Transfer-Encoding: chunked} (last) when the caller did not give a Transfer-Encoding: Qore would send
 * {@code Content-Length: 0} before the chunks, which no peer can read.
 * <p>
 * <b>Values.</b> A {@link CharSequence} is written as it is; an integer ({@code Integer}, {@code Long},
 * {@code Short}, {@code Byte}, {@code BigInteger}) in decimal; a {@code Boolean} as {@code 1} or {@code 0}; a
 * {@code Float} or {@code Double} with {@code %f} and a {@code '.'} ({@code 1.5} is {@code 1.500000}); a
 * {@code BigDecimal} in plain notation. A {@link Collection} or an {@code Object[]} writes one line per element
 * ({@code Set-Cookie}). Any other value ({@code null}, maps, {@code byte[]}, dates, nested lists) is left out,
 * silently, as Qore does.
 * <p>
 * <b>Stricter than Qore:</b> a name must be a non-empty token (no blanks, control characters or {@code ':'}), and
 * neither values, the method, the path, the version nor the status text may contain CR, LF or NUL (the method,
 * path and version no blanks either), since those would let data end the header early and inject a header or a
 * whole message. Such input fails with {@code SOCKET-HTTP-ERROR} before anything is sent.
 */
public final class HttpWriter {
    private HttpWriter() {}

    /** {@code "<method> <path> HTTP/<version>"}, with an empty path sent as {@code "/"}. */
    public static String requestLine(String m, String method, String path, String httpVersion) throws HttpException {
        checkToken(m, "method", method, true);
        String p = path == null || path.isEmpty() ? "/" : path;
        checkToken(m, "path", p, true);
        checkToken(m, "HTTP version", httpVersion, false);
        return method + " " + p + " HTTP/" + httpVersion;
    }

    /** {@code "HTTP/<version> <code> <desc>"}, the code in 3 digits. */
    public static String statusLine(String m, int status, String desc, String httpVersion) throws HttpException {
        checkToken(m, "HTTP version", httpVersion, false);
        String d = desc == null ? "" : desc;
        checkValue(m, "status text", d);
        return "HTTP/" + httpVersion + " " + String.format(Locale.ROOT, "%03d", status) + " " + d;
    }

    /**
     * The header lines and the blank line that ends them.
     *
     * @param bodyLength the body's length in bytes (0 for none)
     * @param chunked    the body is streamed in chunks (no Content-Length; Transfer-Encoding added if missing)
     */
    public static String headerBlock(String m, Map<String, ?> headers, long bodyLength, boolean chunked)
            throws HttpException {
        StringBuilder sb = new StringBuilder(256);
        boolean addLength = !chunked;
        boolean haveTransferEncoding = false;
        if (headers != null) {
            for (Map.Entry<String, ?> e : headers.entrySet()) {
                String name = e.getKey();
                checkName(m, name);
                if (name.equalsIgnoreCase("transfer-encoding")) {
                    addLength = false;
                    haveTransferEncoding = true;
                }
                if ((addLength || bodyLength > 0 || chunked) && name.equalsIgnoreCase("content-length")) {
                    continue; // the computed one is written below
                }
                field(m, sb, name, e.getValue());
            }
        }
        if (chunked) {
            if (!haveTransferEncoding) {
                sb.append("Transfer-Encoding: chunked\r\n");
            }
        } else if (addLength || bodyLength > 0) {
            sb.append("Content-Length: ").append(bodyLength).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** The trailer lines after the last chunk and the blank line that ends them (just CR LF for none). */
    public static String trailerBlock(String m, Map<String, ?> trailers) throws HttpException {
        StringBuilder sb = new StringBuilder();
        if (trailers != null) {
            try {
                for (Map.Entry<String, ?> e : trailers.entrySet()) {
                    checkName(m, e.getKey());
                    field(m, sb, e.getKey(), e.getValue());
                }
            } catch (HttpException e) {
                String msg = e.getMessage().replace("; nothing was sent", "");
                throw new HttpException(e.error(), m, "trailer: " + msg + "; the chunks were sent but not the last "
                        + "one, so the message is incomplete: close the connection", null, null);
            }
        }
        return sb.append("\r\n").toString();
    }

    /** One line per value of {@code v} (one for a scalar, one per element for a list, none to omit). */
    private static void field(String m, StringBuilder sb, String name, Object v) throws HttpException {
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                line(m, sb, name, format(o));
            }
        } else if (v instanceof Object[] a) {
            for (Object o : a) {
                line(m, sb, name, format(o));
            }
        } else {
            line(m, sb, name, format(v));
        }
    }

    private static void line(String m, StringBuilder sb, String name, String value) throws HttpException {
        if (value != null) {
            checkValue(m, "header '" + name + "'", value);
            sb.append(name).append(": ").append(value).append("\r\n");
        }
    }

    /** A header value as Qore writes it, or {@code null} when Qore leaves the header out. */
    public static String format(Object v) {
        return switch (v) {
            case CharSequence s -> s.toString();
            case Boolean b -> b ? "1" : "0";
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Short s -> s.toString();
            case Byte b -> b.toString();
            case BigInteger b -> b.toString();
            case Double d -> String.format(Locale.ROOT, "%f", d);
            case Float f -> String.format(Locale.ROOT, "%f", f.doubleValue());
            case BigDecimal d -> d.toPlainString();
            case null, default -> null;
        };
    }

    private static void checkName(String m, String name) throws HttpException {
        if (name == null || name.isEmpty()) {
            throw invalid(m, "a header name is " + (name == null ? "null" : "empty"));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == ':' || c == 0x7f) {
                throw invalid(m, "header name '" + printable(name) + "' contains " + describe(c)
                        + ", which is not allowed in a header name");
            }
        }
    }

    private static void checkValue(String m, String what, String v) throws HttpException {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw invalid(m, what + " contains " + describe(c) + " ('" + printable(v) + "'), which would end the "
                        + "line early and let the rest pass for another header");
            }
        }
    }

    private static void checkToken(String m, String what, String v, boolean needed) throws HttpException {
        if (v == null || (needed && v.isEmpty())) {
            throw invalid(m, "the " + what + " is " + (v == null ? "null" : "empty"));
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw invalid(m, "the " + what + " '" + printable(v) + "' contains " + describe(c)
                        + (c == ' ' ? " (percent-encode it as %20 in a path)" : "")
                        + ", which would break the first line of the message");
            }
        }
    }

    private static HttpException invalid(String m, String what) {
        return new HttpException(SocketError.HTTP_ERROR, m, what + " in " + m + "(); nothing was sent", null, null);
    }

    private static String describe(char c) {
        return switch (c) {
            case '\r' -> "a CR";
            case '\n' -> "an LF";
            case 0 -> "a NUL";
            case ' ' -> "a space";
            case ':' -> "a ':'";
            default -> String.format("the control character \\x%02x", (int) c);
        };
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c == 0x7f
                    ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 80 ? sb + "..." : sb.toString();
    }
}
