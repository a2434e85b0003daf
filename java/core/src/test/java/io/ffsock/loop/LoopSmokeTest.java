package io.ffsock.loop;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoopSmokeTest {
    @Test
    void echo() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            TcpServer server = new TcpServer(loop);
            server.onNewConnection(s -> s.onReadyRead(x -> x.write(x.readAll())));
            assertEquals(true, server.listen("127.0.0.1", 0), server.errorString());
            CompletableFuture<String> got = new CompletableFuture<>();
            TcpSocket c = new TcpSocket(loop);
            StringBuilder sb = new StringBuilder();
            c.onReadyRead(x -> {
                sb.append(new String(x.readAll(), StandardCharsets.UTF_8));
                if (sb.length() >= 5) {
                    got.complete(sb.toString());
                }
            });
            c.onError((x, e) -> got.completeExceptionally(new AssertionError(e + " " + x.errorString())));
            c.connect("127.0.0.1", server.port());
            c.write("hello");
            assertEquals("hello", got.get(5, TimeUnit.SECONDS));
            c.abort();
            server.close();
        }
    }
}
