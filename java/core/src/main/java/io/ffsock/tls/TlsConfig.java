package io.ffsock.tls;

import javax.net.ssl.X509ExtendedTrustManager;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a {@link TlsEngineProvider} needs to build a {@link TlsContext}.
 *
 * @param server       server mode (acceptSSL, upgradeServerToSSL) or client mode
 * @param key          the private key, or {@code null} (a client without a certificate)
 * @param chain        the certificate chain, leaf first; empty when there is no key
 * @param trustManager decides whether the peer's chain is accepted; it must be used as given (it verifies the chain
 *                     and host name, or only records the result when verification is off)
 * @param clientAuth   for servers: whether to ask for a client certificate
 * @param protocols    the protocols to enable, in the JDK's names ({@code "TLSv1.2"}, {@code "TLSv1.3"}), or
 *                     {@code null} for the engine's defaults
 * @param cipherSuites the cipher suites to enable, in IANA/JDK names, or {@code null} for the engine's defaults
 */
public record TlsConfig(boolean server, PrivateKey key, List<X509Certificate> chain,
                        X509ExtendedTrustManager trustManager, TlsClientAuth clientAuth, List<String> protocols,
                        List<String> cipherSuites) {
    public TlsConfig {
        chain = List.copyOf(chain);
        protocols = protocols == null ? null : List.copyOf(protocols);
        cipherSuites = cipherSuites == null ? null : List.copyOf(cipherSuites);
    }

    /** The chain as an array, leaf first. */
    public X509Certificate[] chainArray() {
        return chain.toArray(new X509Certificate[0]);
    }
}
