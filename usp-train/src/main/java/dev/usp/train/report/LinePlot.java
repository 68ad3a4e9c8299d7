package dev.usp.train.report;

import dev.usp.core.io.AtomicFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A headless line chart written as PNG, drawn by XChart: title, axis labels, grid, one line per
 * series and a legend. Used for loss curves, FD-vs-steps and accuracy plots. Non-finite points
 * (and non-positive ones on a log axis) break the line; a series with a single point shows it as
 * a dot.
 */
public final class LinePlot {

    private static final int MIN_WIDTH = 160;
    private static final int MIN_HEIGHT = 120;

    private record Series(String name, double[] x, double[] y) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;
    private int width = 800;
    private int height = 500;

    /** An empty plot with a title and axis labels. */
    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Log-scale (base 10) y axis. */
    public LinePlot logY(boolean on) {
        logY = on;
        return this;
    }

    /** Image size in pixels; default 800 x 500. */
    public LinePlot size(int widthPx, int heightPx) {
        if (widthPx < MIN_WIDTH || heightPx < MIN_HEIGHT) {
            throw new IllegalArgumentException("plot size " + widthPx + "x" + heightPx + " is too small");
        }
        width = widthPx;
        height = heightPx;
        return this;
    }

    /**
     * Adds a series drawn in the next palette colour.
     *
     * @throws IllegalArgumentException when x and y differ in length
     */
    public LinePlot add(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** Writes the plot as a PNG file, atomically. */
    public void write(Path png) throws IOException {
        AtomicFiles.writePng(render(), png);
    }

    /** Draws the plot. */
    public BufferedImage render() {
        Charts.headless();
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(logY ? yLabel + " (log)" : yLabel).build();
        AxesChartStyler s = chart.getStyler();
        Charts.style(s);
        s.setYAxisLogarithmic(logY);
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setPlotGridLinesColor(new Color(0xe6e6e6));
        int drawn = 0;
        for (int i = 0; i < series.size(); i++) {
            Series d = series.get(i);
            double[][] xy = usable(d);
            if (xy[0].length == 0) {
                continue;   // nothing to draw; XChart refuses an empty series
            }
            XYSeries line = chart.addSeries(d.name, xy[0], xy[1]);
            line.setLineColor(Charts.PALETTE[i % Charts.PALETTE.length]);
            line.setMarkerColor(Charts.PALETTE[i % Charts.PALETTE.length]);
            line.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            line.setMarker(xy[0].length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            drawn++;
        }
        if (drawn > 0) {
            addSpacingBreaker(chart);
        }
        if (drawn == 0) {
            chart.setTitle(title + " (no data)");
            s.setLegendVisible(false);
            XYSeries none = chart.addSeries(" ", new double[] {0, 1}, new double[] {1, 1});
            none.setLineColor(new Color(0, 0, 0, 0));
            none.setMarker(SeriesMarkers.NONE);
            none.setShowInLegend(false);
        }
        return Charts.render(chart);
    }

    /**
     * XChart 3.8.8 puts a tick at every distinct data value when the values of an axis are equally
     * spaced (steps 10, 20, ..., 500 are), which packs the labels edge to edge. One hidden point
     * inside the data range at uneven coordinates makes it choose 1-2-5 ticks as for any data.
     */
    private void addSpacingBreaker(XYChart chart) {
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (XYSeries line : chart.getSeriesMap().values()) {
            double[] x = line.getXData();
            double[] y = line.getYData();
            for (int i = 0; i < x.length; i++) {
                if (!Double.isNaN(y[i])) {
                    xLo = Math.min(xLo, x[i]);
                    xHi = Math.max(xHi, x[i]);
                    yLo = Math.min(yLo, y[i]);
                    yHi = Math.max(yHi, y[i]);
                }
            }
        }
        double f = 0.3819660112501051;   // the golden section: never on an even grid
        double y = logY ? yLo * Math.pow(yHi / yLo, f) : yLo + (yHi - yLo) * f;
        XYSeries hidden = chart.addSeries(" ", new double[] {xLo + (xHi - xLo) * f}, new double[] {y});
        hidden.setMarker(SeriesMarkers.NONE);
        hidden.setLineColor(new Color(0, 0, 0, 0));
        hidden.setShowInLegend(false);
    }

    /**
     * The points XChart can draw: finite x; y NaN (a gap) where it is not finite, or not
     * positive on a log axis. Empty when no point has a drawable y.
     */
    private double[][] usable(Series d) {
        int n = 0;
        int drawable = 0;
        double[] x = new double[d.x.length];
        double[] y = new double[d.x.length];
        for (int i = 0; i < d.x.length; i++) {
            if (!Double.isFinite(d.x[i])) {
                continue;
            }
            boolean ok = Double.isFinite(d.y[i]) && (!logY || d.y[i] > 0);
            x[n] = d.x[i];
            y[n] = ok ? d.y[i] : Double.NaN;
            drawable += ok ? 1 : 0;
            n++;
        }
        return drawable == 0 ? new double[2][0] : new double[][] {Arrays.copyOf(x, n), Arrays.copyOf(y, n)};
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LinePlot(%s, %d series)", title, series.size());
    }
}
