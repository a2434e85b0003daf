package io.ffsock.it;

import io.ffsock.Datagram;
import io.ffsock.DatagramSocket;
import io.ffsock.Socket;
import io.ffsock.SocketActivation;
import io.ffsock.SocketException;
import io.ffsock.SocketOptions;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The program {@link SocketActivationIT} runs under {@code native/peer/ffsock-activate}: it takes the sockets it
 * was handed with ffsock's {@link SocketActivation} and serves one request on each, printing what it found.
 * <pre>
 *   systemd   adopt web (TCP listener), dns (UDP) and ctl (UNIX listener) by name and echo one request on each
 *   systemd-one  under systemd-socket-activate: one TCP listener named web; echo one request
 *   foreign   LISTEN_PID names another process: expect no sockets
 *   inetd     the connection is fd 0: echo one request
 * </pre>
 * Every line it prints is a fact the test checks; a failure prints "error ..." and exits 1.
 */
public final class ActivatedChild {
    private ActivatedChild() {}

    private static final int T = 15_000;

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "systemd" -> systemd();
                case "systemd-one" -> systemdOne();
                case "foreign" -> foreign();
                case "inetd" -> inetd();
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("done");
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("error " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void systemd() throws Exception {
        List<SocketActivation.Passed> passed = SocketActivation.listenFds();
        for (SocketActivation.Passed p : passed) {
            System.out.println("passed fd=" + p.fd() + " name=" + p.name() + " family=" + p.family() + " type="
                    + p.type() + " listening=" + p.listening());
        }
        try (Socket web = SocketActivation.socket("web");
             DatagramSocket dns = SocketActivation.datagramSocket("dns");
             Socket ctl = SocketActivation.socket("ctl")) {
            System.out.println("adopted web=" + web.getSocket() + " port=" + web.getPort() + " listening="
                    + web.getOption(SocketOptions.SO_ACCEPTCONN) + " dns=" + dns.getSocket() + " port="
                    + dns.getPort() + " ctl=" + ctl.getSocket() + " path=" + ctl.getSocketInfo().address());
            for (int fd : new int[] {web.getSocket(), dns.getSocket(), ctl.getSocket()}) {
                System.out.println("fdinfo " + fd + " " + flags(fd));
            }
            System.out.println("ready");
            System.out.flush();
            try (Socket a = web.accept(T)) {
                String req = a.recv(5, T);
                a.send("web:" + req);
            }
            Datagram d = dns.receiveFrom(T);
            dns.sendTo(("dns:" + new String(d.data(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8),
                    d.from().address() + ":" + d.from().port());
            try (Socket a = ctl.accept(T)) {
                String req = a.recv(5, T);
                a.send("ctl:" + req);
            }
        }
    }

    /** The "flags:" line of /proc/self/fdinfo/FD (octal open flags: O_NONBLOCK 04000, O_CLOEXEC 02000000). */
    private static String flags(int fd) throws java.io.IOException {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/fdinfo/" + fd))) {
            if (l.startsWith("flags:")) {
                return l.substring("flags:".length()).trim();
            }
        }
        return "?";
    }

    private static void systemdOne() throws Exception {
        for (SocketActivation.Passed p : SocketActivation.listenFds()) {
            System.out.println("passed fd=" + p.fd() + " name=" + p.name() + " family=" + p.family() + " type="
                    + p.type() + " listening=" + p.listening());
        }
        try (Socket web = SocketActivation.socket("web"); Socket a = web.accept(T)) {
            String req = a.recv(5, T);
            a.send("web:" + req);
        }
    }

    private static void foreign() throws Exception {
        System.out.println("passed count=" + SocketActivation.listenFds().size());
        try {
            SocketActivation.socket(null);
            System.out.println("adopted a socket meant for another process");
        } catch (SocketException e) {
            System.out.println("refused " + e.getMessage());
        }
    }

    private static void inetd() throws Exception {
        try (Socket s = SocketActivation.inetd()) {
            System.out.println("inetd fd=" + s.getSocket() + " peer=" + s.getPeerInfo(false).address());
            System.out.flush();
            String req = s.recv(5, T);
            s.send("inetd:" + req);
        }
    }
}
