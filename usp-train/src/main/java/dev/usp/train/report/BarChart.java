package dev.usp.train.report;

import dev.usp.core.io.AtomicFiles;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;

import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grouped bar chart as a PNG, drawn by XChart: one group per category (e.g. "linear probe",
 * "fine-tune"), one bar per series (e.g. "USP init", "random init"), each bar labelled with its
 * value to one decimal.
 */
public final class BarChart {

    private final String title;
    private final String yLabel;
    private final List<String> categories;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();

    /** A chart with the given categories along x. */
    public BarChart(String title, String yLabel, List<String> categories) {
        this.title = title;
        this.yLabel = yLabel;
        this.categories = List.copyOf(categories);
    }

    /** Adds a series: one value per category (NaN leaves a gap). */
    public BarChart add(String name, double... perCategory) {
        if (perCategory.length != categories.size()) {
            throw new IllegalArgumentException("series '" + name + "' has " + perCategory.length
                    + " values for " + categories.size() + " categories");
        }
        names.add(name);
        values.add(perCategory.clone());
        return this;
    }

    /** Renders to {@code png}, atomically. */
    public void write(Path png) throws IOException {
        AtomicFiles.writePng(render(), png);
    }

    /** Renders to an image (640 x 400). */
    public BufferedImage render() {
        Charts.headless();
        CategoryChart chart = new CategoryChartBuilder().width(640).height(400).title(title).yAxisTitle(yLabel).build();
        CategoryStyler s = chart.getStyler();
        Charts.style(s);
        s.setLegendPosition(CategoryStyler.LegendPosition.OutsideS);
        s.setLegendLayout(CategoryStyler.LegendLayout.Horizontal);
        s.setLabelsVisible(true);
        s.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setYAxisMin(0.0);
        s.setYAxisDecimalPattern("0.0");
        double max = 0;
        for (double[] v : values) {
            for (double x : v) {
                if (Double.isFinite(x)) {
                    max = Math.max(max, x);
                }
            }
        }
        s.setYAxisMax(max <= 0 ? 1 : max * 1.15);
        for (int i = 0; i < names.size(); i++) {
            List<Double> ys = new ArrayList<>();
            for (double v : values.get(i)) {
                ys.add(Double.isFinite(v) ? v : null);
            }
            chart.addSeries(names.get(i), categories, ys);
        }
        if (names.isEmpty()) {
            chart.setTitle(title + " (no data)");
        }
        return Charts.render(chart);
    }
}
