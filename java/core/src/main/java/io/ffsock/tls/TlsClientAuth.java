package io.ffsock.tls;

/** Whether a TLS server asks its clients for a certificate. */
public enum TlsClientAuth {
    /** No client certificate is asked for (the default). */
    NONE,
    /** A client certificate is asked for; a client without one is still accepted. */
    REQUEST,
    /** A client certificate is required: the handshake fails without one. */
    REQUIRE
}
