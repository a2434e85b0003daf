package io.ffsock.tls.openssl;

import io.ffsock.tls.TlsConfig;
import io.ffsock.tls.TlsContext;
import io.ffsock.tls.TlsEngineProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.security.GeneralSecurityException;

/**
 * The OpenSSL engine: BoringSSL from {@code netty-tcnative-boringssl-static}, driven through Netty's
 * reference-counted OpenSSL {@link SSLEngine}. ffsock hands it direct buffers over native memory, which it reads
 * and writes by address, so records move between the socket and BoringSSL without a copy through the Java heap.
 * <p>
 * Its priority (100) makes it the default engine whenever this jar is on the class path and BoringSSL loads.
 * Certificate verification stays ffsock's: the configuration's trust manager is installed as BoringSSL's verify
 * callback, so both engines verify and report alike. Every engine and context is released explicitly, which
 * frees the native {@code SSL} and {@code SSL_CTX} at once rather than at some later garbage collection.
 */
public final class OpenSslEngineProvider implements TlsEngineProvider {
    /** The name this engine is selected by. */
    public static final String NAME = "openssl";

    /** Netty's allocator for its own scratch; ffsock's direct buffers mean it is rarely asked. */
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public OpenSslEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isAvailable() {
        try {
            return OpenSsl.isAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public String unavailableReason() {
        try {
            Throwable t = OpenSsl.unavailabilityCause();
            return t == null ? null : t.toString();
        } catch (Throwable t) {
            return t.toString();
        }
    }

    /** The BoringSSL version string, e.g. {@code "BoringSSL"}, or null when it does not load. */
    public static String version() {
        try {
            return OpenSsl.versionString();
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public TlsContext newContext(TlsConfig config) throws GeneralSecurityException {
        SslContextBuilder b;
        if (config.server()) {
            b = SslContextBuilder.forServer(config.key(), config.chainArray());
            b.clientAuth(switch (config.clientAuth()) {
                case REQUIRE -> ClientAuth.REQUIRE;
                case REQUEST -> ClientAuth.OPTIONAL;
                default -> ClientAuth.NONE;
            });
        } else {
            b = SslContextBuilder.forClient();
            if (config.key() != null) {
                b.keyManager(config.key(), config.chainArray());
            }
            // ffsock's trust manager checks the host name; Netty must not add a check of its own
            b.endpointIdentificationAlgorithm(null);
        }
        b.sslProvider(SslProvider.OPENSSL_REFCNT).trustManager(config.trustManager());
        if (config.protocols() != null) {
            b.protocols(config.protocols());
        }
        if (config.cipherSuites() != null) {
            b.ciphers(config.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE);
        }
        try {
            return new Context(b.build());
        } catch (SSLException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private record Context(SslContext ctx) implements TlsContext {
        @Override
        public SSLEngine newEngine(String peerHost, int peerPort) {
            return peerHost == null ? ctx.newEngine(ALLOC) : ctx.newEngine(ALLOC, peerHost, peerPort);
        }

        @Override
        public boolean prefersDirectBuffers() {
            return true;
        }

        @Override
        public void release(SSLEngine engine) {
            ReferenceCountUtil.release(engine);
        }

        @Override
        public void close() {
            ReferenceCountUtil.release(ctx);
        }
    }
}
