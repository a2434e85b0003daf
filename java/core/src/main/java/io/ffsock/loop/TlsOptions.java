package io.ffsock.loop;

import io.ffsock.TlsClientContexts;
import io.ffsock.tls.TlsContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

import javax.net.ssl.SSLEngine;

/**
 * How a loop socket's TLS client connects, in LiveCode's terms: "with verification" (the default: the server's chain
 * against the system CA store plus the CA files and folders given — LiveCode's {@code sslCertificates} — and its name
 * against the host connected to), "with verification for host NAME" (the certificate is checked, and SNI sent, for
 * NAME while the connection goes elsewhere, e.g. through a tunnel), or "without verification" (any certificate is
 * accepted: an explicit choice). A client certificate and key ("using certificate ... and key ...") are PEM text.
 * <p>
 * Instances are immutable; each {@code with...} method returns a copy. The TLS context is built once per
 * instance, on first use, so reusing one instance for many connections costs one trust-store load; it is closed
 * once the instance is no longer reachable.
 * <p>
 * <b>Engines.</b> The engine comes from a {@link TlsEngineFactory}: the one given to {@link #withEngineFactory},
 * else the first one {@link ServiceLoader} finds, else the engine {@link io.ffsock.tls.TlsEngines#defaultEngine()}
 * picks (OpenSSL when {@code ffsock-tls} is on the class path, else the JDK's), verified exactly as
 * {@link io.ffsock.Socket} verifies: the system's CAs plus the ones given, the host name, the client certificate.
 * Every engine is released when its connection ends.
 */
public final class TlsOptions {
    private final boolean verify;
    private final String verifyHost;
    private final List<String> caPaths;
    private final String certificatePem;
    private final String keyPem;
    private final TlsEngineFactory factory;
    private volatile TlsClientContexts.Client client;

    private static final Cleaner CLEANER = Cleaner.create();

    private TlsOptions(boolean verify, String verifyHost, List<String> caPaths, String certificatePem, String keyPem,
                       TlsEngineFactory factory) {
        this.verify = verify;
        this.verifyHost = verifyHost;
        this.caPaths = List.copyOf(caPaths);
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
        this.factory = factory;
    }

    /** "with verification": chain and host name are checked (the default of a secure socket). */
    public static TlsOptions withVerification() {
        return new TlsOptions(true, null, List.of(), null, null, null);
    }

    /** "with verification for host {@code name}": checked (and SNI sent) for {@code name}, not the host connected to. */
    public static TlsOptions withVerificationForHost(String name) {
        return new TlsOptions(true, Objects.requireNonNull(name, "name"), List.of(), null, null, null);
    }

    /** "without verification": the server is not authenticated and any certificate is accepted. */
    public static TlsOptions withoutVerification() {
        return new TlsOptions(false, null, List.of(), null, null, null);
    }

    /**
     * Trusts, besides the system store, the certificates in these PEM files and in the files of these folders
     * (LiveCode's {@code sslCertificates}).
     */
    public TlsOptions withCaCertificates(String... filesOrFolders) {
        List<String> all = new ArrayList<>(caPaths);
        all.addAll(List.of(filesOrFolders));
        return new TlsOptions(verify, verifyHost, all, certificatePem, keyPem, factory);
    }

    /** A client certificate (PEM, the chain may follow) and its PKCS#8 private key (PEM, unencrypted). */
    public TlsOptions withCertificateAndKey(String certificatePem, String keyPem) {
        return new TlsOptions(verify, verifyHost, caPaths, Objects.requireNonNull(certificatePem, "certificate"),
                Objects.requireNonNull(keyPem, "key"), factory);
    }

    /** Engines from {@code factory} instead of the default. */
    public TlsOptions withEngineFactory(TlsEngineFactory factory) {
        return new TlsOptions(verify, verifyHost, caPaths, certificatePem, keyPem, factory);
    }

    /** Whether the server is authenticated. */
    public boolean verify() {
        return verify;
    }

    /** The name the certificate is checked against instead of the host connected to, or {@code null}. */
    public String verificationHost() {
        return verifyHost;
    }

    /** CA files and folders trusted besides the system store. */
    public List<String> caCertificates() {
        return caPaths;
    }

    /** The client certificate (PEM) or {@code null}. */
    public String certificatePem() {
        return certificatePem;
    }

    /** The client key (PEM) or {@code null}. */
    public String keyPem() {
        return keyPem;
    }

    /**
     * A TLS session for a connection to {@code host}:{@code port}, on an engine set up as these options say; the
     * session gives the engine back to whoever made it when it is released.
     */
    TlsSession session(String host, int port) throws GeneralSecurityException, IOException {
        TlsClientContexts.takeVerificationFailure(); // none left over from another connection on this thread
        TlsEngineFactory f = factory != null ? factory : DefaultFactory.INSTANCE;
        if (f == null) {
            TlsClientContexts.Client c = client();
            String name = verifyHost != null ? verifyHost : host;
            TlsContext ctx = c.context();
            SSLEngine e = ctx.newEngine(name, port);
            try {
                TlsClientContexts.serverName(e, name);
                return new TlsSession(e, () -> ctx.release(e));
            } catch (RuntimeException x) {
                ctx.release(e);
                throw x;
            }
        }
        SSLEngine e = f.clientEngine(this, host, port);
        try {
            return new TlsSession(e, () -> f.release(e));
        } catch (RuntimeException x) {
            f.release(e);
            throw x;
        }
    }

    /**
     * The engine ffsock's own TLS clients run on when no {@link TlsEngineFactory} is given or registered: the name
     * of {@link io.ffsock.tls.TlsEngines#defaultEngine()} ({@code "openssl"} with {@code ffsock-tls} on the class
     * path, else {@code "jdk"}), or {@code null} when a factory is used instead.
     */
    public String engineName() throws GeneralSecurityException, IOException {
        if (factory != null || DefaultFactory.INSTANCE != null) {
            return null;
        }
        return client().provider().name();
    }

    /** This instance's context on the default engine, built on first use and closed when the instance is dropped. */
    private TlsClientContexts.Client client() throws GeneralSecurityException, IOException {
        TlsClientContexts.Client c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = TlsClientContexts.open(verify, caPaths, certificatePem, keyPem);
                    TlsContext ctx = c.context();
                    CLEANER.register(this, ctx::close); // engines still running keep their own reference
                    client = c;
                }
            }
        }
        return c;
    }

    /** Whether {@code e} comes from data the user gave (certificate, key, CA file) rather than the TLS library. */
    boolean invalid(Exception e) {
        return e instanceof CertificateException || e instanceof InvalidKeySpecException
                || e instanceof IllegalArgumentException || e instanceof IOException;
    }

    /** The first {@link TlsEngineFactory} service, or {@code null} for ffsock's engines. */
    private static final class DefaultFactory {
        static final TlsEngineFactory INSTANCE = ServiceLoader.load(TlsEngineFactory.class).findFirst()
                .orElse(null);
    }

    static List<X509Certificate> parseCertificates(String pem, String what) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1))) {
            for (Certificate c : cf.generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (IOException e) {
            throw new CertificateException(what + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new CertificateException(what + " holds no PEM certificate");
        }
        return out;
    }

    static PrivateKey parsePrivateKey(String pem) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new InvalidKeySpecException("the key must be PEM \"" + begin + "\" (unencrypted PKCS#8); convert"
                    + " others with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException tryNext) {
                // not this algorithm
            }
        }
        throw new InvalidKeySpecException("the private key is of no supported algorithm (RSA, EC, EdDSA)");
    }
}
