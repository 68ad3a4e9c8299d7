package dev.usp.train.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart as a PNG: one group per category (e.g. "linear probe", "fine-tune"), one
 * bar per series (e.g. "USP init", "random init"), each bar labelled with its value.
 */
public final class BarChart {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728)};

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

    /** Renders to {@code png}. */
    public void write(Path png) throws IOException {
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        ImageIO.write(render(), "png", png.toFile());
    }

    /** Renders to an image (640 x 400). */
    public BufferedImage render() {
        int w = 640;
        int h = 400;
        int left = 70;
        int right = 20;
        int top = 50;
        int bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double max = 0;
        for (double[] v : values) {
            for (double x : v) {
                if (Double.isFinite(x)) {
                    max = Math.max(max, x);
                }
            }
        }
        max = max <= 0 ? 1 : max * 1.15;
        int plotH = h - top - bottom;
        int plotW = w - left - right;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(1f));
        g.drawLine(left, top + plotH, left + plotW, top + plotH);
        g.drawLine(left, top, left, top + plotH);
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            int y = top + plotH - (int) Math.round(plotH * v / max);
            g.drawLine(left - 4, y, left, y);
            g.drawString(String.format(Locale.ROOT, "%.1f", v), 10, y + 4);
        }
        g.drawString(yLabel, 10, top - 10);
        int groupW = plotW / Math.max(1, categories.size());
        int barW = Math.max(4, (groupW - 30) / Math.max(1, values.size()));
        for (int c = 0; c < categories.size(); c++) {
            int gx = left + c * groupW + 15;
            for (int s = 0; s < values.size(); s++) {
                double v = values.get(s)[c];
                if (!Double.isFinite(v)) {
                    continue;
                }
                int bh = (int) Math.round(plotH * Math.max(0, v) / max);
                int x = gx + s * barW;
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fillRect(x, top + plotH - bh, barW - 4, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.1f", v), x, top + plotH - bh - 4);
            }
            g.drawString(categories.get(c), gx, top + plotH + 18);
        }
        for (int s = 0; s < names.size(); s++) {
            int x = left + s * 160;
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(x, h - 25, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(names.get(s), x + 18, h - 15);
        }
        g.dispose();
        return img;
    }
}
