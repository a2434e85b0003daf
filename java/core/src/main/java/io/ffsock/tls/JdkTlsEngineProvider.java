package io.ffsock.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JDK's own {@link SSLEngine} (JSSE): always available, no dependencies; the fallback when {@code ffsock-tls}
 * is not on the class path.
 */
public final class JdkTlsEngineProvider implements TlsEngineProvider {
    /** The name this engine is selected by. */
    public static final String NAME = "jdk";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public TlsContext newContext(TlsConfig config) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManager[] km = config.key() == null ? null
                : new KeyManager[] {new SingleKeyManager(config.key(), config.chainArray())};
        ctx.init(km, new TrustManager[] {config.trustManager()}, null);
        String[] protocols = null;
        if (config.protocols() != null) {
            protocols = supported(config.protocols(), ctx.getSupportedSSLParameters().getProtocols());
            if (protocols.length == 0) {
                throw new GeneralSecurityException("none of the TLS versions " + config.protocols()
                        + " is supported by the JDK engine");
            }
        }
        String[] ciphers = null;
        if (config.cipherSuites() != null) {
            ciphers = supported(config.cipherSuites(), ctx.getSupportedSSLParameters().getCipherSuites());
            if (ciphers.length == 0) {
                throw new GeneralSecurityException("none of the cipher suites " + config.cipherSuites()
                        + " is supported by the JDK engine");
            }
        }
        return new Context(ctx, config, protocols, ciphers);
    }

    private static String[] supported(List<String> wanted, String[] supported) {
        List<String> s = Arrays.asList(supported);
        List<String> out = new ArrayList<>();
        for (String w : wanted) {
            if (s.contains(w)) {
                out.add(w);
            }
        }
        return out.toArray(new String[0]);
    }

    private record Context(SSLContext ctx, TlsConfig config, String[] protocols, String[] ciphers)
            implements TlsContext {
        @Override
        public SSLEngine newEngine(String peerHost, int peerPort) {
            SSLEngine e = peerHost == null ? ctx.createSSLEngine() : ctx.createSSLEngine(peerHost, peerPort);
            e.setUseClientMode(!config.server());
            if (protocols != null) {
                e.setEnabledProtocols(protocols);
            }
            if (ciphers != null) {
                e.setEnabledCipherSuites(ciphers);
            }
            if (config.server()) {
                switch (config.clientAuth()) {
                    case REQUIRE -> e.setNeedClientAuth(true);
                    case REQUEST -> e.setWantClientAuth(true);
                    default -> { }
                }
            }
            return e;
        }

        @Override
        public void close() {
            // nothing outside the heap
        }
    }

    /** Offers one key and its chain for every request of a matching key type. */
    static final class SingleKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "ffsock";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        SingleKeyManager(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain.clone();
        }

        private boolean matches(String keyType) {
            if (keyType == null) {
                return true;
            }
            String alg = key.getAlgorithm();
            return keyType.equalsIgnoreCase(alg)
                    || (keyType.equals("EdDSA") && (alg.equals("Ed25519") || alg.equals("Ed448")))
                    || (keyType.equals("RSASSA-PSS") && alg.equals("RSA"));
        }

        private String alias(String[] keyTypes) {
            if (keyTypes == null) {
                return ALIAS;
            }
            for (String t : keyTypes) {
                if (matches(t)) {
                    return ALIAS;
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return matches(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias(keyType);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return matches(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return matches(keyType) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return matches(keyType) ? ALIAS : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
