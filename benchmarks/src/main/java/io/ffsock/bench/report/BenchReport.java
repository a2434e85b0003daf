package io.ffsock.bench.report;

import io.ffsock.bench.Peer;
import io.ffsock.bench.contenders.Client;
import io.ffsock.bench.contenders.Contender;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./ffsock bench}: every contender side by side in one run, against the same C server.
 * <p>
 * For each scenario, a client of every contender is opened; after warm-up batches, the contenders run one batch
 * each per round, starting with a different contender every round, for a number of rounds. A noisy, shared
 * machine thus slows all of them alike, and the figure of each is the median of its batches. Ratios are taken
 * within a scenario, against ffsock: the contender's time per operation divided by ffsock's.
 * <p>
 * Allocation is counted per batch with the thread's allocated-bytes counter, for the contenders that run in this
 * JVM. Prints Markdown tables, and writes {@code bench.json} and {@code bench.svg} into the output directory.
 * Exits 1 when any contender failed to run, which is all that {@code --quick} (the CI smoke test) checks.
 */
public final class BenchReport {
    private final PrintStream out;
    private final Settings settings;

    /** How long and how often. */
    record Settings(boolean quick, int warmups, int rounds, long batchNanos, Path outDir, String only) {
        static Settings parse(String[] args) {
            boolean quick = false;
            Path dir = Path.of("ffsock-bench");
            String only = null;
            Integer rounds = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--out" -> dir = Path.of(args[++i]);
                    case "--only" -> only = args[++i];
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (options: --quick, --out DIR, --only SCENARIO-PREFIX, --rounds N)");
                }
            }
            return quick
                    ? new Settings(true, 2, rounds != null ? rounds : 3, 30_000_000L, dir, only)
                    : new Settings(false, 4, rounds != null ? rounds : 15, 150_000_000L, dir, only);
        }
    }

    /** One contender's batches in one scenario. */
    static final class Series {
        final Contender contender;
        final List<Double> nsPerOp = new ArrayList<>();
        final List<Double> bytesPerOp = new ArrayList<>();
        String error;

        Series(Contender contender) {
            this.contender = contender;
        }

        double median() {
            return Stats.median(nsPerOp);
        }

        /** Bytes allocated per operation (median), or NaN when not measured in this JVM. */
        double allocation() {
            return bytesPerOp.isEmpty() ? Double.NaN : Stats.median(bytesPerOp);
        }
    }

    /** A scenario's outcome. */
    record Result(Scenario scenario, Map<Contender, Integer> batchOps, Map<Contender, Series> series) {
        Series reference() {
            return series.get(scenario.reference());
        }

        /** Time per op relative to ffsock's; NaN when either did not run. */
        double ratio(Contender c) {
            Series s = series.get(c);
            Series r = reference();
            if (s == null || r == null || s.nsPerOp.isEmpty() || r.nsPerOp.isEmpty()) {
                return Double.NaN;
            }
            return s.median() / r.median();
        }
    }

    BenchReport(PrintStream out, Settings settings) {
        this.out = out;
        this.settings = settings;
    }

    /** Runs the report; the exit status is 0 when every contender ran in every scenario. */
    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (RuntimeException e) {
            System.err.println("ffsock bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = new BenchReport(System.out, s).run(String.join(" ", args));
        System.exit(status);
    }

    int run(String argsLine) throws IOException {
        long t0 = System.nanoTime();
        List<Scenario> scenarios = Scenario.all().stream()
                .filter(sc -> settings.only == null || sc.id().startsWith(settings.only)).toList();
        out.printf("ffsock bench%s: %d scenarios, %d warm-up + %d measured batches per contender, ~%d ms each,"
                        + " contenders interleaved%n", settings.quick ? " --quick" : "", scenarios.size(),
                settings.warmups, settings.rounds, settings.batchNanos / 1_000_000);
        List<Result> results = new ArrayList<>();
        try (Peer peer = Peer.start()) {
            boolean first = true;
            for (Scenario sc : scenarios) {
                out.printf("  %-52s", sc.title());
                out.flush();
                long s0 = System.nanoTime();
                // the first scenario also warms the JIT for all that follow: while C2 compiles ffsock's paths, its
                // threads take the CPU the echo server needs, so early batches are slow for reasons of their own
                Result r = runScenario(peer, sc, first ? 3 * settings.warmups : settings.warmups);
                first = false;
                results.add(r);
                out.printf(" %5.1f s%s%n", (System.nanoTime() - s0) / 1e9, failures(r));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String command = "./ffsock bench" + (argsLine.isEmpty() ? "" : " " + argsLine);
        Tables.print(out, results, command, seconds);
        Files.createDirectories(settings.outDir);
        Path json = settings.outDir.resolve("bench.json");
        Path svg = settings.outDir.resolve("bench.svg");
        Files.writeString(json, Json.write(results, command, settings, seconds));
        Files.writeString(svg, Chart.svg(results, command));
        out.println();
        out.println("wrote " + json + " and " + svg);
        int failed = 0;
        for (Result r : results) {
            for (Series s : r.series().values()) {
                if (s.error != null || s.nsPerOp.isEmpty()) {
                    failed++;
                }
            }
        }
        if (failed > 0) {
            out.println("FAILED: " + failed + " contender runs did not complete (see above)");
            return 1;
        }
        out.println("every contender ran in every scenario (" + String.format(Locale.ROOT, "%.0f", seconds) + " s)");
        return 0;
    }

    private static String failures(Result r) {
        StringBuilder b = new StringBuilder();
        for (Series s : r.series().values()) {
            if (s.error != null) {
                b.append("\n      ").append(s.contender.id()).append(" FAILED: ").append(s.error);
            }
        }
        return b.toString();
    }

    private Result runScenario(Peer peer, Scenario sc, int warmups) {
        Map<Contender, Series> series = new LinkedHashMap<>();
        Map<Contender, Client> clients = new LinkedHashMap<>();
        for (Contender c : sc.contenders()) {
            Series s = new Series(c);
            series.put(c, s);
            try {
                clients.put(c, c.open(peer, sc.transport(), sc.size()));
            } catch (Throwable e) {
                s.error = "open: " + e;
            }
        }
        Map<Contender, Integer> ops = new LinkedHashMap<>();
        try {
            for (Map.Entry<Contender, Client> e : clients.entrySet()) {
                try {
                    ops.put(e.getKey(), calibrate(sc, e.getValue()));
                } catch (Throwable t) {
                    series.get(e.getKey()).error = "calibration: " + t;
                }
            }
            List<Contender> order = new ArrayList<>(clients.keySet());
            for (int round = -warmups; round < settings.rounds; round++) {
                for (int i = 0; i < order.size(); i++) {
                    Contender c = order.get(Math.floorMod(i + round, order.size()));
                    Series s = series.get(c);
                    if (s.error != null) {
                        continue;
                    }
                    try {
                        batch(sc, clients.get(c), ops.get(c), s, round >= 0);
                    } catch (Throwable e) {
                        s.error = e.toString();
                    }
                }
            }
        } finally {
            for (Client cl : clients.values()) {
                try {
                    cl.close();
                } catch (Throwable e) {
                    // the batch results stand; a failed close is no failed measurement
                }
            }
        }
        return new Result(sc, ops, series);
    }

    /**
     * Operations per batch for one contender, so that each of its batches lasts about the batch time: contenders
     * that differ fiftyfold (coalesced streaming) still get batches of comparable length, and the figure compared is
     * time per operation.
     */
    private int calibrate(Scenario sc, Client ref) throws IOException {
        int probe = switch (sc.kind()) {
            case RTT -> sc.size() > 4096 ? 50 : 500;
            case STREAM -> 20_000;
            case BULK -> 100;
            case DOWNCALL -> 50_000;
        };
        run(sc, ref, probe);
        long ns = Math.max(1, run(sc, ref, probe));
        long n = settings.batchNanos * probe / ns;
        return (int) Math.max(10, Math.min(n, 20_000_000));
    }

    private static long run(Scenario sc, Client c, int ops) throws IOException {
        return switch (sc.kind()) {
            case RTT -> c.timedRoundTrips(ops);
            case STREAM, BULK -> c.timedStream(ops);
            case DOWNCALL -> c.timedEagain(ops);
        };
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static void batch(Scenario sc, Client c, int ops, Series s, boolean record) throws IOException {
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long ns = run(sc, c, ops);
        long a1 = THREADS.getCurrentThreadAllocatedBytes();
        if (record) {
            s.nsPerOp.add((double) ns / ops);
            if (c.inJvm()) {
                s.bytesPerOp.add((double) (a1 - a0) / ops);
            }
        }
    }

    /** Medians of small samples. */
    static final class Stats {
        private Stats() {}

        static double median(List<Double> v) {
            if (v.isEmpty()) {
                return Double.NaN;
            }
            double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(a);
            int n = a.length;
            return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
        }
    }
}
