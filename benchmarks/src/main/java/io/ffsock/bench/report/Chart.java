package io.ffsock.bench.report;

import io.ffsock.bench.contenders.Contender;
import io.ffsock.bench.report.BenchReport.Result;
import io.ffsock.bench.report.BenchReport.Series;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as an SVG bar chart: per scenario, one bar per contender showing its time per operation relative to
 * ffsock on a log scale centred on ffsock's line, so a bar to the left is faster than ffsock and one to the right
 * slower (a log scale, because coalesced streaming differs from one send per message by more than an order of
 * magnitude), with the ratio and the median in the scenario's own unit written beside it.
 */
final class Chart {
    private Chart() {}

    private static final int WIDTH = 1000;
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
        // a log2 axis centred on ffsock: bars to the left are faster than ffsock, to the right slower
        double lo = 0.5;
        double hi = 2;
        for (Result r : results) {
            for (Contender c : r.series().keySet()) {
                double x = r.ratio(c);
                if (!Double.isNaN(x) && x > 0) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
        }
        int left = (int) Math.ceil(-log2(Math.max(lo, 1.0 / 256)));
        int right = (int) Math.ceil(log2(Math.min(hi, 256)));
        double perOctave = (double) BARS / (left + right);
        int center = LABEL + (int) Math.round(left * perOctave);
        int height = 100;
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
                + " relative to ffsock \u2014 left of the line is faster than ffsock, right is slower</text>\n");
        b.append("<text x=\"16\" y=\"46\" fill=\"#555\">").append(esc(command)).append(" \u2014 ")
                .append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, ").append(esc(System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version")))
                .append("; medians of interleaved batches against one C server; log scale</text>\n");
        int top = 72;
        for (int o = -left; o <= right; o++) {
            int x = center + (int) Math.round(o * perOctave);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                            + " stroke-width=\"1\"%s/>%n", x, top, x, height - 30, o == 0 ? "#1f5fa8" : "#e3e3e3",
                    o == 0 ? " stroke-dasharray=\"4 3\"" : ""));
            double v = Math.pow(2, o);
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">"
                    + "%s\u00d7</text>%n", x, height - 14, v >= 1 ? String.valueOf((int) v) : "1/" + (int) (1 / v)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\" fill=\"#555\">"
                + "ratio \u00b7 median</text>%n", LABEL + BARS + 12, top - 4));
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
                        LABEL - 8, y + BAR - 3, esc(label)));
                double ratio = r.ratio(c);
                if (Double.isNaN(ratio) || ratio <= 0) {
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">did not run"
                            + "</text>%n", LABEL + BARS + 12, y + BAR - 3));
                } else {
                    double o = Math.max(-left, Math.min(right, log2(ratio)));
                    int x = center + (int) Math.round(o * perOctave);
                    int x1 = Math.min(x, center);
                    int w = Math.max(Math.abs(x - center), 2);
                    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                            + " fill=\"%s\"/>%n", x1, y, w, BAR, COLOURS.get(c)));
                    String text = String.format(Locale.ROOT, "%.2f\u00d7 \u00b7 %s %s", ratio,
                            Tables.format(sc, s.median()), sc.unit());
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#222\">%s</text>%n",
                            LABEL + BARS + 12, y + BAR - 3, esc(text)));
                }
                y += BAR + GAP;
            }
            y += 8;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
