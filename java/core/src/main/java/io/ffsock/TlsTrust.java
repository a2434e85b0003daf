package io.ffsock;

import io.ffsock.tls.X509VerificationReasons;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The certificates a TLS socket trusts (the system's CA store plus the CA files and folders the user gave, as
 * LiveCode's {@code sslCertificates}) and the verification of a peer's chain and host name against them, with the
 * result as an OpenSSL X509 code ({@code X509_V_OK}, {@code X509_V_ERR_CERT_HAS_EXPIRED}, ...).
 * <p>
 * The chain is built from the certificates the peer sent and the trusted ones only: nothing is ever fetched (no
 * AIA issuers, no OCSP, no CRL). OpenSSL's order of checks is followed, so the code names the same problem OpenSSL
 * would: first whether a trusted issuer is found, then CA and purpose markings, the host name, and the signatures
 * and validity periods. A chain that passes is checked once more by the JDK's PKIX validator, with revocation
 * checking off, so that nothing this class does not look at (name constraints, critical extensions) lets a bad
 * chain through.
 */
final class TlsTrust {
    /** OpenSSL's default verify depth. */
    private static final int MAX_DEPTH = 100;
    private static final String[] SYSTEM_BUNDLES = {"/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"};
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EKU = "2.5.29.37.0";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private static volatile List<X509Certificate> system;

    /** Trusted certificates by subject. */
    private final Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
    private final Set<X509Certificate> trusted = new HashSet<>();

    /** The outcome of a verification: an OpenSSL code name and the details a person needs. */
    record Result(String code, String detail) {
        boolean ok() {
            return X509VerificationReasons.isOk(code);
        }

        /** "X509_V_ERR_CERT_HAS_EXPIRED (certificate has expired): depth 0, CN=..." */
        String describe() {
            String d = X509VerificationReasons.describe(code);
            return code + " (" + (d == null ? "?" : d) + ")" + (detail == null ? "" : ": " + detail);
        }
    }

    TlsTrust(boolean withSystem, Collection<X509Certificate> extra) {
        if (withSystem) {
            for (X509Certificate c : systemCertificates()) {
                add(c);
            }
        }
        for (X509Certificate c : extra) {
            add(c);
        }
    }

    private void add(X509Certificate c) {
        if (trusted.add(c)) {
            bySubject.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
        }
    }

    /** The system's CA certificates: the distribution's bundle, else the JDK's cacerts. Loaded once. */
    static List<X509Certificate> systemCertificates() {
        List<X509Certificate> s = system;
        if (s == null) {
            synchronized (TlsTrust.class) {
                s = system;
                if (s == null) {
                    s = loadSystem();
                    system = s;
                }
            }
        }
        return s;
    }

    private static List<X509Certificate> loadSystem() {
        for (String bundle : SYSTEM_BUNDLES) {
            Path p = Path.of(bundle);
            if (Files.isReadable(p)) {
                try {
                    List<X509Certificate> certs = TlsKeys.caFile(Files.readAllBytes(p));
                    if (!certs.isEmpty()) {
                        return List.copyOf(certs);
                    }
                } catch (IOException | GeneralSecurityException e) {
                    // try the next one
                }
            }
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (javax.net.ssl.TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return List.of(x.getAcceptedIssuers());
                }
            }
        } catch (GeneralSecurityException e) {
            // no system trust at all
        }
        return List.of();
    }

    /**
     * The certificates in the CA files and folders {@code paths}: a file holds PEM certificates (one or many) or
     * one DER certificate; a folder contributes every file in it that parses as certificates (OpenSSL's hashed
     * links, a copy of a bundle, ...), others are skipped.
     *
     * @throws SocketException {@code SSLCERTIFICATE-CONSTRUCTOR-ERROR} for a path that does not exist, a file
     *                         that holds no certificate, or a folder with none
     */
    static List<X509Certificate> loadCaPaths(String m, List<String> paths) throws SocketException {
        List<X509Certificate> out = new ArrayList<>();
        for (String s : paths) {
            Path p = Path.of(s);
            try {
                if (Files.isDirectory(p)) {
                    int before = out.size();
                    try (var files = Files.list(p)) {
                        for (Path f : files.sorted().toList()) {
                            if (Files.isRegularFile(f)) {
                                try {
                                    out.addAll(TlsKeys.caFile(Files.readAllBytes(f)));
                                } catch (GeneralSecurityException | IOException e) {
                                    // not a certificate file: folders hold other things too
                                }
                            }
                        }
                    }
                    if (out.size() == before) {
                        throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m,
                                "the CA folder " + s + " holds no certificate"));
                    }
                } else if (Files.isRegularFile(p)) {
                    List<X509Certificate> certs;
                    try {
                        certs = TlsKeys.caFile(Files.readAllBytes(p));
                    } catch (GeneralSecurityException e) {
                        throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m,
                                "the CA file " + s + " is not a certificate file: " + e.getMessage()));
                    }
                    if (certs.isEmpty()) {
                        throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m,
                                "the CA file " + s + " holds no certificate"));
                    }
                    out.addAll(certs);
                } else {
                    throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m,
                            "no CA file or folder " + s));
                }
            } catch (IOException e) {
                throw new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m,
                        "cannot read the CA file or folder " + s + ": " + e.getMessage()));
            }
        }
        return out;
    }

    // =========================================================================================================
    // verification
    // =========================================================================================================

    /**
     * Verifies {@code presented} (leaf first, as the peer sent it) as OpenSSL would.
     *
     * @param host          the name or IP address the certificate must be for, or {@code null} for no host check
     * @param serverCert    whether the chain is a server's (purpose serverAuth) or a client's (clientAuth)
     */
    Result verify(X509Certificate[] presented, String host, boolean serverCert) {
        return verify(presented, host, serverCert, new Date());
    }

    Result verify(X509Certificate[] presented, String host, boolean serverCert, Date now) {
        if (presented == null || presented.length == 0) {
            return new Result("X509_V_ERR_UNSPECIFIED", "the peer sent no certificate");
        }
        List<X509Certificate> path = new ArrayList<>();
        List<X509Certificate> pool = new ArrayList<>(Arrays.asList(presented).subList(1, presented.length));
        X509Certificate cur = presented[0];
        X509Certificate anchor = null;
        path.add(cur);
        for (int depth = 0; ; depth++) {
            if (trusted.contains(cur)) {
                anchor = cur;
                break;
            }
            X509Certificate issuer = trustedIssuer(cur);
            if (issuer != null) {
                anchor = issuer;
                path.add(issuer);
                break;
            }
            if (selfSigned(cur)) {
                return new Result(depth == 0 ? "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT"
                        : "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN", at(depth, cur));
            }
            X509Certificate next = null;
            for (X509Certificate c : pool) {
                if (c.getSubjectX500Principal().equals(cur.getIssuerX500Principal()) && signedBy(cur, c.getPublicKey())) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return new Result("X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", at(depth, cur) + "; issuer "
                        + cur.getIssuerX500Principal().getName() + " is not among the trusted certificates");
            }
            if (depth + 1 > MAX_DEPTH) {
                return new Result("X509_V_ERR_CERT_CHAIN_TOO_LONG", at(depth, cur));
            }
            pool.remove(next);
            path.add(next);
            cur = next;
        }
        // CA markings of every issuer in the path, and path length constraints
        for (int i = 1; i < path.size(); i++) {
            X509Certificate ca = path.get(i);
            int bc = ca.getBasicConstraints();
            if (bc < 0) {
                return new Result("X509_V_ERR_INVALID_CA", at(i, ca) + " is not a CA certificate");
            }
            // certificates below this CA that are CAs themselves (the leaf is not counted)
            if (bc != Integer.MAX_VALUE && i - 1 > bc) {
                return new Result("X509_V_ERR_PATH_LENGTH_EXCEEDED", at(i, ca));
            }
            boolean[] ku = ca.getKeyUsage();
            if (ku != null && ku.length > 5 && !ku[5]) {
                return new Result("X509_V_ERR_KEYUSAGE_NO_CERTSIGN", at(i, ca));
            }
        }
        X509Certificate leaf = path.get(0);
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            String purpose = serverCert ? SERVER_AUTH : CLIENT_AUTH;
            if (eku != null && !eku.contains(purpose) && !eku.contains(ANY_EKU)) {
                return new Result("X509_V_ERR_INVALID_PURPOSE", at(0, leaf) + " is not for "
                        + (serverCert ? "TLS servers (serverAuth)" : "TLS clients (clientAuth)"));
            }
        } catch (CertificateParsingException e) {
            return new Result("X509_V_ERR_INVALID_EXTENSION", at(0, leaf) + ": " + e.getMessage());
        }
        if (host != null) {
            Result r = checkHost(leaf, host);
            if (r != null) {
                return r;
            }
        }
        // signatures and validity periods, from the top of the chain down
        for (int i = path.size() - 1; i >= 0; i--) {
            X509Certificate c = path.get(i);
            if (c != anchor || i > 0) {
                PublicKey issuerKey = i + 1 < path.size() ? path.get(i + 1).getPublicKey()
                        : (c == anchor ? null : anchor.getPublicKey());
                if (issuerKey != null && !signedBy(c, issuerKey)) {
                    return new Result("X509_V_ERR_CERT_SIGNATURE_FAILURE", at(i, c));
                }
            }
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return new Result("X509_V_ERR_CERT_HAS_EXPIRED", at(i, c) + ", not after " + c.getNotAfter()
                        .toInstant());
            } catch (CertificateNotYetValidException e) {
                return new Result("X509_V_ERR_CERT_NOT_YET_VALID", at(i, c) + ", not before " + c.getNotBefore()
                        .toInstant());
            }
        }
        return pkix(path, anchor, now);
    }

    /** The JDK's PKIX validation of the path that was built, as a second opinion; no revocation checks. */
    private static Result pkix(List<X509Certificate> path, X509Certificate anchor, Date now) {
        if (path.size() == 1 && path.get(0) == anchor) {
            return new Result("X509_V_OK", null); // the peer's certificate itself is trusted
        }
        try {
            List<X509Certificate> certs = new ArrayList<>(path);
            certs.remove(anchor);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(certs), params);
            return new Result("X509_V_OK", null);
        } catch (CertPathValidatorException e) {
            String code = "X509_V_ERR_UNSPECIFIED";
            if (e.getReason() == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
                code = "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION";
            } else if (e.getReason() == PKIXReason.INVALID_NAME) {
                code = "X509_V_ERR_PERMITTED_VIOLATION";
            } else if (e.getReason() == PKIXReason.INVALID_POLICY) {
                code = "X509_V_ERR_INVALID_POLICY_EXTENSION";
            }
            return new Result(code, "PKIX validation failed: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            return new Result("X509_V_ERR_UNSPECIFIED", "PKIX validation failed: " + e.getMessage());
        }
    }

    private static String at(int depth, X509Certificate c) {
        return "depth " + depth + ", " + c.getSubjectX500Principal().getName();
    }

    private X509Certificate trustedIssuer(X509Certificate c) {
        List<X509Certificate> cands = bySubject.get(c.getIssuerX500Principal());
        if (cands == null) {
            return null;
        }
        for (X509Certificate t : cands) {
            if (signedBy(c, t.getPublicKey())) {
                return t;
            }
        }
        return null;
    }

    private static boolean selfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c.getPublicKey());
    }

    private static boolean signedBy(X509Certificate c, PublicKey key) {
        try {
            c.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    // --- host names ------------------------------------------------------------------------------------------

    /** Whether {@code host} is an IPv4 or IPv6 literal (never resolved: a name is never looked up here). */
    static boolean isIpLiteral(String host) {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    private static Result checkHost(X509Certificate leaf, String host) {
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return new Result("X509_V_ERR_INVALID_EXTENSION", at(0, leaf) + ": " + e.getMessage());
        }
        String h = host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (isIpLiteral(h)) {
            byte[] want = literal(h);
            if (want != null && sans != null) {
                for (List<?> san : sans) {
                    if ((Integer) san.get(0) == 7) {
                        byte[] got = literal(String.valueOf(san.get(1)));
                        if (got != null && Arrays.equals(want, got)) {
                            return null;
                        }
                    }
                }
            }
            return new Result("X509_V_ERR_IP_ADDRESS_MISMATCH", "the certificate (" + leaf.getSubjectX500Principal()
                    .getName() + ") is not for the address " + h + "; it is for " + names(leaf, sans));
        }
        String name = h.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        boolean anyDns = false;
        if (sans != null) {
            for (List<?> san : sans) {
                if ((Integer) san.get(0) == 2) {
                    anyDns = true;
                    if (dnsMatches(String.valueOf(san.get(1)), name)) {
                        return null;
                    }
                }
            }
        }
        if (!anyDns) {
            // no DNS names: the subject's common name counts, as in OpenSSL's X509_check_host
            String cn = commonName(leaf);
            if (cn != null && dnsMatches(cn, name)) {
                return null;
            }
        }
        return new Result("X509_V_ERR_HOSTNAME_MISMATCH", "the certificate (" + leaf.getSubjectX500Principal()
                .getName() + ") is not for " + h + "; it is for " + names(leaf, sans));
    }

    private static String names(X509Certificate leaf, Collection<List<?>> sans) {
        List<String> out = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == 2 || type == 7) {
                    out.add(String.valueOf(san.get(1)));
                }
            }
        }
        if (out.isEmpty()) {
            String cn = commonName(leaf);
            return cn == null ? "no name" : cn;
        }
        return String.join(", ", out);
    }

    private static byte[] literal(String s) {
        try {
            // only literals get here (digits and dots, or colons): InetAddress parses them without a lookup
            return isIpLiteral(s) ? InetAddress.getByName(s).getAddress() : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean dnsMatches(String pattern, String name) {
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.startsWith("*.")) {
            // a wildcard stands for exactly one whole left-most label, and never for a top-level domain
            String suffix = p.substring(1);
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot).equals(suffix) && suffix.indexOf('.', 1) > 0;
        }
        return p.equals(name);
    }

    /** The first CN of the subject, from its RFC 2253 form (attribute values unescaped). */
    static String commonName(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName(X500Principal.RFC2253);
        int i = 0;
        int n = dn.length();
        while (i < n) {
            int eq = dn.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String type = dn.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 1;
            for (; j < n; j++) {
                char ch = dn.charAt(j);
                if (ch == '\\' && j + 1 < n) {
                    value.append(dn.charAt(++j));
                } else if (ch == ',' || ch == '+') {
                    break;
                } else {
                    value.append(ch);
                }
            }
            if (type.equalsIgnoreCase("CN") || type.equals("2.5.4.3")) {
                return value.toString();
            }
            i = j + 1;
        }
        return null;
    }

    // =========================================================================================================
    // the trust manager the engines call
    // =========================================================================================================

    /**
     * The verification failure the trust manager last reported on this thread. Engines call the trust manager on
     * the thread that drives the handshake (JDK: in a delegated task ffsock runs; OpenSSL: in the verify callback
     * of the handshake call), and not every engine hands the exception back: the handshake reads it from here.
     */
    static final ThreadLocal<Result> LAST_FAILURE = new ThreadLocal<>();

    /** Thrown by the trust manager when verification is on and the chain fails; carries the result. */
    static final class VerifyException extends CertificateException {
        private static final long serialVersionUID = 1L;
        final transient Result result;

        VerifyException(Result r) {
            super("certificate verification failed: " + r.describe());
            this.result = r;
        }
    }

    /**
     * The trust manager given to every engine: it verifies with {@link #verify} and throws {@link VerifyException}
     * when {@code enforce} is set, and accepts every chain when it is not (verification "off"; the code is still
     * reported by {@code verifyPeerCertificate()}). The host name is the engine's peer host, which ffsock sets to
     * the name to verify.
     */
    X509ExtendedTrustManager trustManager(boolean enforce, boolean checkHost) {
        return new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain, String host, boolean server) throws CertificateException {
                if (!enforce) {
                    return;
                }
                Result r = verify(chain, checkHost ? host : null, server);
                if (!r.ok()) {
                    LAST_FAILURE.set(r);
                    throw new VerifyException(r);
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                    throws CertificateException {
                check(chain, null, false);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                    throws CertificateException {
                check(chain, null, true);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain, null, false);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain, engine == null ? null : engine.getPeerHost(), true);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain, null, false);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain, null, true);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }
}
