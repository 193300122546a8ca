package dev.deepretrieval.policy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class RowMathTest {

    @Test
    void expIsWithinThreeUnitsInTheLastPlaceOverItsRangeAndClampsBeyondIt() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] x = new float[species.length()];
        float[] y = new float[species.length()];
        double worst = 0;
        for (float start = -87f; start + 0.01f * x.length < 88f; start += 0.01f * x.length) {
            for (int i = 0; i < x.length; i++) {
                x[i] = start + 0.01f * i;
            }
            RowMath.exp(FloatVector.fromArray(species, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                double exact = Math.exp(x[i]);
                worst = Math.max(worst, Math.abs(y[i] - exact) / Math.ulp((float) exact));
                assertEquals(RowMath.expScalar(x[i]), y[i], 0f, "the scalar tail computes the same bits at " + x[i]);
            }
        }
        assertTrue(worst <= 3, "worst error " + worst + " ulp");
        assertEquals((float) Math.exp(-87), RowMath.expScalar(-1000f), Math.ulp((float) Math.exp(-87)) * 2);
        assertEquals((float) Math.exp(88), RowMath.expScalar(Float.POSITIVE_INFINITY), Math.ulp((float) Math.exp(88)) * 2);
    }

    @Test
    void logSumExpMatchesTheDefinitionAndSwiGluItsFormula() {
        var random = new SplittableRandom(5);
        int length = 8192 + 5; // a tail past the last whole vector
        float[] logits = new float[length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            logits[i] = (float) random.nextDouble(-30, 12);
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        assertEquals(max + Math.log(sum), RowMath.logSumExp(logits, 0, length), 1e-5);
        assertEquals(Math.log(3) + 2, RowMath.logSumExp(new float[] {9, 2, 2, 2, 9}, 1, 3), 1e-6);

        float[] gate = new float[37];
        float[] up = new float[37];
        float[] expected = new float[37];
        for (int i = 0; i < gate.length; i++) {
            gate[i] = (float) random.nextDouble(-8, 8);
            up[i] = (float) random.nextDouble(-2, 2);
            expected[i] = (float) (gate[i] / (1 + Math.exp(-gate[i])) * up[i]);
        }
        RowMath.swiGlu(gate, up, gate.length);
        for (int i = 0; i < gate.length; i++) {
            assertEquals(expected[i], gate[i], 1e-5, "value " + i);
        }
    }

    @Test
    void rmsNormAndRotationFollowTheirDefinitions() {
        float[] x = {3, 4, 0, 0, 1, 1, 1, 1};
        float[] out = new float[8];
        RowMath.rmsNorm(x, 2, 4, new float[] {1, 2, 1, 1}, 0f, out);
        float rms = (float) Math.sqrt(25 / 4.0);
        assertEquals(3 / rms, out[0], 1e-6);
        assertEquals(2 * 4 / rms, out[1], 1e-6);
        assertEquals(1f, out[4], 1e-6);

        // one head of 4: pairs (x0, x2) and (x1, x3) turn by position · frequency
        float[] q = {1, 0, 0, 1};
        RowMath.rotate(q, 1, 1, 4, new int[] {2}, new float[] {0.5f, 0.25f});
        assertEquals(Math.cos(1.0), q[0], 1e-6);
        assertEquals(Math.sin(1.0), q[2], 1e-6);
        assertEquals(-Math.sin(0.5), q[1], 1e-6);
        assertEquals(Math.cos(0.5), q[3], 1e-6);
    }
}
