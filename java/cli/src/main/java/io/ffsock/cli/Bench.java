package io.ffsock.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ffsock bench [--quick] [--out DIR] [--only PREFIX] [--rounds N]}: the side-by-side report of
 * {@code benchmarks/} (ffsock against C, JNI, NIO, java.net and jnr-unixsocket, interleaved in one run), and
 * {@code ffsock bench jmh [JMH options]}: the JMH suite.
 * <p>
 * The benchmarks are not part of the library, so they are not on this JVM's class path: this verb starts a JVM of
 * their own over {@code benchmarks/target/classes} and the class path Maven wrote next to it, with a fixed heap,
 * so that the CLI's own flags never colour the figures. The {@code ./ffsock} launcher builds the module first.
 */
final class Bench {
    private final PrintStream out;
    private final PrintStream err;

    Bench(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        Path root = Path.of(System.getProperty("ffsock.root", ".")).toAbsolutePath().normalize();
        Path target = root.resolve("benchmarks/target");
        Path classes = target.resolve("classes");
        Path cpFile = target.resolve("classpath.txt");
        Path nativeDir = target.resolve("native");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(cpFile) || !Files.isDirectory(nativeDir)) {
            err.println("ffsock bench: the benchmarks are not built under " + target);
            err.println("  run it through ./ffsock bench (which builds them), or build them with");
            err.println("  mvn -B -q -DskipTests package -pl benchmarks -am");
            return 1;
        }
        boolean jmh = args.length > 0 && args[0].equals("jmh");
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            usage(out);
            return 0;
        }
        String cp;
        try {
            cp = classes + java.io.File.pathSeparator + Files.readString(cpFile).trim();
        } catch (IOException e) {
            err.println("ffsock bench: cannot read " + cpFile + ": " + e.getMessage());
            return 1;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xms1g");
        cmd.add("-Xmx1g");
        cmd.add("-Dffsock.native.dir=" + nativeDir);
        if (Runtime.version().feature() >= 23) {
            // jnr-unixsocket (a contender) calls sun.misc.Unsafe, which JDK 24+ warns about at length
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.add("-cp");
        cmd.add(cp);
        if (jmh) {
            cmd.add("org.openjdk.jmh.Main");
            cmd.addAll(Arrays.asList(args).subList(1, args.length));
        } else {
            cmd.add("io.ffsock.bench.report.BenchReport");
            cmd.addAll(Arrays.asList(args));
        }
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            err.println("ffsock bench: cannot start " + cmd.get(0) + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    static void usage(PrintStream out) {
        out.println("usage: ffsock bench [--quick] [--out DIR] [--only SCENARIO-PREFIX] [--rounds N]");
        out.println("       ffsock bench jmh [JMH options, e.g. -f 1 -wi 3 -i 5 -prof gc RoundTripBench]");
        out.println();
        out.println("  --quick     a smoke run (under two minutes) that checks every contender runs");
        out.println("  --out DIR   where bench.json and bench.svg go (default ./ffsock-bench)");
    }
}
