package io.ffsock;

import io.ffsock.tls.TlsClientAuth;
import io.ffsock.tls.TlsConfig;
import io.ffsock.tls.TlsContext;
import io.ffsock.tls.TlsEngineProvider;
import io.ffsock.tls.TlsEngines;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Client TLS contexts on ffsock's engines ({@link TlsEngines#defaultEngine()}: OpenSSL when {@code ffsock-tls} is
 * on the class path) that verify the way {@link Socket} does, for ffsock's other TLS clients (the event loop's
 * {@code io.ffsock.loop.TcpSocket}). Trust is the system's CA store plus the CA files and folders given; the
 * server's certificate is checked for the engine's peer host (the name given to {@link TlsContext#newEngine}),
 * which may be a name or an IP address; with verification off every certificate is accepted.
 */
public final class TlsClientContexts {
    private TlsClientContexts() {
    }

    /** A context and the engine it runs on. Engines it makes go back through {@code context().release}. */
    public record Client(TlsEngineProvider provider, TlsContext context) {
    }

    /**
     * A client context on the default engine.
     *
     * @param verify         whether the server's chain and name are checked
     * @param caPaths        CA files (PEM or DER) and folders trusted besides the system store
     * @param certificatePem the client certificate (PEM, chain may follow), or {@code null}
     * @param keyPem         its private key (PEM), or {@code null}
     * @throws IOException              a CA path, certificate or key that cannot be used (the user's data)
     * @throws InvalidKeySpecException  a key that does not match the certificate
     * @throws GeneralSecurityException the engine refused the configuration or cannot be selected
     */
    public static Client open(boolean verify, List<String> caPaths, String certificatePem, String keyPem)
            throws IOException, GeneralSecurityException {
        String m = "TlsClientContexts.open";
        List<X509Certificate> cas = TlsTrust.loadCaPaths(m, caPaths);
        PrivateKey key = null;
        List<X509Certificate> chain = List.of();
        if (certificatePem != null) {
            chain = TlsKeys.certificatesFromPem(m, certificatePem);
            if (keyPem == null) {
                throw new InvalidKeySpecException("a client certificate needs its private key");
            }
            key = TlsKeys.privateKeyFromPem(m, keyPem, null);
            if (!TlsKeys.matches(key, chain.get(0))) {
                throw new InvalidKeySpecException("the private key does not match the certificate's public key"
                        + " (certificate " + chain.get(0).getSubjectX500Principal().getName() + ")");
            }
        }
        TlsEngineProvider p;
        try {
            p = TlsEngines.defaultEngine();
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        TlsTrust trust = new TlsTrust(true, cas);
        TlsConfig cfg = new TlsConfig(false, key, chain, trust.trustManager(verify, true), TlsClientAuth.NONE,
                null, null);
        try {
            return new Client(p, p.newContext(cfg));
        } catch (RuntimeException e) {
            throw new GeneralSecurityException("the " + p.name() + " TLS engine refused the settings: "
                    + e.getMessage(), e);
        }
    }

    /** Sends {@code host} as the server name (SNI) unless it is an IP address, as {@link Socket} does. */
    public static void serverName(SSLEngine engine, String host) {
        if (host != null && !TlsTrust.isIpLiteral(host)) {
            SSLParameters p = engine.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            engine.setSSLParameters(p);
        }
    }

    /**
     * The certificate verification failure a handshake driven on this thread last reported, as an OpenSSL code and
     * its details ({@code "X509_V_ERR_CERT_HAS_EXPIRED (certificate has expired): depth 0, ..."}), or {@code null};
     * it is forgotten once taken. Not every engine hands the verifier's exception back through its own.
     */
    public static String takeVerificationFailure() {
        TlsTrust.Result r = TlsTrust.LAST_FAILURE.get();
        TlsTrust.LAST_FAILURE.remove();
        return r == null ? null : r.describe();
    }
}
