package io.ffsock;

/** Every send/recv contract case (C32 to C51) over TLS on the OpenSSL engine, against ffsock and the JDK. */
class OpenSslSendRecvTest extends TlsSendRecvTest {
    @Override
    String engine() {
        return "openssl";
    }
}
