package dev.usp.train.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;

/**
 * What the charts share: headless AWT, one look (white, matplotlib's palette, sans-serif), and
 * PNG files written atomically.
 */
final class Charts {

    /** Matplotlib's first colours, the series colours in order. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    };

    private Charts() {
    }

    /**
     * Makes AWT headless unless {@code java.awt.headless} was given: charts are drawn into images
     * on machines without a display. Called before a chart is built, as AWT reads it once.
     */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Applies the shared look to a chart's styler. */
    static void style(Styler s) {
        s.setSeriesColors(PALETTE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.BLACK);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(Color.GRAY);
        s.setAntiAlias(true);
    }

    /** Draws a chart into an image. */
    static BufferedImage render(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }
}
