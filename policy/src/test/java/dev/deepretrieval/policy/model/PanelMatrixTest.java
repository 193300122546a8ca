package dev.deepretrieval.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PanelMatrixTest {

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble(-1, 1));
        }
        return values;
    }

    /** x · W in double precision, row-major W [in, out]. */
    private static double[] reference(float[] x, int rows, float[] w, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < out; n++) {
                double sum = 0;
                for (int k = 0; k < in; k++) {
                    sum += (double) x[r * in + k] * w[k * out + n];
                }
                y[r * out + n] = sum;
            }
        }
        return y;
    }

    @Test
    void multipliesAsTheDefinitionForEveryRowCountAndWidth() {
        var random = new SplittableRandom(7);
        // widths: whole panels, one partial panel, fewer columns than a panel
        for (int out : new int[] {PanelMatrix.PANEL * 3, PanelMatrix.PANEL * 2 + 24, 40}) {
            int in = 37;
            float[] w = gaussian(random, in * out);
            PanelMatrix matrix = PanelMatrix.of(w, in, out);
            for (int rows = 1; rows <= 15; rows++) {
                float[] x = gaussian(random, rows * in);
                float[] y = new float[rows * out];
                matrix.multiply(x, rows, y, new float[matrix.scratchSize(rows)]);
                double[] expected = reference(x, rows, w, in, out);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(expected[i], y[i], 1e-5, "out " + out + ", rows " + rows + ", value " + i);
                }
            }
        }
    }

    @Test
    void aRowGetsTheSameBitsAloneAndInAnyBatch() {
        var random = new SplittableRandom(11);
        int in = 256;
        int out = 688;
        PanelMatrix matrix = PanelMatrix.of(gaussian(random, in * out), in, out);
        int rows = 15;
        float[] batch = gaussian(random, rows * in);
        float[] together = new float[rows * out];
        matrix.multiply(batch, rows, together, new float[matrix.scratchSize(rows)]);
        for (int r = 0; r < rows; r++) { // row r alone, and as the last row of a batch of r + 1 (tiles of 8, 4, 2, 1)
            float[] alone = new float[out];
            matrix.multiply(Arrays.copyOfRange(batch, r * in, (r + 1) * in), 1, alone, new float[matrix.scratchSize(1)]);
            assertArrayEquals(Arrays.copyOfRange(together, r * out, (r + 1) * out), alone, 0f, "row " + r);
            float[] prefix = new float[(r + 1) * out];
            matrix.multiply(Arrays.copyOf(batch, (r + 1) * in), r + 1, prefix, new float[matrix.scratchSize(r + 1)]);
            assertArrayEquals(alone, Arrays.copyOfRange(prefix, r * out, (r + 1) * out), 0f, "row " + r + " last");
        }
    }

    @Test
    void theTransposedFormHoldsTheSameMatrix() {
        var random = new SplittableRandom(3);
        int vocab = 50;
        int hidden = 24;
        float[] embedding = gaussian(random, vocab * hidden); // [vocab, hidden]
        float[] transposed = new float[hidden * vocab];
        for (int v = 0; v < vocab; v++) {
            for (int k = 0; k < hidden; k++) {
                transposed[k * vocab + v] = embedding[v * hidden + k];
            }
        }
        float[] x = gaussian(random, 3 * hidden);
        float[] viaTransposed = new float[3 * vocab];
        float[] viaRows = new float[3 * vocab];
        PanelMatrix a = PanelMatrix.of(transposed, hidden, vocab);
        PanelMatrix b = PanelMatrix.transposedOf(embedding, vocab, hidden);
        a.multiply(x, 3, viaTransposed, new float[a.scratchSize(3)]);
        b.multiply(x, 3, viaRows, new float[b.scratchSize(3)]);
        assertArrayEquals(viaTransposed, viaRows, 0f);
    }

    @Test
    void refusesMismatchedSizes() {
        assertThrows(IllegalArgumentException.class, () -> PanelMatrix.of(new float[10], 3, 4));
        PanelMatrix matrix = PanelMatrix.of(new float[12], 3, 4);
        assertThrows(IllegalArgumentException.class, () -> matrix.multiply(new float[5], 2, new float[8], new float[64]));
        assertThrows(IllegalArgumentException.class, () -> matrix.multiply(new float[6], 2, new float[8], null));
    }
}
