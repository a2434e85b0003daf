package io.ffsock.bench.report;

import io.ffsock.bench.contenders.Contender;
import io.ffsock.bench.report.BenchReport.Result;
import io.ffsock.bench.report.BenchReport.Series;
import io.ffsock.bench.report.BenchReport.Settings;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The report as JSON, written by hand (the benchmarks need no JSON library for one flat document). */
final class Json {
    private Json() {}

    static String write(List<Result> results, String command, Settings settings, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append("{\n");
        b.append("  \"command\": ").append(str(command)).append(",\n");
        b.append("  \"date\": ").append(str(Instant.now().toString())).append(",\n");
        b.append("  \"jvm\": ").append(str(System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"))).append(",\n");
        b.append("  \"cpus\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
        b.append("  \"quick\": ").append(settings.quick()).append(",\n");
        b.append("  \"rounds\": ").append(settings.rounds()).append(",\n");
        b.append("  \"seconds\": ").append(num(seconds)).append(",\n");
        b.append("  \"ratio\": ").append(str("contender time per operation / ffsock reference time per operation"))
                .append(",\n");
        b.append("  \"scenarios\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            Scenario sc = r.scenario();
            b.append("    {\"id\": ").append(str(sc.id())).append(", \"title\": ").append(str(sc.title()))
                    .append(", \"kind\": ").append(str(sc.kind().name().toLowerCase(Locale.ROOT)))
                    .append(", \"size\": ").append(sc.size())
                    .append(", \"transport\": ").append(str(sc.transport().name().toLowerCase(Locale.ROOT)))
                    .append(", \"unit\": ").append(str(sc.unit()))
                    .append(", \"reference\": ").append(str(sc.reference().id()))
                    .append(",\n     \"results\": [\n");
            int j = 0;
            for (Series s : r.series().values()) {
                Contender c = s.contender;
                b.append("       {\"contender\": ").append(str(c.id()))
                        .append(", \"description\": ").append(str(c.description()))
                        .append(", \"ran\": ").append(s.error == null && !s.nsPerOp.isEmpty())
                        .append(", \"opsPerBatch\": ").append(r.batchOps().getOrDefault(c, 0));
                if (!s.nsPerOp.isEmpty()) {
                    b.append(", \"medianNsPerOp\": ").append(num(s.median()))
                            .append(", \"value\": ").append(num(sc.value(s.median())))
                            .append(", \"ratio\": ").append(num(r.ratio(c)))
                            .append(", \"bytesPerOp\": ").append(num(s.allocation()))
                            .append(", \"batchesNsPerOp\": [");
                    for (int k = 0; k < s.nsPerOp.size(); k++) {
                        b.append(k == 0 ? "" : ", ").append(num(s.nsPerOp.get(k)));
                    }
                    b.append(']');
                }
                if (s.error != null) {
                    b.append(", \"error\": ").append(str(s.error));
                }
                b.append('}').append(++j < r.series().size() ? ",\n" : "\n");
            }
            b.append("     ]}").append(i + 1 < results.size() ? ",\n" : "\n");
        }
        b.append("  ],\n  \"targets\": [\n");
        List<Tables.Target> ts = Tables.targets(results);
        for (int i = 0; i < ts.size(); i++) {
            Tables.Target t = ts.get(i);
            b.append("    {\"target\": ").append(str(t.text())).append(", \"met\": ").append(t.met())
                    .append(", \"value\": ").append(num(t.value())).append('}')
                    .append(i + 1 < ts.size() ? ",\n" : "\n");
        }
        b.append("  ]\n}\n");
        return b.toString();
    }

    static String num(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.6g", d);
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
