package io.ffsock;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM text or DER bytes, as Qore's {@code SSLCertificate} and
 * {@code SSLPrivateKey} constructors take them: a PEM string may hold the key and the certificate together (each
 * parser takes its own blocks and skips the others); keys may be PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}), or OpenSSL's traditional {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY},
 * optionally encrypted with a {@code DEK-Info} header.
 */
final class TlsKeys {
    private TlsKeys() {
    }

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** One PEM block: its label, its headers (e.g. DEK-Info) and its decoded body. */
    record Block(String label, List<String[]> headers, byte[] der) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    static List<Block> blocks(String pem) throws GeneralSecurityException {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String body = m.group(2);
            List<String[]> headers = new ArrayList<>();
            StringBuilder b64 = new StringBuilder();
            for (String line : body.split("\r?\n")) {
                String l = line.trim();
                int colon = l.indexOf(':');
                if (colon > 0 && b64.isEmpty()) {
                    headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
                } else {
                    b64.append(l);
                }
            }
            try {
                out.add(new Block(m.group(1), headers, Base64.getMimeDecoder().decode(b64.toString())));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("the " + m.group(1) + " block is not valid base64: "
                        + e.getMessage());
            }
        }
        return out;
    }

    // --- certificates ----------------------------------------------------------------------------------------

    /** Every CERTIFICATE block of {@code pem}, in order (leaf first, as PEM chains are written). */
    static List<X509Certificate> certificatesFromPem(String m, String pem) throws SocketException {
        if (pem == null) {
            throw certError(m, "no certificate given (null)");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Block b : blocks(pem)) {
                if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")
                        || b.label().equals("TRUSTED CERTIFICATE")) {
                    out.add(certificate(b.der()));
                }
            }
        } catch (GeneralSecurityException e) {
            throw certError(m, "error parsing certificate PEM string: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw certError(m, "error parsing certificate PEM string: it holds no \"-----BEGIN CERTIFICATE-----\" "
                    + "block");
        }
        return out;
    }

    /** A certificate from DER bytes. */
    static X509Certificate certificateFromDer(String m, byte[] der) throws SocketException {
        if (der == null || der.length == 0) {
            throw certError(m, "error parsing certificate DER data: no data given");
        }
        try {
            return certificate(der);
        } catch (GeneralSecurityException e) {
            throw certError(m, "error parsing certificate DER data: " + e.getMessage());
        }
    }

    static X509Certificate certificate(byte[] der) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
    }

    /** The certificates in a CA file: PEM (one or many) or a single DER certificate. */
    static List<X509Certificate> caFile(byte[] content) throws GeneralSecurityException {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN")) {
            List<X509Certificate> out = new ArrayList<>();
            for (Block b : blocks(text)) {
                if (b.label().endsWith("CERTIFICATE")) {
                    out.add(certificate(b.der()));
                }
            }
            return out;
        }
        return List.of(certificate(content));
    }

    private static SocketException certError(String m, String text) {
        return new SocketException(SocketError.SSL_CERTIFICATE_ERROR, m, Errors.named(m, text));
    }

    // --- private keys ----------------------------------------------------------------------------------------

    private static SocketException keyError(String m, String text) {
        return new SocketException(SocketError.SSL_PRIVATE_KEY_ERROR, m, Errors.named(m, text));
    }

    /** The first private key block of {@code pem}, decrypted with {@code password} when it is encrypted. */
    static PrivateKey privateKeyFromPem(String m, String pem, String password) throws SocketException {
        if (pem == null) {
            throw keyError(m, "no private key given (null)");
        }
        List<Block> blocks;
        try {
            blocks = blocks(pem);
        } catch (GeneralSecurityException e) {
            throw keyError(m, "error parsing PEM string: " + e.getMessage());
        }
        for (Block b : blocks) {
            switch (b.label()) {
                case "PRIVATE KEY":
                    return pkcs8(m, b.der());
                case "ENCRYPTED PRIVATE KEY":
                    return encryptedPkcs8(m, b.der(), password);
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    byte[] der = b.der();
                    String proc = b.header("Proc-Type");
                    if (proc != null && proc.contains("ENCRYPTED")) {
                        der = decryptTraditional(m, b, password);
                    }
                    return traditional(m, b.label(), der, proc != null);
                default:
                    // a certificate or anything else in a combined PEM: not ours
            }
        }
        throw keyError(m, "error parsing PEM string: it holds no private key block (\"-----BEGIN PRIVATE KEY-----\","
                + " \"ENCRYPTED PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\")");
    }

    /** A private key from DER bytes: PKCS#8, or a traditional RSA (PKCS#1) or EC (SEC 1) key. */
    static PrivateKey privateKeyFromDer(String m, byte[] der) throws SocketException {
        if (der == null || der.length == 0) {
            throw keyError(m, "error parsing DER private key: no data given");
        }
        PrivateKey k = tryPkcs8(der);
        if (k != null) {
            return k;
        }
        for (String label : new String[] {"RSA PRIVATE KEY", "EC PRIVATE KEY"}) {
            try {
                return traditional(m, label, der, false);
            } catch (SocketException e) {
                // try the next form
            }
        }
        throw keyError(m, "error parsing DER private key: neither PKCS#8 nor a traditional RSA or EC key");
    }

    private static final String[] ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "X25519", "DSA"};

    private static PrivateKey tryPkcs8(byte[] der) {
        for (String alg : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm
            }
        }
        return null;
    }

    private static PrivateKey pkcs8(String m, byte[] der) throws SocketException {
        PrivateKey k = tryPkcs8(der);
        if (k == null) {
            throw keyError(m, "error parsing PEM string: the PRIVATE KEY block is not a PKCS#8 key of a known "
                    + "algorithm");
        }
        return k;
    }

    private static PrivateKey encryptedPkcs8(String m, byte[] der, String password) throws SocketException {
        if (password == null || password.isEmpty()) {
            throw keyError(m, "error parsing PEM string: the private key is encrypted and no password was given");
        }
        byte[] plain;
        try {
            EncryptedPrivateKeyInfo epki = new EncryptedPrivateKeyInfo(der);
            String alg = epki.getAlgParameters() != null ? epki.getAlgParameters().toString() : epki.getAlgName();
            SecretKeyFactory f = SecretKeyFactory.getInstance(alg);
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray());
            try {
                Cipher c = Cipher.getInstance(alg);
                c.init(Cipher.DECRYPT_MODE, f.generateSecret(spec), epki.getAlgParameters());
                plain = epki.getKeySpec(c).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (java.security.spec.InvalidKeySpecException e) {
            throw keyError(m, "error parsing PEM string: cannot decrypt the private key: wrong password, or the key"
                    + " is corrupt");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw keyError(m, "error parsing PEM string: cannot decrypt the private key (" + e.getMessage() + ")");
        }
        PrivateKey k = tryPkcs8(plain);
        if (k == null) {
            throw keyError(m, "error parsing PEM string: cannot decrypt the private key: wrong password, or the key"
                    + " is corrupt");
        }
        return k;
    }

    /** OpenSSL's traditional PEM encryption: EVP_BytesToKey(MD5, one round) with the IV's first 8 bytes as salt. */
    private static byte[] decryptTraditional(String m, Block b, String password) throws SocketException {
        if (password == null || password.isEmpty()) {
            throw keyError(m, "error parsing PEM string: the private key is encrypted and no password was given");
        }
        String dek = b.header("DEK-Info");
        if (dek == null || dek.indexOf(',') < 0) {
            throw keyError(m, "error parsing PEM string: an encrypted key without a DEK-Info header");
        }
        String alg = dek.substring(0, dek.indexOf(',')).trim().toUpperCase(Locale.ROOT);
        byte[] iv;
        try {
            iv = HexFormat.of().parseHex(dek.substring(dek.indexOf(',') + 1).trim());
        } catch (IllegalArgumentException e) {
            throw keyError(m, "error parsing PEM string: the DEK-Info IV is not hexadecimal");
        }
        String transformation;
        String keyAlg;
        int keyLen;
        switch (alg) {
            case "AES-128-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 16; }
            case "AES-192-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 24; }
            case "AES-256-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlg = "AES"; keyLen = 32; }
            case "DES-EDE3-CBC" -> { transformation = "DESede/CBC/PKCS5Padding"; keyAlg = "DESede"; keyLen = 24; }
            default -> throw keyError(m, "error parsing PEM string: unsupported key encryption " + alg);
        }
        if (iv.length < 8) {
            throw keyError(m, "error parsing PEM string: the DEK-Info IV is too short");
        }
        try {
            byte[] pass = password.getBytes(StandardCharsets.UTF_8);
            byte[] key = bytesToKey(pass, Arrays.copyOf(iv, 8), keyLen);
            Cipher c = Cipher.getInstance(transformation);
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlg), new IvParameterSpec(iv));
            Arrays.fill(key, (byte) 0);
            return c.doFinal(b.der());
        } catch (javax.crypto.BadPaddingException e) {
            throw keyError(m, "error parsing PEM string: cannot decrypt the private key: wrong password, or the key"
                    + " is corrupt");
        } catch (GeneralSecurityException e) {
            throw keyError(m, "error parsing PEM string: cannot decrypt the private key (" + e + ")");
        }
    }

    private static byte[] bytesToKey(byte[] pass, byte[] salt, int len) throws GeneralSecurityException {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] prev = new byte[0];
        while (out.size() < len) {
            md5.update(prev);
            md5.update(pass);
            md5.update(salt);
            prev = md5.digest();
            out.writeBytes(prev);
        }
        return Arrays.copyOf(out.toByteArray(), len);
    }

    /** Wraps a PKCS#1 RSA or SEC 1 EC key into PKCS#8 and decodes it. */
    private static PrivateKey traditional(String m, String label, byte[] der, boolean wasEncrypted)
            throws SocketException {
        String failure = wasEncrypted ? "cannot decrypt the private key: wrong password, or the key is corrupt"
                : "the " + label + " block is not a valid key";
        try {
            byte[] pkcs8;
            String alg;
            if (label.startsWith("RSA")) {
                // AlgorithmIdentifier { rsaEncryption, NULL }
                byte[] algId = Der.seq(Der.oid(new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
                        0x01, 0x01, 0x01}), new byte[] {0x05, 0x00});
                Der.checkSequence(der);
                pkcs8 = Der.seq(new byte[] {0x02, 0x01, 0x00}, algId, Der.tlv(0x04, der));
                alg = "RSA";
            } else {
                byte[] curve = Der.ecCurveOid(der);
                if (curve == null) {
                    throw new GeneralSecurityException("EC key without curve parameters");
                }
                byte[] algId = Der.seq(Der.oid(new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01}),
                        curve);
                pkcs8 = Der.seq(new byte[] {0x02, 0x01, 0x00}, algId, Der.tlv(0x04, der));
                alg = "EC";
            }
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw keyError(m, "error parsing PEM string: " + failure);
        }
    }

    /**
     * Whether {@code key} is the private half of {@code cert}'s public key: compares RSA moduli, and for other
     * algorithms signs a test message and verifies it with the certificate.
     */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (key instanceof RSAPrivateCrtKey rk && pub instanceof RSAPublicKey rp) {
            return rk.getModulus().equals(rp.getModulus()) && rk.getPublicExponent().equals(rp.getPublicExponent());
        }
        if (!key.getAlgorithm().equalsIgnoreCase(pub.getAlgorithm())) {
            return false;
        }
        String sigAlg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] msg = "ffsock key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(sigAlg);
            s.initSign(key);
            s.update(msg);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(sigAlg);
            v.initVerify(pub);
            v.update(msg);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Just enough DER to wrap traditional keys into PKCS#8. */
    static final class Der {
        private Der() {
        }

        static byte[] tlv(int tag, byte[] value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(tag);
            int n = value.length;
            if (n < 0x80) {
                out.write(n);
            } else if (n < 0x100) {
                out.write(0x81);
                out.write(n);
            } else if (n < 0x10000) {
                out.write(0x82);
                out.write(n >> 8);
                out.write(n);
            } else {
                out.write(0x83);
                out.write(n >> 16);
                out.write(n >> 8);
                out.write(n);
            }
            out.writeBytes(value);
            return out.toByteArray();
        }

        static byte[] seq(byte[]... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                out.writeBytes(p);
            }
            return tlv(0x30, out.toByteArray());
        }

        static byte[] oid(byte[] body) {
            return tlv(0x06, body);
        }

        /** Position after the tag and length at {@code off}; {@code out[0]} gets the value length. */
        private static int header(byte[] d, int off, int[] len) throws GeneralSecurityException {
            if (off + 2 > d.length) {
                throw new GeneralSecurityException("truncated DER");
            }
            int l = d[off + 1] & 0xff;
            int p = off + 2;
            if (l >= 0x80) {
                int k = l & 0x7f;
                if (k == 0 || k > 3 || p + k > d.length) {
                    throw new GeneralSecurityException("bad DER length");
                }
                l = 0;
                for (int i = 0; i < k; i++) {
                    l = (l << 8) | (d[p++] & 0xff);
                }
            }
            if (p + l > d.length) {
                throw new GeneralSecurityException("truncated DER");
            }
            len[0] = l;
            return p;
        }

        static void checkSequence(byte[] d) throws GeneralSecurityException {
            int[] len = new int[1];
            if (d.length == 0 || d[0] != 0x30 || header(d, 0, len) + len[0] != d.length) {
                throw new GeneralSecurityException("not a DER SEQUENCE");
            }
        }

        /** The curve OID (tag, length and value) from the [0] parameters of a SEC 1 ECPrivateKey, or null. */
        static byte[] ecCurveOid(byte[] d) throws GeneralSecurityException {
            checkSequence(d);
            int[] len = new int[1];
            int p = header(d, 0, len);
            int end = p + len[0];
            while (p < end) {
                int tag = d[p] & 0xff;
                int v = header(d, p, len);
                if (tag == 0xa0) {
                    // [0] holds exactly the curve's OBJECT IDENTIFIER
                    if (len[0] < 2 || d[v] != 0x06) {
                        return null;
                    }
                    return Arrays.copyOfRange(d, v, v + len[0]);
                }
                p = v + len[0];
            }
            return null;
        }
    }
}
