/**
 * Headless PNG output of a run: line charts ({@link dev.usp.train.report.LinePlot}, used for the
 * loss curve by {@link dev.usp.train.loop.LossCurves}, and for FD-vs-steps or accuracy plots),
 * grouped bar charts ({@link dev.usp.train.report.BarChart}), both drawn by XChart, and image grids
 * of samples or reconstructions are usp-core's ({@code dev.usp.core.io.ImageGrid}).
 *
 * <p>XChart is used without its PDF, SVG/EPS and GIF exporters' libraries (excluded in the parent
 * pom, about 3.9 MB with PDFBox): charts go through {@code BitmapEncoder.getBufferedImage} and
 * ImageIO's PNG writer only, which need none of them. AWT runs headless (set by the charts unless
 * {@code java.awt.headless} is given), and one plot renders to the same bytes every time.
 */
package dev.usp.train.report;
