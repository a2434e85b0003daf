/**
 * ffsock: the BSD socket API through FFM downcalls, and a {@link io.ffsock.Socket} that mirrors Qore's.
 * <p>
 * Run with {@code --enable-native-access=io.ffsock} (module path) or {@code --enable-native-access=ALL-UNNAMED}
 * (class path); without it the JDK prints a warning on first use, and a future JDK will refuse the downcalls.
 */
module io.ffsock {
    exports io.ffsock;
    exports io.ffsock.frame;
    exports io.ffsock.http;
    exports io.ffsock.loop;

    uses io.ffsock.loop.TlsEngineFactory;
}
