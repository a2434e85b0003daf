package io.ffsock.loop;

import java.io.IOException;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLEngine;

/**
 * Makes the {@link SSLEngine} of a TLS client on the event loop. The loop drives any {@code SSLEngine}, so a TLS
 * implementation plugs in by providing one: either through {@link TlsOptions#withEngineFactory} or as a
 * {@link java.util.ServiceLoader} service of this interface (the first one found becomes the default; without any,
 * the engine of {@link io.ffsock.tls.TlsEngines#defaultEngine()} is used, with the verification of
 * {@link io.ffsock.Socket}).
 */
@FunctionalInterface
public interface TlsEngineFactory {

    /**
     * A client-mode engine for a connection to {@code host}:{@code port}, configured as {@code options} say: trust
     * (or not) and the name to verify ({@link TlsOptions#verificationHost()} when set, else {@code host}), CA files,
     * client certificate and key.
     */
    SSLEngine clientEngine(TlsOptions options, String host, int port) throws GeneralSecurityException, IOException;

    /**
     * Gives back what an engine this factory made holds (native memory, for a reference-counted engine); called
     * once when its connection ends, however it ends. The engine is not used afterwards.
     */
    default void release(SSLEngine engine) {
    }
}
