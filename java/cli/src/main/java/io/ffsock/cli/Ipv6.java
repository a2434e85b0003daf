package io.ffsock.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this machine has IPv6 loopback, read from the kernel rather than guessed. */
final class Ipv6 {
    private Ipv6() {}

    /** True when /proc/net/if_inet6 lists ::1 (the address 000...001 on lo). */
    static boolean loopbackConfigured() {
        try {
            return Files.readAllLines(Path.of("/proc/net/if_inet6")).stream()
                    .anyMatch(l -> l.startsWith("00000000000000000000000000000001"));
        } catch (IOException e) {
            return false;
        }
    }
}
