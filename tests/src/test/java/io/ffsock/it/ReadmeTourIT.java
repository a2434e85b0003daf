package io.ffsock.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every tour in the README compiles as written and prints what the README says it prints. A tour is the
 * {@code java} block between {@code <!-- NAME:begin -->} and {@code <!-- NAME:end -->}, followed by "It prints:"
 * and a block of its output; the block's public class is the one that runs.
 */
class ReadmeTourIT {
    private static final Pattern PRINTS = Pattern.compile("It prints:\\s*```\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tour, Tour", "http-tour, HttpTour", "loop-tour, LoopTour"})
    void tourCompilesRunsAndPrintsWhatTheReadmeSays(String marker, String mainClass) throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../README.md"));
        Matcher tour = Pattern.compile("<!-- " + marker + ":begin -->\\s*```java\\n(.*?)```\\s*<!-- " + marker
                + ":end -->", Pattern.DOTALL).matcher(readme);
        assertTrue(tour.find(), "README.md has no java block between <!-- " + marker + ":begin --> and <!-- "
                + marker + ":end -->");
        Matcher prints = PRINTS.matcher(readme.substring(tour.end()));
        assertTrue(prints.find(), "README.md does not say what the " + marker + " prints");

        Path src = dir.resolve(mainClass + ".java");
        Files.writeString(src, tour.group(1));
        String cp = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics,
                "--release", "22", "-Xlint:all", "-Werror", "-cp", cp, "-d", dir.toString(), src.toString());
        assertEquals(0, rc, () -> "the " + marker + " does not compile:\n" + diagnostics);

        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", dir + File.pathSeparator + cp, mainClass)
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the " + marker + " did not finish in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> "the " + marker + " failed:\n" + out);
        assertEquals(lines(prints.group(1)), lines(out), "the " + marker + "'s output differs from the README");
    }

    private static List<String> lines(String s) {
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
