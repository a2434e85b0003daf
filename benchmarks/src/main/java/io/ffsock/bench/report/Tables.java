package io.ffsock.bench.report;

import io.ffsock.bench.contenders.Contender;
import io.ffsock.bench.report.BenchReport.Result;
import io.ffsock.bench.report.BenchReport.Series;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report's text: Markdown tables of medians, ratios and allocation, then the targets. */
final class Tables {
    private Tables() {}

    /** The contenders in column order. */
    static final List<Contender> COLUMNS = List.of(Contender.FFSOCK, Contender.FFSOCK_FRAMED,
            Contender.FFSOCK_BYTEBUFFER, Contender.FFSOCK_BYTES, Contender.C, Contender.JNI, Contender.NIO,
            Contender.JAVA_NET, Contender.JNR);

    static void print(PrintStream out, List<Result> results, String command, double seconds) {
        out.println();
        out.println("Command: `" + command + "` (" + String.format(Locale.ROOT, "%.0f", seconds) + " s; "
                + Runtime.getRuntime().availableProcessors() + " CPUs; " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ")");
        out.println();
        out.println("Medians (round trip: us; streaming: messages/s; bulk: GB/s; downcall: ns per call):");
        out.println();
        header(out, "");
        for (Result r : results) {
            row(out, r, c -> {
                Series s = r.series().get(c);
                return s == null ? "" : s.nsPerOp.isEmpty() ? "failed" : format(r.scenario(), s.median());
            });
        }
        out.println();
        out.println("Ratios to ffsock: the contender's time per operation / ffsock's (below 1.00: faster than"
                + " ffsock; the reference is marked *):");
        out.println();
        header(out, "");
        for (Result r : results) {
            row(out, r, c -> {
                double x = r.ratio(c);
                if (Double.isNaN(x)) {
                    return r.series().containsKey(c) ? "failed" : "";
                }
                return String.format(Locale.ROOT, "%.2f", x) + (c == r.scenario().reference() ? "*" : "");
            });
        }
        out.println();
        out.println("Bytes allocated per operation in the client thread (median of batches; C runs outside the JVM):");
        out.println();
        header(out, "");
        for (Result r : results) {
            row(out, r, c -> {
                Series s = r.series().get(c);
                if (s == null || c == Contender.C) {
                    return "";
                }
                double a = s.allocation();
                return Double.isNaN(a) ? "failed" : String.format(Locale.ROOT, a < 10 ? "%.1f" : "%.0f", a);
            });
        }
        out.println();
        out.println("Targets (from DESIGN.md section 5, as ratios measured in this run):");
        out.println();
        for (Target t : targets(results)) {
            out.println("- " + (t.met() ? "met    " : "NOT met") + "  " + t.text());
        }
    }

    private static void header(PrintStream out, String corner) {
        StringBuilder h = new StringBuilder("| scenario" + corner + " |");
        StringBuilder line = new StringBuilder("|---|");
        for (Contender c : COLUMNS) {
            h.append(' ').append(c.id()).append(" |");
            line.append("---:|");
        }
        out.println(h);
        out.println(line);
    }

    private static void row(PrintStream out, Result r, java.util.function.Function<Contender, String> cell) {
        StringBuilder b = new StringBuilder("| " + r.scenario().title() + " |");
        for (Contender c : COLUMNS) {
            b.append(' ').append(cell.apply(c)).append(" |");
        }
        out.println(b);
    }

    static String format(Scenario sc, double nsPerOp) {
        double v = sc.value(nsPerOp);
        return switch (sc.kind()) {
            case RTT -> String.format(Locale.ROOT, "%.2f", v);
            case STREAM -> String.format(Locale.ROOT, "%.2f M", v / 1e6);
            case BULK -> String.format(Locale.ROOT, "%.2f", v);
            case DOWNCALL -> String.format(Locale.ROOT, "%.1f", v);
        };
    }

    /** A target and whether this run met it. */
    record Target(String text, boolean met, double value) {}

    static List<Target> targets(List<Result> results) {
        List<Target> t = new ArrayList<>();
        for (Result r : results) {
            String id = r.scenario().id();
            String title = r.scenario().title();
            if (id.startsWith("rtt-64-")) {
                t.add(atMost(title + ": ffsock time / C time", 1 / r.ratio(Contender.C), 1.05));
                t.add(atMost(title + ": ffsock time / NIO time", 1 / r.ratio(Contender.NIO), 1.00));
            } else if (id.startsWith("stream-64-")) {
                t.add(atLeast(title + ": ffsock coalesced msgs/s / C one-send-per-message msgs/s",
                        r.ratio(Contender.C), 1.00));
                t.add(atLeast(title + ": ffsock coalesced msgs/s / NIO one-write-per-message msgs/s",
                        r.ratio(Contender.NIO), 2.00));
            } else if (id.startsWith("bulk-64k-")) {
                t.add(atMost(title + ": ffsock time / C time", 1 / r.ratio(Contender.C), 1.05));
            } else if (id.startsWith("downcall")) {
                t.add(atMost("downcall (recv returning EAGAIN): FFM time / JNI time", 1 / r.ratio(Contender.JNI),
                        1.00));
            }
        }
        double worst = 0;
        String where = "";
        for (Result r : results) {
            for (Contender c : List.of(Contender.FFSOCK, Contender.FFSOCK_BYTEBUFFER, Contender.FFSOCK_FRAMED)) {
                Series s = r.series().get(c);
                if (s != null && !(s.allocation() <= worst)) {
                    worst = s.allocation();
                    where = " (" + c.id() + ", " + r.scenario().title() + ")";
                }
            }
        }
        t.add(new Target(String.format(Locale.ROOT, "steady-state allocation of ffsock's send/recv and framing:"
                + " at most %.1f B/op%s, target 0", worst, where), worst < 1, worst));
        return t;
    }

    private static Target atMost(String what, double v, double limit) {
        return new Target(String.format(Locale.ROOT, "%s = %.3f (target <= %.2f)", what, v, limit),
                v <= limit, v);
    }

    private static Target atLeast(String what, double v, double limit) {
        return new Target(String.format(Locale.ROOT, "%s = %.3f (target >= %.2f)", what, v, limit),
                v >= limit, v);
    }
}
