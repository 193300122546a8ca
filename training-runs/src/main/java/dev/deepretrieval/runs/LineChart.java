package dev.deepretrieval.runs;

import dev.deepretrieval.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A PNG line chart of one or more series over steps (Java2D, headless), for loss and reward plots. */
public final class LineChart {

    /** One named series of (step, value) points. */
    public record Series(String name, Color color, List<double[]> points) {}

    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private final String title;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public LineChart(String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
    }

    public LineChart add(Series s) {
        series.add(s);
        return this;
    }

    /** Renders to {@code file} atomically; an empty chart still renders its axes. */
    public void write(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    minX = Math.min(minX, p[0]);
                    maxX = Math.max(maxX, p[0]);
                    minY = Math.min(minY, p[1]);
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        if (maxY == minY) {
            maxY = minY + 1;
        }
        double padY = (maxY - minY) * 0.05;
        minY -= padY;
        maxY += padY;
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotW = WIDTH - LEFT - RIGHT;
            int plotH = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i <= 5; i++) {
                int y = TOP + plotH - i * plotH / 5;
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, y, LEFT + plotW, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "%.3g", minY + (maxY - minY) * i / 5), 5, y + 4);
                int x = LEFT + i * plotW / 5;
                g.drawString(String.format(Locale.ROOT, "%.0f", minX + (maxX - minX) * i / 5), x - 10, TOP + plotH + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotW, plotH);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("step", LEFT + plotW / 2, HEIGHT - 12);
            g.drawString(yLabel, 5, TOP - 8);
            int legendX = LEFT + plotW - 200;
            for (int k = 0; k < series.size(); k++) {
                Series s = series.get(k);
                g.setColor(s.color());
                g.setStroke(new BasicStroke(1.8f));
                int previousX = -1, previousY = -1;
                for (double[] p : s.points()) {
                    if (!Double.isFinite(p[1])) {
                        continue;
                    }
                    int x = LEFT + (int) Math.round((p[0] - minX) / (maxX - minX) * plotW);
                    int y = TOP + plotH - (int) Math.round((p[1] - minY) / (maxY - minY) * plotH);
                    if (previousX >= 0) {
                        g.drawLine(previousX, previousY, x, y);
                    } else if (s.points().size() == 1) {
                        g.fillOval(x - 3, y - 3, 6, 6);
                    }
                    previousX = x;
                    previousY = y;
                }
                g.fillRect(legendX, TOP + 10 + k * 18, 14, 4);
                g.setColor(Color.BLACK);
                g.drawString(s.name(), legendX + 20, TOP + 16 + k * 18);
            }
        } finally {
            g.dispose();
        }
        // encoded in memory: ImageIO's file cache registers a JVM shutdown hook, which throws while a stop signal is
        // being handled (the chart of a run stopped by SIGTERM is written then)
        ImageIO.setUseCache(false);
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
