package org.clconv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The human summary of a bench run: the ceilings of every target, then one row per layer and target with the
 * headline time, the device and with-transfers times where the target has them, the rates and the roofline.
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(BenchReport report) {
        StringBuilder out = new StringBuilder();
        out.append("## clconv bench: suite ").append(report.suite().name()).append("\n\n");
        for (BenchTarget t : report.targets()) {
            Ceilings c = t.ceilings();
            out.append(String.format(Locale.ROOT, "- **%s** (%s): copy %.1f GB/s, fp32 FMA %.1f GFLOP/s, ridge %.2f FLOP/byte%n",
                    t.name(), t.description(), c.bytesPerSecond() / 1e9, c.flopsPerSecond() / 1e9, c.ridgePoint()));
        }
        out.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "backend", "ms (median ± spread)", "device ms", "with transfers ms",
                "GFLOP/s", "GB/s", "FLOP/B", "bound", "% BW", "% FMA"});
        for (LayerResult r : report.results()) {
            rows.add(r.isTimed() ? row(r) : failedRow(r));
        }
        out.append(table(rows));
        List<String> aboveFma = timedWhere(report, r -> r.roofline().percentOfFma() > 100);
        if (!aboveFma.isEmpty()) {
            out.append("\nNote: ").append(String.join(", ", aboveFma)).append(" ran above the measured FMA rate: "
                    + "either it skips work that the nominal 2 x MACs count includes (e.g. the zero-padding taps of a "
                    + "dilated layer), or the ceiling was measured low (other load while it was measured; rerun).\n");
        }
        List<String> aboveCopy = timedWhere(report, r -> r.roofline().percentOfBandwidth() > 100);
        if (!aboveCopy.isEmpty()) {
            out.append("\nNote: ").append(String.join(", ", aboveCopy)).append(" moved data faster than the copy "
                    + "bandwidth of memory: their tensors fit in cache between calls.\n");
        }
        return out.toString();
    }

    private static List<String> timedWhere(BenchReport report, Predicate<LayerResult> condition) {
        return report.results().stream().filter(LayerResult::isTimed).filter(condition)
                .map(r -> r.layer().name() + " on " + r.targetName()).toList();
    }

    private static String[] row(LayerResult r) {
        ModeResult headline = r.headlineMode();
        ModeResult host = r.modes().stream()
                .filter(m -> m != headline && m.mode().equals(HostBackendTarget.HOST_MODE)).findFirst().orElse(null);
        Roofline roof = r.roofline();
        return new String[] {
            r.layer().name(), r.targetLabel(),
            String.format(Locale.ROOT, "%.3f ± %.1f%%", r.headlineSeconds() * 1e3, 100 * headline.wall().relativeSpread()),
            headline.device() == null ? "–" : ms(headline.device().median()),
            host == null ? "–" : ms(host.wall().median()),
            String.format(Locale.ROOT, "%.1f", r.gflops()),
            String.format(Locale.ROOT, "%.1f", r.gbytesPerSecond()),
            String.format(Locale.ROOT, "%.2f", roof.intensity()),
            roof.bound().label(),
            String.format(Locale.ROOT, "%.0f", roof.percentOfBandwidth()),
            String.format(Locale.ROOT, "%.0f", roof.percentOfFma()),
        };
    }

    private static String[] failedRow(LayerResult r) {
        String[] row = new String[11];
        Arrays.fill(row, "");
        row[0] = r.layer().name();
        row[1] = r.targetName();
        row[2] = "FAILED: " + r.error().replace('|', '/');
        return row;
    }

    private static String ms(double ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1e6);
    }

    /** A markdown table with padded columns, so it also reads well in a terminal. */
    public static String table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            appendRow(out, rows.get(r), width);
            if (r == 0) {
                String[] rule = new String[columns];
                for (int c = 0; c < columns; c++) {
                    rule[c] = "-".repeat(width[c]);
                }
                appendRow(out, rule, width);
            }
        }
        return out.toString();
    }

    private static void appendRow(StringBuilder out, String[] row, int[] width) {
        out.append('|');
        for (int c = 0; c < row.length; c++) {
            out.append(' ').append(row[c]).append(" ".repeat(width[c] - row[c].length())).append(" |");
        }
        out.append('\n');
    }
}
