package io.ffsock.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A body read in chunked transfer encoding, and the trailers that followed its last chunk (Qore's
 * {@code readHTTPChunkedBody} hash: {@code body} plus one key per trailer).
 *
 * @param body     the body: a {@link String} in the socket's charset from {@code readHTTPChunkedBody}, a
 *                 {@code byte[]} from {@code readHTTPChunkedBodyBinary}
 * @param trailers the trailers, keys lower-cased, a repeated trailer as a list; empty when there were none
 * @param <B>      {@code String} or {@code byte[]}
 */
public record HttpChunkedBody<B>(B body, Map<String, Object> trailers) {
    public HttpChunkedBody {
        trailers = trailers == null ? Map.of() : trailers;
    }

    /** Qore's hash: {@code body} first, then the trailers. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("body", body);
        trailers.forEach(m::putIfAbsent);
        return m;
    }
}
