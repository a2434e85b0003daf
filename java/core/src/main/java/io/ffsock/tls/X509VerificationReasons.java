package io.ffsock.tls;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenSSL's X509 certificate verification results: the code names {@code Socket.verifyPeerCertificate()} returns
 * (as Qore's does), their numbers in OpenSSL's {@code x509_vfy.h}, and the text OpenSSL gives for each, as Qore's
 * {@code X509_VerificationReasons} hash does.
 */
public final class X509VerificationReasons {
    private X509VerificationReasons() {
    }

    /** One verification result: its OpenSSL name, number and description. */
    public record Reason(String code, int number, String description) {
    }

    private static final Map<String, Reason> BY_CODE = new LinkedHashMap<>();

    private static void add(int number, String code, String description) {
        BY_CODE.put(code, new Reason(code, number, description));
    }

    static {
        add(0, "X509_V_OK", "ok");
        add(1, "X509_V_ERR_UNSPECIFIED", "unspecified certificate verification error");
        add(2, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate");
        add(3, "X509_V_ERR_UNABLE_TO_GET_CRL", "unable to get certificate CRL");
        add(4, "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE", "unable to decrypt certificate's signature");
        add(5, "X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE", "unable to decrypt CRL's signature");
        add(6, "X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "unable to decode issuer public key");
        add(7, "X509_V_ERR_CERT_SIGNATURE_FAILURE", "certificate signature failure");
        add(8, "X509_V_ERR_CRL_SIGNATURE_FAILURE", "CRL signature failure");
        add(9, "X509_V_ERR_CERT_NOT_YET_VALID", "certificate is not yet valid");
        add(10, "X509_V_ERR_CERT_HAS_EXPIRED", "certificate has expired");
        add(11, "X509_V_ERR_CRL_NOT_YET_VALID", "CRL is not yet valid");
        add(12, "X509_V_ERR_CRL_HAS_EXPIRED", "CRL has expired");
        add(13, "X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD", "format error in certificate's notBefore field");
        add(14, "X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD", "format error in certificate's notAfter field");
        add(15, "X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD", "format error in CRL's lastUpdate field");
        add(16, "X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD", "format error in CRL's nextUpdate field");
        add(17, "X509_V_ERR_OUT_OF_MEM", "out of memory");
        add(18, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate");
        add(19, "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain");
        add(20, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate");
        add(21, "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate");
        add(22, "X509_V_ERR_CERT_CHAIN_TOO_LONG", "certificate chain too long");
        add(23, "X509_V_ERR_CERT_REVOKED", "certificate revoked");
        add(24, "X509_V_ERR_INVALID_CA", "invalid CA certificate");
        add(25, "X509_V_ERR_PATH_LENGTH_EXCEEDED", "path length constraint exceeded");
        add(26, "X509_V_ERR_INVALID_PURPOSE", "unsupported certificate purpose");
        add(27, "X509_V_ERR_CERT_UNTRUSTED", "certificate not trusted");
        add(28, "X509_V_ERR_CERT_REJECTED", "certificate rejected");
        add(29, "X509_V_ERR_SUBJECT_ISSUER_MISMATCH", "subject issuer mismatch");
        add(30, "X509_V_ERR_AKID_SKID_MISMATCH", "authority and subject key identifier mismatch");
        add(31, "X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH", "authority and issuer serial number mismatch");
        add(32, "X509_V_ERR_KEYUSAGE_NO_CERTSIGN", "key usage does not include certificate signing");
        add(33, "X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER", "unable to get CRL issuer certificate");
        add(34, "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION", "unhandled critical extension");
        add(35, "X509_V_ERR_KEYUSAGE_NO_CRL_SIGN", "key usage does not include CRL signing");
        add(36, "X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION", "unhandled critical CRL extension");
        add(37, "X509_V_ERR_INVALID_NON_CA", "invalid non-CA certificate (has CA markings)");
        add(38, "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", "proxy path length constraint exceeded");
        add(39, "X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE", "key usage does not include digital signature");
        add(40, "X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED",
                "proxy certificates not allowed, please set the appropriate flag");
        add(41, "X509_V_ERR_INVALID_EXTENSION", "invalid or inconsistent certificate extension");
        add(42, "X509_V_ERR_INVALID_POLICY_EXTENSION", "invalid or inconsistent certificate policy extension");
        add(43, "X509_V_ERR_NO_EXPLICIT_POLICY", "no explicit policy");
        add(44, "X509_V_ERR_DIFFERENT_CRL_SCOPE", "different CRL scope");
        add(45, "X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE", "unsupported extension feature");
        add(46, "X509_V_ERR_UNNESTED_RESOURCE", "RFC 3779 resource not subset of parent's resources");
        add(47, "X509_V_ERR_PERMITTED_VIOLATION", "permitted subtree violation");
        add(48, "X509_V_ERR_EXCLUDED_VIOLATION", "excluded subtree violation");
        add(49, "X509_V_ERR_SUBTREE_MINMAX", "name constraints minimum and maximum not supported");
        add(50, "X509_V_ERR_APPLICATION_VERIFICATION", "application verification failure");
        add(51, "X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE", "unsupported name constraint type");
        add(52, "X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX", "unsupported or invalid name constraint syntax");
        add(53, "X509_V_ERR_UNSUPPORTED_NAME_SYNTAX", "unsupported or invalid name syntax");
        add(54, "X509_V_ERR_CRL_PATH_VALIDATION_ERROR", "CRL path validation error");
        add(62, "X509_V_ERR_HOSTNAME_MISMATCH", "hostname mismatch");
        add(63, "X509_V_ERR_EMAIL_MISMATCH", "email address mismatch");
        add(64, "X509_V_ERR_IP_ADDRESS_MISMATCH", "IP address mismatch");
    }

    /** Every code name and its description, in OpenSSL's numeric order (Qore's {@code X509_VerificationReasons}). */
    public static final Map<String, String> DESCRIPTIONS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        BY_CODE.forEach((k, v) -> m.put(k, v.description()));
        DESCRIPTIONS = Collections.unmodifiableMap(m);
    }

    /** The reason called {@code code}, or {@code null} if OpenSSL has no such name. */
    public static Reason get(String code) {
        return BY_CODE.get(code);
    }

    /** The description of {@code code}, or {@code null} if OpenSSL has no such name. */
    public static String describe(String code) {
        Reason r = BY_CODE.get(code);
        return r == null ? null : r.description();
    }

    /** Whether {@code code} means the certificate verified ({@code X509_V_OK}). */
    public static boolean isOk(String code) {
        return "X509_V_OK".equals(code);
    }
}
