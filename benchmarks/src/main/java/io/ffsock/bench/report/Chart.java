package io.ffsock.bench.report;

import io.ffsock.bench.contenders.Contender;
import io.ffsock.bench.report.BenchReport.Result;
import io.ffsock.bench.report.BenchReport.Series;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as an SVG bar chart: per scenario, one bar per contender, its length the time per operation
 * relative to ffsock (so ffsock's bar ends on the line at 1.0, shorter bars are faster), labelled with the ratio
 * and the median in the scenario's own unit.
 */
final class Chart {
    private Chart() {}

    private static final int WIDTH = 960;
    private static final int LABEL = 250;
    private static final int BARS = 500;
    private static final int BAR = 13;
    private static final int GAP = 4;
    private static final int GROUP_TITLE = 24;
    private static final Map<Contender, String> COLOURS = Map.of(
            Contender.FFSOCK, "#1f5fa8", Contender.FFSOCK_FRAMED, "#2f80d0", Contender.FFSOCK_BYTEBUFFER, "#5b9bd8",
            Contender.FFSOCK_BYTES, "#8db8e4", Contender.C, "#444444", Contender.JNI, "#b5651d",
            Contender.NIO, "#d62728", Contender.JAVA_NET, "#e377c2", Contender.JNR, "#2ca02c");

    static String svg(List<Result> results, String command) {
        double max = 1.5;
        for (Result r : results) {
            for (Contender c : r.series().keySet()) {
                double x = r.ratio(c);
                if (!Double.isNaN(x)) {
                    max = Math.max(max, x);
                }
            }
        }
        max = Math.min(Math.ceil(max * 2) / 2, 4.0);
        int height = 90;
        for (Result r : results) {
            height += GROUP_TITLE + r.series().size() * (BAR + GAP) + 8;
        }
        height += 30;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">%n",
                WIDTH, height, WIDTH, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        b.append("<text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\">ffsock bench: time per operation"
                + " relative to ffsock (shorter is faster)</text>\n");
        b.append("<text x=\"16\" y=\"46\" fill=\"#555\">").append(esc(command)).append(" \u2014 ")
                .append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, ").append(esc(System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version")))
                .append("; medians of interleaved batches against one C server</text>\n");
        int x0 = LABEL;
        int top = 66;
        // axis ticks
        for (double t = 0; t <= max + 1e-9; t += 0.5) {
            int x = x0 + (int) Math.round(t / max * BARS);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                            + " stroke-width=\"1\"%s/>%n", x, top, x, height - 30, t == 1.0 ? "#1f5fa8" : "#e3e3e3",
                    t == 1.0 ? " stroke-dasharray=\"4 3\"" : ""));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">"
                    + "%.1f\u00d7</text>%n", x, height - 14, t));
        }
        int y = top + 6;
        for (Result r : results) {
            Scenario sc = r.scenario();
            b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">%s"
                    + "</text>%n", y + 14, esc(sc.title() + " (" + sc.unit() + ")")));
            y += GROUP_TITLE;
            for (Series s : r.series().values()) {
                Contender c = s.contender;
                String label = c.id() + (c == sc.reference() ? " (reference)" : "");
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                        x0 - 8, y + BAR - 3, esc(label)));
                double ratio = r.ratio(c);
                if (Double.isNaN(ratio)) {
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">did not run"
                            + "</text>%n", x0 + 4, y + BAR - 3));
                } else {
                    int w = (int) Math.round(Math.min(ratio, max) / max * BARS);
                    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                            + " fill=\"%s\"/>%n", x0, y, Math.max(w, 1), BAR, COLOURS.get(c)));
                    String text = String.format(Locale.ROOT, "%.2f\u00d7 \u00b7 %s %s%s", ratio,
                            Tables.format(sc, s.median()), sc.unit(), ratio > max ? " \u2192" : "");
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#222\">%s</text>%n",
                            x0 + w + 6, y + BAR - 3, esc(text)));
                }
                y += BAR + GAP;
            }
            y += 8;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
