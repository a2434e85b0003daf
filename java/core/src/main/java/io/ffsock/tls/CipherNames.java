package io.ffsock.tls;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Cipher suite names in both spellings: the IANA names the JDK uses ({@code TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384})
 * and OpenSSL's ({@code ECDHE-RSA-AES256-GCM-SHA384}), which Qore's {@code getSSLCipherName()} returns. TLS 1.3
 * suites have the same name in both. The table covers the suites current TLS stacks negotiate.
 */
public final class CipherNames {
    private CipherNames() {
    }

    private static final Map<String, String> IANA_TO_OPENSSL = new HashMap<>();
    private static final Map<String, String> OPENSSL_TO_IANA = new HashMap<>();

    private static void add(String iana, String openssl) {
        IANA_TO_OPENSSL.put(iana, openssl);
        OPENSSL_TO_IANA.put(openssl, iana);
    }

    static {
        for (String s : new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}) {
            add(s, s);
        }
        // key exchange and authentication, as IANA and OpenSSL spell them ("" = plain RSA key exchange)
        String[][] kx = {{"ECDHE_ECDSA", "ECDHE-ECDSA-"}, {"ECDHE_RSA", "ECDHE-RSA-"}, {"DHE_RSA", "DHE-RSA-"},
                {"RSA", ""}};
        for (String[] k : kx) {
            boolean rsaKx = k[1].isEmpty();
            add("TLS_" + k[0] + "_WITH_AES_128_GCM_SHA256", k[1] + "AES128-GCM-SHA256");
            add("TLS_" + k[0] + "_WITH_AES_256_GCM_SHA384", k[1] + "AES256-GCM-SHA384");
            add("TLS_" + k[0] + "_WITH_AES_128_CBC_SHA", k[1] + "AES128-SHA");
            add("TLS_" + k[0] + "_WITH_AES_256_CBC_SHA", k[1] + "AES256-SHA");
            add("TLS_" + k[0] + "_WITH_AES_128_CBC_SHA256", k[1] + "AES128-SHA256");
            add("TLS_" + k[0] + "_WITH_AES_256_CBC_SHA384", k[1] + "AES256-SHA384");
            add("TLS_" + k[0] + "_WITH_AES_256_CBC_SHA256", k[1] + "AES256-SHA256");
            if (!rsaKx) {
                add("TLS_" + k[0] + "_WITH_CHACHA20_POLY1305_SHA256", k[1] + "CHACHA20-POLY1305");
            }
        }
        add("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA");
        add("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA");
        add("TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA");
        add("TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA");
        add("TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305");
        add("TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA");
        add("TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA");
    }

    /** The OpenSSL name of an IANA cipher suite name; an unknown name is returned as given. */
    public static String toOpenSsl(String iana) {
        if (iana == null) {
            return null;
        }
        return IANA_TO_OPENSSL.getOrDefault(iana, iana);
    }

    /**
     * The IANA name of a suite given in either spelling (OpenSSL's or IANA's, any case); an unknown name is
     * returned as given.
     */
    public static String toIana(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim();
        if (IANA_TO_OPENSSL.containsKey(n)) {
            return n;
        }
        String upper = n.toUpperCase(Locale.ROOT);
        if (IANA_TO_OPENSSL.containsKey(upper)) {
            return upper;
        }
        return OPENSSL_TO_IANA.getOrDefault(upper, n);
    }
}
