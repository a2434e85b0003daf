package io.ffsock.cli;

import io.ffsock.Socket;
import io.ffsock.SocketException;
import io.ffsock.SocketInfo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code demo} verb, what {@code ./ffsock} runs when given no verb: ffsock doing its main job on this machine
 * with no set-up. Over TCP/IPv4, TCP/IPv6 (when ::1 is configured) and a UNIX socket it runs an echo server and a
 * client through the Qore API, prints both ends' {@code getPeerInfo()}/{@code getSocketInfo()}, sends integers in
 * both byte orders, catches a timeout as SOCKET-TIMEOUT, runs the same echo over TLS on every TLS engine present
 * ({@link TlsDemo}), and then times a 64-byte round trip against
 * {@code java.nio.channels.SocketChannel} in the same run.
 */
final class Demo {

    private final PrintStream out;

    /**
     * @param out where the demo prints its output
     */
    Demo(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * Runs the demo.
     *
     * @param args {@code --rounds N} sets how many round trips each timing batch makes (default 20000, or the
     *             system property {@code ffsock.demo.rounds})
     * @return the exit status, 0 on success
     */
    int run(String[] args) {
        int rounds = Integer.getInteger("ffsock.demo.rounds", 20_000);
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[i + 1]);
            }
        }
        out.println("ffsock demo: BSD sockets through FFM downcalls, with Qore's Socket API");
        Path dir = null;
        try {
            echo("TCP/IPv4", "127.0.0.1:0", null);
            if (Ipv6.loopbackConfigured()) {
                echo("TCP/IPv6", "[::1]:0", null);
            } else {
                out.println();
                out.println("== TCP/IPv6: skipped, ::1 is not configured on this machine");
            }
            dir = Files.createTempDirectory("ffsock-demo");
            String path = dir.resolve("echo.sock").toString();
            echo("AF_UNIX", path, path);
            new TlsDemo(out).run(dir);
            out.println();
            new RoundTrip(out, rounds).run();
            return 0;
        } catch (Exception e) {
            out.println("demo failed: " + e);
            return 1;
        } finally {
            if (dir != null) {
                dir.toFile().delete();
            }
        }
    }

    /** One echo exchange over a listener bound to {@code bindTo}; {@code unixPath} is set for AF_UNIX. */
    private void echo(String title, String bindTo, String unixPath) throws Exception {
        out.println();
        out.println("== " + title);
        try (Socket listener = new Socket()) {
            if (listener.bind(bindTo, true) != 0) {
                throw new IllegalStateException("bind(\"" + bindTo + "\") failed: errno " + Socket.errno());
            }
            if (listener.listen() != 0) {
                throw new IllegalStateException("listen() failed: errno " + Socket.errno());
            }
            String dest = unixPath != null ? unixPath : connectTarget(listener.getSocketInfo(false));
            try (EchoServer server = EchoServer.start(listener); Socket client = new Socket()) {
                client.connect(dest, 5_000);
                client.setNoDelay(true);
                out.println("connect(\"" + dest + "\")");
                // /etc/hosts names 127.0.0.1 but rarely ::1: a reverse lookup of ::1 would ask a DNS server, so the
                // demo looks up host names for IPv4 only and stays on this machine
                boolean lookup = !title.contains("IPv6");
                out.println("  client getSocketInfo(" + (lookup ? "" : "false") + "): "
                        + describe(client.getSocketInfo(lookup)));
                out.println("  client getPeerInfo(" + (lookup ? "" : "false") + "):   "
                        + describe(client.getPeerInfo(lookup)));

                client.send("hello over " + title);
                out.println("  send/recv:  \"" + client.recv(("hello over " + title).length(), 5_000) + "\"");

                client.sendi4(2393921);
                client.sendi4LSB(2393921);
                client.sendi8(12309309203932L);
                client.sendi2LSB(5121);
                out.println("  integers:   sendi4/recvi4 " + client.recvi4(5_000)
                        + ", sendi4LSB/recvi4LSB " + client.recvi4LSB(5_000)
                        + ", sendi8/recvi8 " + client.recvi8(5_000)
                        + ", sendi2LSB/recvu2LSB " + client.recvu2LSB(5_000));

                try {
                    client.recv(1, 50); // the echo server has nothing more to say
                    out.println("  timeout:    none?");
                } catch (SocketException e) {
                    out.println("  timeout:    " + e.error().code() + ": " + e.getMessage());
                }
                out.println("  server side of the connection: " + server.peerInfo());
            }
        }
    }

    /** Where a client connects to reach a listener bound to {@code info}. */
    private static String connectTarget(SocketInfo info) {
        return info.family() == SocketInfo.AF_INET6 ? "[" + info.address() + "]:" + info.port()
                : info.address() + ":" + info.port();
    }

    static String describe(SocketInfo i) {
        if (!i.hasPort()) {
            return i.addressDesc() + " (" + i.familyStr() + ")";
        }
        return i.addressDesc() + " port " + i.port() + (i.hostname() != null ? " host " + i.hostnameDesc() : "")
                + " (" + i.familyStr() + ")";
    }
}
