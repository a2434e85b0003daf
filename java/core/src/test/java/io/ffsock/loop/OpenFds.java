package io.ffsock.loop;

import java.io.File;

import static org.junit.jupiter.api.Assertions.fail;

/** The process's open descriptor count, from {@code /proc/self/fd}, for leak checks in this package's tests. */
final class OpenFds {
    private OpenFds() {}

    /**
     * Uses the JDK's sockets once: the JDK keeps a descriptor of its own open for good after its socket code first
     * runs, which would otherwise be counted as the first test's leak.
     */
    static void warmUpJdkSockets() throws java.io.IOException {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             java.net.Socket c = new java.net.Socket(ss.getInetAddress(), ss.getLocalPort());
             java.net.Socket a = ss.accept()) {
            c.getOutputStream().write(1);
            a.getInputStream().read();
        }
    }

    static String listing() {
        StringBuilder sb = new StringBuilder();
        String[] names = new File("/proc/self/fd").list();
        if (names != null) {
            for (String n : names) {
                try {
                    sb.append(n).append("->").append(java.nio.file.Files.readSymbolicLink(
                            java.nio.file.Path.of("/proc/self/fd", n))).append(' ');
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return sb.toString();
    }

    static int count() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }

    /**
     * Waits (up to 5 s) for the count to come back to {@code before}: descriptors are closed on loop threads, a
     * moment after the call that asked for it returns.
     */
    static void assertBackTo(int before, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int now = count();
        while (now != before && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = count();
        }
        if (now != before) {
            fail(what + ": " + before + " descriptors open before, " + now + " after: " + listing());
        }
    }
}
