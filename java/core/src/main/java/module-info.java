/**
 * ffsock: the BSD socket API through FFM downcalls, and a {@link io.ffsock.Socket} that mirrors Qore's.
 * <p>
 * Run with {@code --enable-native-access=io.ffsock} (module path) or {@code --enable-native-access=ALL-UNNAMED}
 * (class path); without it the JDK prints a warning on first use, and a future JDK will refuse the downcalls.
 * <p>
 * TLS engines plug in through {@link io.ffsock.tls.TlsEngineProvider}; the JDK's is built in.
 */
module io.ffsock {
    exports io.ffsock;
    exports io.ffsock.frame;
    exports io.ffsock.http;
    exports io.ffsock.loop;
    exports io.ffsock.tls;

    uses io.ffsock.loop.TlsEngineFactory;
    uses io.ffsock.tls.TlsEngineProvider;
}
