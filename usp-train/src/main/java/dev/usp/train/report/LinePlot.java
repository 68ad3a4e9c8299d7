package dev.usp.train.report;

import dev.usp.core.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small headless line chart written as PNG: title, axis labels, 1-2-5 ticks (decades on a log
 * y axis), grid, one polyline per series and a legend. Used for loss curves, FD-vs-steps and
 * accuracy plots. Non-finite points (and non-positive ones on a log axis) break the line.
 */
public final class LinePlot {

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    };
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 36;
    private static final int BOTTOM = 54;

    private record Series(String name, double[] x, double[] y, Color color) {
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
        if (widthPx < LEFT + RIGHT + 20 || heightPx < TOP + BOTTOM + 20) {
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
        series.add(new Series(name, x.clone(), y.clone(), PALETTE[series.size() % PALETTE.length]));
        return this;
    }

    /** Writes the plot as a PNG file, atomically. */
    public void write(Path png) throws IOException {
        writePng(render(), png);
    }

    /** Draws the plot. */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            Axis xa = Axis.of(values(true), false);
            Axis ya = Axis.of(values(false), logY);
            drawFrame(g, xa, ya);
            for (Series s : series) {
                drawSeries(g, s, xa, ya);
            }
            drawLegend(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    private List<Double> values(boolean xs) {
        List<Double> out = new ArrayList<>();
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (usable(s.x[i], s.y[i])) {
                    out.add(xs ? s.x[i] : s.y[i]);
                }
            }
        }
        return out;
    }

    private boolean usable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    private int plotW() {
        return width - LEFT - RIGHT;
    }

    private int plotH() {
        return height - TOP - BOTTOM;
    }

    private double px(Axis a, double x) {
        return LEFT + a.fraction(x) * plotW();
    }

    private double py(Axis a, double y) {
        return TOP + (1 - a.fraction(y)) * plotH();
    }

    private void drawFrame(Graphics2D g, Axis xa, Axis ya) {
        FontMetrics fm = g.getFontMetrics();
        for (double t : xa.ticks()) {
            int x = (int) Math.round(px(xa, t));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x, TOP, x, TOP + plotH());
            g.setColor(Color.DARK_GRAY);
            g.drawLine(x, TOP + plotH(), x, TOP + plotH() + 5);
            String label = Axis.format(t);
            g.drawString(label, x - fm.stringWidth(label) / 2, TOP + plotH() + 7 + fm.getAscent());
        }
        for (double t : ya.ticks()) {
            int y = (int) Math.round(py(ya, t));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, y, LEFT + plotW(), y);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(LEFT - 5, y, LEFT, y);
            String label = Axis.format(t);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW(), plotH());
        g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
        FontMetrics tm = g.getFontMetrics();
        g.drawString(title, (width - tm.stringWidth(title)) / 2, TOP - 12);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 12f));
        g.drawString(xLabel, LEFT + (plotW() - fm.stringWidth(xLabel)) / 2, height - 12);
        String yText = logY ? yLabel + " (log)" : yLabel;
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yText, -(TOP + (plotH() + fm.stringWidth(yText)) / 2), 16);
        g.setTransform(saved);
        if (ya.empty) {
            g.drawString("no data", LEFT + plotW() / 2 - fm.stringWidth("no data") / 2, TOP + plotH() / 2);
        }
    }

    private void drawSeries(Graphics2D g, Series s, Axis xa, Axis ya) {
        g.setColor(s.color);
        g.setStroke(new BasicStroke(1.6f));
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        int points = 0;
        for (int i = 0; i < s.x.length; i++) {
            if (!usable(s.x[i], s.y[i])) {
                pen = false;
                continue;
            }
            double x = px(xa, s.x[i]);
            double y = py(ya, s.y[i]);
            if (pen) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                pen = true;
            }
            points++;
        }
        g.draw(path);
        if (points == 1) {
            g.fillOval((int) path.getCurrentPoint().getX() - 3, (int) path.getCurrentPoint().getY() - 3, 6, 6);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private void drawLegend(Graphics2D g) {
        if (series.isEmpty()) {
            return;
        }
        FontMetrics fm = g.getFontMetrics();
        int textW = 0;
        for (Series s : series) {
            textW = Math.max(textW, fm.stringWidth(s.name));
        }
        int lineH = fm.getHeight();
        int boxW = textW + 44;
        int boxH = lineH * series.size() + 8;
        int x0 = LEFT + plotW() - boxW - 8;
        int y0 = TOP + 8;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x0, y0, boxW, boxH);
        g.setColor(Color.GRAY);
        g.drawRect(x0, y0, boxW, boxH);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int y = y0 + 4 + lineH * i + lineH / 2;
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x0 + 6, y, x0 + 30, y);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(s.name, x0 + 36, y + fm.getAscent() / 2 - 1);
        }
    }

    /** Writes an image as PNG, atomically. */
    static void writePng(BufferedImage img, Path png) throws IOException {
        AtomicFiles.writePng(img, png);
    }

    /** One axis: its data range (log10 of it on a log axis), ticks, and number formatting. */
    private static final class Axis {
        final double lo;
        final double hi;
        final boolean log;
        final boolean empty;

        private Axis(double lo, double hi, boolean log, boolean empty) {
            this.lo = lo;
            this.hi = hi;
            this.log = log;
            this.empty = empty;
        }

        static Axis of(List<Double> values, boolean log) {
            if (values.isEmpty()) {
                return new Axis(0, 1, log, true);
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                double t = log ? Math.log10(v) : v;
                lo = Math.min(lo, t);
                hi = Math.max(hi, t);
            }
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
                double pad = log ? 0.5 : Math.max(Math.abs(hi) * 0.1, 1);
                lo -= pad;
                hi += pad;
            } else {
                double pad = (hi - lo) * 0.04;
                lo -= pad;
                hi += pad;
            }
            return new Axis(lo, hi, log, false);
        }

        double fraction(double v) {
            double t = log ? Math.log10(v) : v;
            return (t - lo) / (hi - lo);
        }

        /** Tick values in data units (1-2-5 steps; decades, or 1-2-5 per decade, on a log axis). */
        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            if (log) {
                int d0 = (int) Math.floor(lo);
                int d1 = (int) Math.ceil(hi);
                int[] mult = d1 - d0 <= 3 ? new int[] {1, 2, 5} : new int[] {1};
                int every = Math.max(1, (d1 - d0) / 8);
                for (int d = d0; d <= d1; d += every) {
                    for (int m : mult) {
                        double v = m * Math.pow(10, d);
                        double t = Math.log10(v);
                        if (t >= lo && t <= hi) {
                            out.add(v);
                        }
                    }
                }
                return out;
            }
            double step = niceStep((hi - lo) / 6);
            for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
                out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            }
            return out;
        }

        static double niceStep(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / p;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
        }

        static String format(double v) {
            double a = Math.abs(v);
            if (a == 0) {
                return "0";
            }
            if (a >= 1e6 || a < 1e-3) {
                String[] parts = String.format(Locale.ROOT, "%.2e", v).split("e");
                return trimZeros(parts[0]) + "e" + Integer.parseInt(parts[1]);
            }
            return trimZeros(String.format(Locale.ROOT, "%.4f", v));
        }

        private static String trimZeros(String decimal) {
            return decimal.contains(".") ? decimal.replaceAll("0+$", "").replaceAll("\\.$", "") : decimal;
        }
    }
}
