package dev.deepretrieval.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix {@code W [in, out]} held on the JVM for products {@code x · W} of a few rows at a time: the rows a
 * decoding step has, one token per sequence.
 *
 * <p>Why not the native matmul: for a handful of rows MKL repacks the whole of {@code W} on every call (and on this
 * project's AMD machines takes a generic path), so a step of 8 rows costs as much as 8 steps of one. Here {@code W} is
 * stored once in column panels of {@link #PANEL} values, contiguous along {@code in}, and rows are taken eight, four,
 * two or one at a time (three and seven as four and eight, padded with zeros: one pass over the weights instead of
 * two or three): every loaded vector of weights feeds up to eight fused multiply-adds.
 *
 * <p>Deterministic per row: every output is the fused multiply-add chain over {@code in} in order, from zero, whatever
 * the number of rows it is computed with and whichever compiler tier runs it, so a sequence decodes to the same bits
 * alone and in any batch.
 */
public final class PanelMatrix {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Output columns per panel: four vectors, the accumulators of one row (of two in eight-row tiles). */
    static final int PANEL = 4 * LANES;

    private final int in;
    private final int out;
    private final int panels;
    private final float[] data; // [panels][in][PANEL], zero beyond out

    private PanelMatrix(int in, int out, float[] data) {
        this.in = in;
        this.out = out;
        this.panels = (out + PANEL - 1) / PANEL;
        this.data = data;
    }

    /** {@code W} from its row-major values {@code [in, out]}. */
    public static PanelMatrix of(float[] w, int in, int out) {
        return from(w, in, out, false);
    }

    /** {@code W = Aᵀ} from the row-major values of {@code A [out, in]} (an output head held as the embedding). */
    public static PanelMatrix transposedOf(float[] a, int out, int in) {
        return from(a, in, out, true);
    }

    private static PanelMatrix from(float[] values, int in, int out, boolean transposed) {
        if (in <= 0 || out <= 0 || values.length != (long) in * out) {
            throw new IllegalArgumentException("a " + in + " x " + out + " matrix needs " + ((long) in * out)
                    + " values, got " + values.length);
        }
        int panels = (out + PANEL - 1) / PANEL;
        float[] data = new float[Math.multiplyExact(Math.multiplyExact(panels, in), PANEL)];
        for (int k = 0; k < in; k++) {
            for (int n = 0; n < out; n++) {
                float value = transposed ? values[n * in + k] : values[k * out + n];
                data[(n / PANEL) * in * PANEL + k * PANEL + n % PANEL] = value;
            }
        }
        return new PanelMatrix(in, out, data);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /**
     * {@code y[rows, out] = x[rows, in] · W}, both row-major from offset 0.
     *
     * @param scratch at least {@link #scratchSize(int)} floats when {@code out} is not a whole number of panels
     *     (ignored otherwise; may be null then)
     */
    public void multiply(float[] x, int rows, float[] y, float[] scratch) {
        if (x.length < rows * in || y.length < rows * out) {
            throw new IllegalArgumentException(rows + " rows need " + rows * in + " inputs and " + rows * out
                    + " outputs, got " + x.length + " and " + y.length);
        }
        int stride = panels * PANEL;
        boolean direct = stride == out;
        float[] target = direct ? y : scratch;
        if (!direct && (scratch == null || scratch.length < rows * stride)) {
            throw new IllegalArgumentException("scratch of " + rows * stride + " floats needed");
        }
        int m = 0;
        for (; m + 8 <= rows; m += 8) {
            eight(x, m, target, m, 8, stride);
        }
        int left = rows - m;
        if (left == 7 || left == 3) { // one pass over W for rows padded with zeros beats three or two passes
            padded(x, m, left, left == 7 ? 8 : 4, target, stride);
            left = 0;
        }
        if (left >= 4) {
            four(x, m, target, m, 4, stride);
            m += 4;
            left -= 4;
        }
        if (left >= 2) {
            two(x, m, target, stride);
            m += 2;
            left -= 2;
        }
        if (left == 1) {
            one(x, m, target, stride);
        }
        if (!direct) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(scratch, r * stride, y, r * out, out);
            }
        }
    }

    /** Floats of scratch {@link #multiply} needs for {@code rows} rows (0 when {@code out} fills whole panels). */
    public int scratchSize(int rows) {
        int stride = panels * PANEL;
        return stride == out ? 0 : rows * stride;
    }

    /**
     * Eight rows {@code m ..} of {@code x} into rows {@code to ..} of {@code y}, the first {@code valid} of them stored:
     * each panel in two halves of two vectors, so the 16 accumulators fit in registers.
     */
    private void eight(float[] x, int m, float[] y, int to, int valid, int stride) {
        for (int p = 0; p < panels; p++) {
            for (int half = 0; half < 2; half++) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
                int w = p * in * PANEL + half * 2 * LANES;
                int xk = m * in;
                for (int k = 0; k < in; k++, w += PANEL, xk++) {
                    FloatVector w0 = FloatVector.fromArray(SPECIES, data, w);
                    FloatVector w1 = FloatVector.fromArray(SPECIES, data, w + LANES);
                    FloatVector v = FloatVector.broadcast(SPECIES, x[xk]);
                    a0 = w0.fma(v, a0);
                    a1 = w1.fma(v, a1);
                    v = FloatVector.broadcast(SPECIES, x[xk + in]);
                    b0 = w0.fma(v, b0);
                    b1 = w1.fma(v, b1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 2 * in]);
                    c0 = w0.fma(v, c0);
                    c1 = w1.fma(v, c1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 3 * in]);
                    d0 = w0.fma(v, d0);
                    d1 = w1.fma(v, d1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 4 * in]);
                    e0 = w0.fma(v, e0);
                    e1 = w1.fma(v, e1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 5 * in]);
                    f0 = w0.fma(v, f0);
                    f1 = w1.fma(v, f1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 6 * in]);
                    g0 = w0.fma(v, g0);
                    g1 = w1.fma(v, g1);
                    v = FloatVector.broadcast(SPECIES, x[xk + 7 * in]);
                    h0 = w0.fma(v, h0);
                    h1 = w1.fma(v, h1);
                }
                int o = to * stride + p * PANEL + half * 2 * LANES;
                store(y, o, a0, a1);
                store(y, o + stride, b0, b1);
                store(y, o + 2 * stride, c0, c1);
                store(y, o + 3 * stride, d0, d1);
                if (valid > 4) {
                    store(y, o + 4 * stride, e0, e1);
                    store(y, o + 5 * stride, f0, f1);
                    store(y, o + 6 * stride, g0, g1);
                }
                if (valid > 7) {
                    store(y, o + 7 * stride, h0, h1);
                }
            }
        }
    }

    /** Rows {@code m ..} of {@code x} into rows {@code to ..} of {@code y}, the first {@code valid} of them stored. */
    private void four(float[] x, int m, float[] y, int to, int valid, int stride) {
        int x0 = m * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        for (int p = 0; p < panels; p++) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            int w = p * in * PANEL;
            for (int k = 0; k < in; k++, w += PANEL) {
                FloatVector w0 = FloatVector.fromArray(SPECIES, data, w);
                FloatVector w1 = FloatVector.fromArray(SPECIES, data, w + LANES);
                FloatVector w2 = FloatVector.fromArray(SPECIES, data, w + 2 * LANES);
                FloatVector w3 = FloatVector.fromArray(SPECIES, data, w + 3 * LANES);
                FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + k]);
                a0 = w0.fma(v, a0);
                a1 = w1.fma(v, a1);
                a2 = w2.fma(v, a2);
                a3 = w3.fma(v, a3);
                v = FloatVector.broadcast(SPECIES, x[x1 + k]);
                b0 = w0.fma(v, b0);
                b1 = w1.fma(v, b1);
                b2 = w2.fma(v, b2);
                b3 = w3.fma(v, b3);
                v = FloatVector.broadcast(SPECIES, x[x2 + k]);
                c0 = w0.fma(v, c0);
                c1 = w1.fma(v, c1);
                c2 = w2.fma(v, c2);
                c3 = w3.fma(v, c3);
                v = FloatVector.broadcast(SPECIES, x[x3 + k]);
                d0 = w0.fma(v, d0);
                d1 = w1.fma(v, d1);
                d2 = w2.fma(v, d2);
                d3 = w3.fma(v, d3);
            }
            int o = to * stride + p * PANEL;
            store(y, o, a0, a1, a2, a3);
            store(y, o + stride, b0, b1, b2, b3);
            store(y, o + 2 * stride, c0, c1, c2, c3);
            if (valid > 3) {
                store(y, o + 3 * stride, d0, d1, d2, d3);
            }
        }
    }

    private void two(float[] x, int m, float[] y, int stride) {
        int x0 = m * in;
        int x1 = x0 + in;
        for (int p = 0; p < panels; p++) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int w = p * in * PANEL;
            for (int k = 0; k < in; k++, w += PANEL) {
                FloatVector w0 = FloatVector.fromArray(SPECIES, data, w);
                FloatVector w1 = FloatVector.fromArray(SPECIES, data, w + LANES);
                FloatVector w2 = FloatVector.fromArray(SPECIES, data, w + 2 * LANES);
                FloatVector w3 = FloatVector.fromArray(SPECIES, data, w + 3 * LANES);
                FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + k]);
                a0 = w0.fma(v, a0);
                a1 = w1.fma(v, a1);
                a2 = w2.fma(v, a2);
                a3 = w3.fma(v, a3);
                v = FloatVector.broadcast(SPECIES, x[x1 + k]);
                b0 = w0.fma(v, b0);
                b1 = w1.fma(v, b1);
                b2 = w2.fma(v, b2);
                b3 = w3.fma(v, b3);
            }
            int o = m * stride + p * PANEL;
            store(y, o, a0, a1, a2, a3);
            store(y, o + stride, b0, b1, b2, b3);
        }
    }

    /**
     * Rows {@code [m, m + rows)} as a tile of {@code tile} rows, the rest zeros: each output is the same chain as in any
     * other tile, and only the real rows are written.
     */
    private void padded(float[] x, int m, int rows, int tile, float[] y, int stride) {
        float[] tileRows = new float[tile * in];
        System.arraycopy(x, m * in, tileRows, 0, rows * in);
        if (tile == 8) {
            eight(tileRows, 0, y, m, rows, stride);
        } else {
            four(tileRows, 0, y, m, rows, stride);
        }
    }

    /** One row: two panels at a time, so eight independent accumulator chains hide the FMA latency. */
    private void one(float[] x, int m, float[] y, int stride) {
        int x0 = m * in;
        int p = 0;
        for (; p + 2 <= panels; p += 2) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int w = p * in * PANEL;
            int u = w + in * PANEL;
            for (int k = 0; k < in; k++, w += PANEL, u += PANEL) {
                FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + k]);
                a0 = FloatVector.fromArray(SPECIES, data, w).fma(v, a0);
                a1 = FloatVector.fromArray(SPECIES, data, w + LANES).fma(v, a1);
                a2 = FloatVector.fromArray(SPECIES, data, w + 2 * LANES).fma(v, a2);
                a3 = FloatVector.fromArray(SPECIES, data, w + 3 * LANES).fma(v, a3);
                b0 = FloatVector.fromArray(SPECIES, data, u).fma(v, b0);
                b1 = FloatVector.fromArray(SPECIES, data, u + LANES).fma(v, b1);
                b2 = FloatVector.fromArray(SPECIES, data, u + 2 * LANES).fma(v, b2);
                b3 = FloatVector.fromArray(SPECIES, data, u + 3 * LANES).fma(v, b3);
            }
            store(y, m * stride + p * PANEL, a0, a1, a2, a3);
            store(y, m * stride + (p + 1) * PANEL, b0, b1, b2, b3);
        }
        for (; p < panels; p++) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0, a2 = a0, a3 = a0;
            int w = p * in * PANEL;
            for (int k = 0; k < in; k++, w += PANEL) {
                FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + k]);
                a0 = FloatVector.fromArray(SPECIES, data, w).fma(v, a0);
                a1 = FloatVector.fromArray(SPECIES, data, w + LANES).fma(v, a1);
                a2 = FloatVector.fromArray(SPECIES, data, w + 2 * LANES).fma(v, a2);
                a3 = FloatVector.fromArray(SPECIES, data, w + 3 * LANES).fma(v, a3);
            }
            store(y, m * stride + p * PANEL, a0, a1, a2, a3);
        }
    }

    private static void store(float[] y, int at, FloatVector v0, FloatVector v1) {
        v0.intoArray(y, at);
        v1.intoArray(y, at + LANES);
    }

    private static void store(float[] y, int at, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        v0.intoArray(y, at);
        v1.intoArray(y, at + LANES);
        v2.intoArray(y, at + 2 * LANES);
        v3.intoArray(y, at + 3 * LANES);
    }
}
