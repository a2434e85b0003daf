package io.ffsock.tls;

import javax.net.ssl.SSLEngine;

/**
 * One TLS configuration made ready by a {@link TlsEngineProvider}: it creates the engine of each connection.
 * Thread-safe. Closing it gives back what the context holds (native memory for the OpenSSL engine); engines
 * already created keep working until they are {@link #release released}.
 */
public interface TlsContext extends AutoCloseable {
    /**
     * A new engine in client or server mode, as the configuration says, with the configuration's protocols,
     * ciphers and client-certificate policy applied.
     *
     * @param peerHost the name the client verifies the server's certificate for (and the session cache key); for
     *                 a server the peer's address or {@code null}
     * @param peerPort the peer's port, or -1
     */
    SSLEngine newEngine(String peerHost, int peerPort);

    /**
     * Whether the engine works best on direct buffers (native memory): ffsock then stages heap data through native
     * buffers of its own rather than hand the engine heap buffers it would copy into temporary ones.
     */
    default boolean prefersDirectBuffers() {
        return false;
    }

    /** Gives back what {@code engine} holds outside the Java heap; the engine is not used afterwards. */
    default void release(SSLEngine engine) {
    }

    /** Drops this context's own reference to its resources. */
    @Override
    void close();
}
