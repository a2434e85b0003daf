package io.ffsock;

import io.ffsock.internal.sys.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

/** The target-string parser (qore-contract.md C13, C24) and the host-name check that keeps garbage off resolvers. */
class DestTest {

    @Test
    void splitsAtTheLastColonAndReadsBrackets() {
        assertEquals(new Dest("127.0.0.1", "80", Net.AF_UNSPEC, null), Dest.parse("127.0.0.1:80", false));
        assertEquals(new Dest("127.0.0.1", "80", Net.AF_INET, null), Dest.parse("127.0.0.1:80", true));
        assertEquals(new Dest("::1", "8080", Net.AF_INET6, null), Dest.parse("::1:8080", false));
        assertEquals(new Dest("::1", "8080", Net.AF_INET6, null), Dest.parse("[::1]:8080", false));
        assertEquals(new Dest("localhost", "http", Net.AF_INET6, null), Dest.parse("[localhost]:http", true));
        assertEquals(new Dest(null, null, Net.AF_UNIX, "/tmp/x.sock"), Dest.parse("/tmp/x.sock", false));
        assertEquals(new Dest(null, null, Net.AF_UNIX, "65536"), Dest.parse("65536", false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "a", "my-host.example.org", "under_score.local", "host.", "10.1.2.3",
            "fe80::1%lo", "::ffff:127.0.0.1", "2001:db8::8:800:200c:417a"})
    void acceptsAddressesAndWellFormedNames(String host) {
        assertDoesNotThrow(() -> Dest.checkHost(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"%%%", "a b", "a..b", ".a", "host/x", "a:b", "1::2::3", "fe80::1%", "fe80::1%e/0",
            "é.example"})
    void rejectsWhatNoResolverCouldAnswer(String host) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dest.checkHost(host));
        assertTrue(e.getMessage().contains("'" + host + "'"), e::getMessage);
    }

    @Test
    void rejectsOverlongLabelsAndNames() {
        assertDoesNotThrow(() -> Dest.checkHost("x".repeat(63) + ".org"));
        assertThrows(IllegalArgumentException.class, () -> Dest.checkHost("x".repeat(64) + ".org"));
        String name253 = ("x".repeat(62) + ".").repeat(4) + "x".repeat(1);
        assertEquals(253, name253.length());
        assertDoesNotThrow(() -> Dest.checkHost(name253));
        assertThrows(IllegalArgumentException.class, () -> Dest.checkHost(name253 + "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host:", ":80", "[]:80", "[::1:80", "127.0.0.1:70000", "127.0.0.1:-1",
            "127.0.0.1:999999"})
    void malformedTargetsSayWhatIsWrong(String dest) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dest.parse(dest, false));
        assertFalse(e.getMessage().isBlank());
    }
}
