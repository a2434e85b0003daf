package io.ffsock;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rules of sd_listen_fds(3) as {@link SocketActivation} applies them to an environment: whose sockets they are,
 * how many, and what malformed variables get. (SocketActivationIT runs the real thing: a JVM started with
 * inherited sockets.)
 */
class SocketActivationTest {
    private static final long PID = 4242;

    @Test
    void notActivatedMeansNoSockets() throws Exception {
        assertEquals(List.of(), SocketActivation.listenFds(Map.of(), PID));
        assertEquals(List.of(), SocketActivation.listenFds(Map.of("LISTEN_FDS", "2"), PID), "no LISTEN_PID");
        assertEquals(List.of(), SocketActivation.listenFds(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "1"), PID),
                "sockets for another process (an inherited environment) are not taken");
        assertEquals(List.of(), SocketActivation.listenFds(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "4242"), PID));
    }

    @Test
    void malformedVariablesAreClearErrors() {
        for (Map<String, String> env : List.of(
                Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"),
                Map.of("LISTEN_FDS", "-1", "LISTEN_PID", "4242"),
                Map.of("LISTEN_FDS", "100000", "LISTEN_PID", "4242"),
                Map.of("LISTEN_FDS", "1", "LISTEN_PID", "pid"))) {
            SocketException e = assertThrows(SocketException.class, () -> SocketActivation.listenFds(env, PID),
                    env.toString());
            assertEquals(SocketError.ERROR, e.error());
            assertTrue(e.getMessage().contains("is not a number"), e.getMessage());
        }
        // more descriptors claimed than are open: named, not adopted blindly
        SocketException e = assertThrows(SocketException.class, () -> SocketActivation.listenFds(
                Map.of("LISTEN_FDS", "4000", "LISTEN_PID", "4242"), PID));
        assertTrue(e.getMessage().contains("is not open"), e.getMessage());
    }

    @Test
    void passedDescriptorsAreInspectedAndNamed() throws Exception {
        // descriptor 3 of this JVM is whatever the launcher opened first (a jar, a log): not a socket
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of(
                "/proc/self/fd/3")), "descriptor 3 is not open in this JVM: nothing to inspect");
        List<SocketActivation.Passed> p = SocketActivation.listenFds(Map.of("LISTEN_FDS", "1", "LISTEN_PID",
                "4242", "LISTEN_FDNAMES", "web"), PID);
        assertEquals(1, p.size());
        assertEquals(3, p.get(0).fd());
        assertEquals("web", p.get(0).name());
        // names that do not match the count are ignored, as systemd's unknown
        List<SocketActivation.Passed> q = SocketActivation.listenFds(Map.of("LISTEN_FDS", "1", "LISTEN_PID",
                "4242", "LISTEN_FDNAMES", "a:b"), PID);
        assertEquals("unknown", q.get(0).name());
    }
}
