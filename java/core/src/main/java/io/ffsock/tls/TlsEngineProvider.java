package io.ffsock.tls;

import java.security.GeneralSecurityException;

/**
 * A TLS implementation ffsock can run its secure sockets on: it turns a {@link TlsConfig} into a
 * {@link TlsContext}, which makes one {@link javax.net.ssl.SSLEngine} per connection.
 * <p>
 * ffsock drives the engine itself: ciphertext moves between the socket and the engine in direct buffers backed by
 * native memory, so an engine that works on native addresses (the OpenSSL engine of {@code ffsock-tls}) never
 * copies a record through the Java heap. Certificate verification is not the engine's business: the
 * {@link TlsConfig#trustManager() trust manager} in the configuration decides, so every engine verifies the same
 * way and reports the same OpenSSL X509 codes.
 * <p>
 * Implementations are found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry, or
 * {@code provides} in a module); {@link TlsEngines} lists them and picks the default.
 */
public interface TlsEngineProvider {
    /** The name users select the engine by, e.g. {@code "openssl"} or {@code "jdk"}. */
    String name();

    /** The preference among available engines when none is selected: the highest wins. The JDK's is 0. */
    int priority();

    /** Whether the engine can run here (its native library loads, for example). */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, for messages; {@code null} when it is available. */
    default String unavailableReason() {
        return null;
    }

    /**
     * Builds a context for one configuration: the key and certificate chain, the trust manager, the protocol and
     * cipher restrictions. Contexts are shared by every connection made with the same settings.
     *
     * @throws GeneralSecurityException when the configuration cannot be used (an unsupported cipher list, a key
     *                                  the engine rejects), with the reason in its message
     */
    TlsContext newContext(TlsConfig config) throws GeneralSecurityException;
}
