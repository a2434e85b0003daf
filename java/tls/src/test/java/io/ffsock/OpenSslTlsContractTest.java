package io.ffsock;

/** {@link TlsContractTest}, every case, on the OpenSSL engine. */
class OpenSslTlsContractTest extends TlsContractTest {
    @Override
    protected String engine() {
        return "openssl";
    }
}
