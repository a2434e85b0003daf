package io.ffsock.bench.report;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CI smoke test of {@code ./ffsock bench --quick}: every contender of every scenario runs (C, ffsock in each
 * form, the JNI twin, NIO, java.net, jnr-unixsocket), the JSON and the chart are written, and each scenario names
 * its contenders. It checks that the benchmarks work, not how fast anything is: a shared CI machine's figures
 * say nothing. Skipped with {@code -Dffsock.bench.skip=true}.
 */
class BenchQuickIT {
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    @DisplayName("./ffsock bench --quick: every contender runs, and bench.json and bench.svg are written")
    void everyContenderRuns() throws Exception {
        if (Boolean.getBoolean("ffsock.bench.skip")) {
            return;
        }
        Path out = Path.of("target", "bench-quick");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            status = new BenchReport(ps, BenchReport.Settings.parse(new String[] {"--quick", "--out", out.toString()}))
                    .run("--quick");
        }
        String report = text.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertEquals(0, status, "some contender did not run:\n" + report);
        String json = Files.readString(out.resolve("bench.json"));
        int expected = 0;
        for (Scenario sc : Scenario.all()) {
            expected += sc.contenders().size();
        }
        assertEquals(expected, count(json, "\"ran\": true"), "contender runs that completed");
        assertEquals(0, count(json, "\"ran\": false"));
        for (String id : new String[] {"C", "ffsock", "ffsock-frames", "ffsock-bb", "ffsock-bytes", "jni", "nio",
                "java.net", "jnr"}) {
            assertTrue(json.contains("\"contender\": \"" + id + "\""), id + " is in the report");
        }
        String svg = Files.readString(out.resolve("bench.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("64 B round trip"), "the chart names the scenarios");
        assertFalse(svg.contains("did not run"));
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
