package io.ffsock.loop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
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

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How a loop socket's TLS client connects, in LiveCode's terms: "with verification" (the default: the server's chain
 * against the system CA store plus the CA files and folders given — LiveCode's {@code sslCertificates} — and its name
 * against the host connected to), "with verification for host NAME" (the certificate is checked, and SNI sent, for
 * NAME while the connection goes elsewhere, e.g. through a tunnel), or "without verification" (any certificate is
 * accepted: an explicit choice). A client certificate and key ("using certificate ... and key ...") are PEM text.
 * <p>
 * Instances are immutable; each {@code with...} method returns a copy. The {@link SSLContext} is built once per
 * instance, on first use, so reusing one instance for many connections costs one trust-store load.
 * <p>
 * <b>Engines.</b> The engine comes from a {@link TlsEngineFactory}: the one given to {@link #withEngineFactory},
 * else the first one {@link ServiceLoader} finds (an OpenSSL engine module registers itself that way), else the
 * JDK's {@code SSLEngine}.
 */
public final class TlsOptions {
    private final boolean verify;
    private final String verifyHost;
    private final List<String> caPaths;
    private final String certificatePem;
    private final String keyPem;
    private final TlsEngineFactory factory;
    private volatile SSLContext context;

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

    /** A client engine for a connection to {@code host}:{@code port}, set up as these options say. */
    SSLEngine clientEngine(String host, int port) throws GeneralSecurityException, IOException {
        TlsEngineFactory f = factory != null ? factory : DefaultFactory.INSTANCE;
        return f.clientEngine(this, host, port);
    }

    /** Whether {@code e} comes from data the user gave (certificate, key, CA file) rather than the TLS library. */
    boolean invalid(Exception e) {
        return e instanceof CertificateException || e instanceof InvalidKeySpecException
                || e instanceof IllegalArgumentException || e instanceof IOException;
    }

    private static final class DefaultFactory {
        static final TlsEngineFactory INSTANCE = ServiceLoader.load(TlsEngineFactory.class).findFirst()
                .orElse(TlsOptions::jdkEngine);
    }

    /** The JDK's {@code SSLEngine}, set up from {@code o}. */
    static SSLEngine jdkEngine(TlsOptions o, String host, int port) throws GeneralSecurityException, IOException {
        SSLContext ctx = o.context;
        if (ctx == null) {
            synchronized (o) {
                ctx = o.context;
                if (ctx == null) {
                    ctx = o.buildContext();
                    o.context = ctx;
                }
            }
        }
        String name = o.verifyHost != null ? o.verifyHost : host;
        SSLEngine e = ctx.createSSLEngine(name, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        if (o.verify) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (Lookups.literal(name) == null) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        e.setSSLParameters(p);
        return e;
    }

    private SSLContext buildContext() throws GeneralSecurityException, IOException {
        TrustManager[] trust;
        if (!verify) {
            trust = new TrustManager[] {new TrustAll()};
        } else {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            X509ExtendedTrustManager sys = first(system.getTrustManagers());
            if (caPaths.isEmpty()) {
                trust = new TrustManager[] {sys};
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (X509Certificate c : caCertificatesFrom(caPaths)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory own = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                own.init(ks);
                trust = new TrustManager[] {new EitherTrust(first(own.getTrustManagers()), sys)};
            }
        }
        KeyManager[] keys = null;
        if (certificatePem != null) {
            List<Certificate> chain = new ArrayList<>(parseCertificates(certificatePem, "client certificate"));
            PrivateKey key = parsePrivateKey(keyPem);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            keys = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, trust, null);
        return ctx;
    }

    private static X509ExtendedTrustManager first(TrustManager[] tms) throws GeneralSecurityException {
        for (TrustManager t : tms) {
            if (t instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    /** Every certificate in the PEM files named, and in the regular files of the folders named. */
    static List<X509Certificate> caCertificatesFrom(List<String> paths) throws IOException, CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of(p);
            if (Files.isDirectory(path)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                    for (Path f : ds) {
                        if (Files.isRegularFile(f)) {
                            try {
                                out.addAll(parseCertificates(Files.readString(f, StandardCharsets.ISO_8859_1),
                                        f.toString()));
                            } catch (CertificateException notACertificate) {
                                // a folder of CA files may hold other files too (hash links, READMEs)
                            }
                        }
                    }
                }
            } else {
                out.addAll(parseCertificates(Files.readString(path, StandardCharsets.ISO_8859_1), p));
            }
        }
        return out;
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

    /** The user's CAs first, then the system's. */
    private static final class EitherTrust extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager a;
        private final X509ExtendedTrustManager b;

        EitherTrust(X509ExtendedTrustManager a, X509ExtendedTrustManager b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                a.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException first) {
                try {
                    b.checkServerTrusted(chain, authType, engine);
                } catch (CertificateException second) {
                    first.addSuppressed(second);
                    throw first;
                }
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                a.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException first) {
                b.checkServerTrusted(chain, authType, socket);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                a.checkServerTrusted(chain, authType);
            } catch (CertificateException first) {
                b.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            a.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            a.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            a.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] x = a.getAcceptedIssuers();
            X509Certificate[] y = b.getAcceptedIssuers();
            X509Certificate[] all = new X509Certificate[x.length + y.length];
            System.arraycopy(x, 0, all, 0, x.length);
            System.arraycopy(y, 0, all, x.length, y.length);
            return all;
        }
    }

    /** "without verification": every chain is accepted, and no host name is checked. */
    private static final class TrustAll extends X509ExtendedTrustManager implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
