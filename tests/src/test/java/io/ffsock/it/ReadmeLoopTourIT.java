package io.ffsock.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

/** The README's event-loop tour compiles as written and prints what the README says it prints. */
class ReadmeLoopTourIT {
    private static final Pattern TOUR =
            Pattern.compile("<!-- loop-tour:begin -->\\s*```java\\n(.*?)```\\s*<!-- loop-tour:end -->",
                    Pattern.DOTALL);
    private static final Pattern PRINTS = Pattern.compile("It prints:\\s*```\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void loopTourCompilesRunsAndPrintsWhatTheReadmeSays() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../README.md"));
        Matcher tour = TOUR.matcher(readme);
        assertTrue(tour.find(), "README.md has no block between <!-- loop-tour:begin --> and <!-- loop-tour:end -->");
        Matcher prints = PRINTS.matcher(readme.substring(tour.end()));
        assertTrue(prints.find(), "README.md does not say what the tour prints");

        Path src = dir.resolve("LoopTour.java");
        Files.writeString(src, tour.group(1));
        String cp = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics,
                "--release", "22", "-Xlint:all", "-Werror", "-cp", cp, "-d", dir.toString(), src.toString());
        assertEquals(0, rc, () -> "the tour does not compile:\n" + diagnostics);

        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", dir + File.pathSeparator + cp, "LoopTour")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the tour did not finish in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> "the tour failed:\n" + out);
        assertEquals(lines(prints.group(1)), lines(out), "the tour's output differs from the README");
    }

    private static List<String> lines(String s) {
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
