package io.ffsock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verb dispatch: the exit codes the ./ffsock launcher passes through. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noVerbRunsTheDemo() {
        assertEquals(0, Main.run(new String[0]));
        assertTrue(out().startsWith("ffsock demo"), out());
    }

    @Test
    void helpPrintsUsageOnStdout() {
        for (String verb : new String[] {"help", "-h", "--help"}) {
            assertEquals(0, Main.run(new String[] {verb}), verb);
        }
        assertTrue(out().contains("usage: ffsock"), out());
        assertEquals("", err());
    }

    @Test
    void unknownVerbPrintsUsageOnStderrAndExits2() {
        assertEquals(Main.EXIT_USAGE, Main.run(new String[] {"no-such-verb", "x"}));
        assertTrue(err().contains("unknown verb 'no-such-verb'"), err());
        assertTrue(err().contains("usage: ffsock"), err());
        assertEquals("", out());
    }
}
