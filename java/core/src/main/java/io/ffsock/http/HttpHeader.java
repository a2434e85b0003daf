package io.ffsock.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request or response header as {@code Socket.readHTTPHeader} returns it (Qore's header hash, with Qore's
 * {@code info} output hash alongside).
 *
 * @param method        the request method ({@code "GET"}), {@code null} for a response
 * @param path          the request target exactly as sent, <em>not</em> URL-decoded; {@code null} for a response
 * @param statusCode    the response status code, -1 for a request (or a status line without a number)
 * @param statusMessage the text after the status code, {@code null} when there is none
 * @param httpVersion   the three characters after {@code "HTTP/"}, e.g. {@code "1.1"}
 * @param headers       the header fields in the order received, names lower-cased; a field that came more than once
 *                      is a {@code List<String>} of its values in order, any other a {@code String} (values lose
 *                      their leading blanks, and keep trailing ones, as in Qore)
 * @param info          Qore's {@code info} hash: {@code headers-raw} (as {@code headers} but with the names as
 *                      received), {@code request-uri} or {@code response-uri} (the first line), {@code charset} and
 *                      {@code body-content-type} (from Content-Type), {@code accept-charset}, and for requests
 *                      {@code accept-encoding} (a list, when the header is there) and {@code close} (a
 *                      {@code Boolean}: whether the client wants the connection closed after the response)
 */
public record HttpHeader(String method, String path, int statusCode, String statusMessage, String httpVersion,
                         Map<String, Object> headers, Map<String, Object> info) {

    /** Whether this is a request (its first line does not start with {@code "HTTP/"}). */
    public boolean isRequest() {
        return info.containsKey("request-uri");
    }

    /** The first line as received, without its line ending. */
    public String firstLine() {
        Object l = info.get(isRequest() ? "request-uri" : "response-uri");
        return l == null ? null : l.toString();
    }

    /**
     * The field {@code name} (any case): its value, the values joined with {@code ", "} when it came more than once,
     * or {@code null} when absent. Set-Cookie must not be joined: read it with {@link #headerValues(String)}.
     */
    public String header(String name) {
        Object v = headers.get(HttpParser.lower(name));
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder();
            for (Object o : l) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(o);
            }
            return sb.toString();
        }
        return (String) v;
    }

    /** Every value of the field {@code name} (any case), in order; empty when absent. */
    public List<String> headerValues(String name) {
        Object v = headers.get(HttpParser.lower(name));
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add((String) o);
            }
            return out;
        }
        return List.of((String) v);
    }

    /**
     * Whether the body is sent in chunked transfer encoding: the last coding of Transfer-Encoding is
     * {@code chunked}.
     */
    public boolean isChunked() {
        List<String> te = headerValues("transfer-encoding");
        if (te.isEmpty()) {
            return false;
        }
        String last = te.getLast();
        int comma = last.lastIndexOf(',');
        return last.substring(comma + 1).strip().equalsIgnoreCase("chunked");
    }

    /**
     * The Content-Length: a single value (or repeated identical values) of decimal digits; -1 when absent.
     *
     * @throws IllegalStateException when it is present but not a valid length, or repeated with different values
     */
    public long contentLength() {
        List<String> cl = headerValues("content-length");
        if (cl.isEmpty()) {
            return -1;
        }
        long n = -1;
        for (String v : cl) {
            for (String part : v.split(",", -1)) {
                long x = HttpParser.parseLength(part.strip());
                if (x < 0) {
                    throw new IllegalStateException("invalid Content-Length '" + v + "': expecting decimal digits");
                }
                if (n >= 0 && x != n) {
                    throw new IllegalStateException("conflicting Content-Length values " + cl);
                }
                n = x;
            }
        }
        return n;
    }

    /**
     * Qore's header hash: {@code http_version}, then {@code status_code} and {@code status_message} or
     * {@code method} and {@code path}, then the fields (a field named like one of those keys joins it in a list, as
     * in Qore). Integers are {@link Long}s.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("http_version", httpVersion);
        if (statusCode >= 0) {
            m.put("status_code", (long) statusCode);
        }
        if (statusMessage != null) {
            m.put("status_message", statusMessage);
        }
        if (method != null) {
            m.put("method", method);
        }
        if (path != null) {
            m.put("path", path);
        }
        headers.forEach((k, v) -> {
            Object old = m.get(k);
            if (old == null) {
                m.put(k, v);
            } else {
                List<Object> l = new ArrayList<>();
                if (old instanceof List<?> ol) {
                    l.addAll(ol);
                } else {
                    l.add(old);
                }
                if (v instanceof List<?> vl) {
                    l.addAll(vl);
                } else {
                    l.add(v);
                }
                m.put(k, List.copyOf(l));
            }
        });
        return m;
    }
}
