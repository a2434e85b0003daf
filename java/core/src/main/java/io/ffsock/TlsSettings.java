package io.ffsock;

import io.ffsock.tls.CipherNames;
import io.ffsock.tls.TlsClientAuth;
import io.ffsock.tls.TlsConfig;
import io.ffsock.tls.TlsContext;
import io.ffsock.tls.TlsEngineProvider;
import io.ffsock.tls.TlsEngines;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A socket's TLS settings (certificate, key, trusted CAs, verification, versions, ciphers, engine) and the
 * contexts built from them, one for client and one for server mode, kept until a setting changes. Accepted
 * sockets get a copy of their listener's settings.
 */
final class TlsSettings {
    static final List<String> VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** A context ready for connections, with the trust it verifies against. */
    record Ctx(TlsEngineProvider provider, TlsContext context, TlsTrust trust, boolean server) {
    }

    private List<X509Certificate> chain = List.of();
    private PrivateKey key;
    private List<String> caPaths = List.of();
    private List<X509Certificate> caCerts = List.of();
    private boolean verifyPeer = true;
    private String verificationHost;
    private String minVersion;
    private String maxVersion;
    private List<String> ciphers;
    private TlsClientAuth clientAuth = TlsClientAuth.NONE;
    private String engine;
    private Ctx client;
    private Ctx server;

    /**
     * The listener these settings were copied from, whose contexts they use until a setting of their own changes:
     * an accepted socket that upgrades (upgradeServerToSSL) then costs no context of its own.
     */
    private TlsSettings parent;

    /** Takes {@code o}'s settings (an accepted socket inherits its listener's) and shares its contexts. */
    void copyFrom(TlsSettings o) {
        TlsSettings s = this;
        synchronized (o) {
            synchronized (this) {
                copy(o, s);
                parent = o;
            }
        }
    }

    private static void copy(TlsSettings o, TlsSettings s) {
        s.chain = o.chain;
        s.key = o.key;
        s.caPaths = o.caPaths;
        s.caCerts = o.caCerts;
        s.verifyPeer = o.verifyPeer;
        s.verificationHost = o.verificationHost;
        s.minVersion = o.minVersion;
        s.maxVersion = o.maxVersion;
        s.ciphers = o.ciphers;
        s.clientAuth = o.clientAuth;
        s.engine = o.engine;
    }

    /** Drops the cached contexts (a setting changed, or the socket is gone), and the parent's. */
    synchronized void invalidate() {
        parent = null;
        if (client != null) {
            client.context().close();
            client = null;
        }
        if (server != null) {
            server.context().close();
            server = null;
        }
    }

    synchronized void setChain(List<X509Certificate> c) {
        chain = List.copyOf(c);
        invalidate();
    }

    synchronized void setKey(PrivateKey k) {
        key = k;
        invalidate();
    }

    synchronized void setCa(List<String> paths, List<X509Certificate> certs) {
        caPaths = List.copyOf(paths);
        caCerts = List.copyOf(certs);
        invalidate();
    }

    synchronized List<String> caPaths() {
        return caPaths;
    }

    synchronized void setVerifyPeer(boolean v) {
        verifyPeer = v;
        invalidate();
    }

    synchronized boolean verifyPeer() {
        return verifyPeer;
    }

    synchronized void setVerificationHost(String h) {
        verificationHost = h;
    }

    synchronized String verificationHost() {
        return verificationHost;
    }

    synchronized void setVersions(String min, String max) {
        String lo = min == null ? null : version(min);
        String hi = max == null ? null : version(max);
        if (lo != null && hi != null && VERSIONS.indexOf(lo) > VERSIONS.indexOf(hi)) {
            throw new IllegalArgumentException("the TLS version floor " + lo + " is above the ceiling " + hi);
        }
        minVersion = lo;
        maxVersion = hi;
        invalidate();
    }

    synchronized String[] versions() {
        return new String[] {minVersion, maxVersion};
    }

    /** "TLSv1.2", "tlsv1.2", "TLS1.2", "1.2" all name TLSv1.2. */
    static String version(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT).replace("_", ".");
        if (s.startsWith("TLSV")) {
            s = s.substring(4);
        } else if (s.startsWith("TLS")) {
            s = s.substring(3);
        }
        switch (s) {
            case "1", "1.0": return "TLSv1";
            case "1.1": return "TLSv1.1";
            case "1.2": return "TLSv1.2";
            case "1.3": return "TLSv1.3";
            default: throw new IllegalArgumentException("unknown TLS version '" + v + "'; expecting one of "
                    + VERSIONS);
        }
    }

    synchronized void setCiphers(List<String> c) {
        if (c == null || c.isEmpty()) {
            ciphers = null;
        } else {
            List<String> iana = new ArrayList<>();
            for (String s : c) {
                iana.add(CipherNames.toIana(s));
            }
            ciphers = List.copyOf(iana);
        }
        invalidate();
    }

    synchronized List<String> ciphers() {
        return ciphers;
    }

    synchronized void setClientAuth(TlsClientAuth a) {
        clientAuth = a == null ? TlsClientAuth.NONE : a;
        invalidate();
    }

    synchronized TlsClientAuth clientAuth() {
        return clientAuth;
    }

    synchronized void setEngine(String name) {
        if (name != null) {
            TlsEngines.get(name); // fail now for a name that does not exist here
        }
        engine = name;
        invalidate();
    }

    /** The engine this socket uses: its own choice or the process default. */
    synchronized String engineName() {
        if (engine != null) {
            return TlsEngines.get(engine).name();
        }
        return TlsEngines.defaultEngine().name();
    }

    /**
     * The context for client or server mode, built on first use.
     *
     * @throws SocketException {@code SOCKET-SSL-ERROR} with the reason: no certificate for a server, a key that
     *                         does not match the certificate, an unknown engine, versions or ciphers the engine
     *                         cannot do
     */
    Ctx context(String m, boolean asServer) throws SocketException {
        TlsSettings p;
        synchronized (this) {
            p = parent;
        }
        return p != null ? p.context(m, asServer) : ownContext(m, asServer);
    }

    private synchronized Ctx ownContext(String m, boolean asServer) throws SocketException {
        Ctx c = asServer ? server : client;
        if (c != null) {
            return c;
        }
        if (asServer && (key == null || chain.isEmpty())) {
            throw error(m, "a TLS server needs a certificate and a private key: call setCertificate() and "
                    + "setPrivateKey() first");
        }
        if (key != null && chain.isEmpty()) {
            throw error(m, "a private key was set without a certificate: call setCertificate() too");
        }
        if (key == null && !chain.isEmpty()) {
            throw error(m, "a certificate was set without its private key: call setPrivateKey() too");
        }
        if (key != null && !TlsKeys.matches(key, chain.get(0))) {
            throw error(m, "the private key does not match the certificate's public key (certificate "
                    + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
        TlsEngineProvider p;
        try {
            p = engine != null ? TlsEngines.get(engine) : TlsEngines.defaultEngine();
        } catch (IllegalArgumentException e) {
            throw error(m, e.getMessage());
        }
        TlsTrust trust = new TlsTrust(true, caCerts);
        List<String> protocols = null;
        if (minVersion != null || maxVersion != null) {
            int lo = minVersion == null ? 0 : VERSIONS.indexOf(minVersion);
            int hi = maxVersion == null ? VERSIONS.size() - 1 : VERSIONS.indexOf(maxVersion);
            protocols = VERSIONS.subList(lo, hi + 1);
        }
        TlsConfig cfg = new TlsConfig(asServer, key, key == null ? List.of() : chain,
                trust.trustManager(verifyPeer, !asServer), clientAuth, protocols, ciphers);
        TlsContext ctx;
        try {
            ctx = p.newContext(cfg);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw error(m, "the " + p.name() + " TLS engine refused the settings: " + e.getMessage());
        }
        c = new Ctx(p, ctx, trust, asServer);
        if (asServer) {
            server = c;
        } else {
            client = c;
        }
        return c;
    }

    private static SocketException error(String m, String text) {
        return new SocketException(SocketError.SSL_ERROR, m, Errors.named(m, text));
    }
}
