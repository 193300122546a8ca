package dev.deepretrieval.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise parts of a decoding step on rows of floats held on the JVM: RMSNorm, rotary embedding, SwiGLU and
 * log Σ exp. Deterministic like {@link PanelMatrix}: only lane-wise operations, each exactly rounded, and sums in a
 * fixed order, so results do not depend on the compiler tier or on the other rows.
 */
final class RowMath {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private RowMath() {}

    /** {@code out[r] = x[r] / sqrt(mean(x[r]²) + eps) · weight}, for {@code rows} rows of {@code dim}. */
    static void rmsNorm(float[] x, int rows, int dim, float[] weight, float eps, float[] out) {
        for (int r = 0; r < rows; r++) {
            int at = r * dim;
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                squares += (double) x[at + i] * x[at + i];
            }
            float rms = (float) Math.sqrt((float) (squares / dim) + eps);
            for (int i = 0; i < dim; i++) {
                out[at + i] = x[at + i] / rms * weight[i];
            }
        }
    }

    /**
     * Rotary embedding in place, Hugging Face's half-rotation: each head's {@code (x[i], x[i + half])} turned by the
     * angle {@code position · inverseFrequencies[i]}.
     *
     * @param x {@code rows} rows of {@code heads · headDim}
     */
    static void rotate(float[] x, int rows, int heads, int headDim, int[] positions, float[] inverseFrequencies) {
        int half = headDim / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) positions[r] * inverseFrequencies[i];
                cos[i] = (float) StrictMath.cos(angle);
                sin[i] = (float) StrictMath.sin(angle);
            }
            for (int h = 0; h < heads; h++) {
                int at = (r * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float a = x[at + i];
                    float b = x[at + i + half];
                    x[at + i] = a * cos[i] - b * sin[i];
                    x[at + i + half] = b * cos[i] + a * sin[i];
                }
            }
        }
    }

    /** {@code gate = silu(gate) · up} in place over the first {@code length} values. */
    static void swiGlu(float[] gate, float[] up, int length) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        int i = 0;
        for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
            FloatVector g = FloatVector.fromArray(SPECIES, gate, i);
            FloatVector sigmoid = one.div(one.add(exp(g.neg())));
            g.mul(sigmoid).mul(FloatVector.fromArray(SPECIES, up, i)).intoArray(gate, i);
        }
        for (; i < length; i++) {
            float g = gate[i];
            gate[i] = g * (1f / (1f + expScalar(-g))) * up[i];
        }
    }

    /** {@code log Σ exp(x[from .. from + length))}. */
    static double logSumExp(float[] x, int from, int length) {
        int bound = SPECIES.loopBound(length);
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector m = FloatVector.fromArray(SPECIES, x, from);
            for (int i = LANES; i < bound; i += LANES) {
                m = m.max(FloatVector.fromArray(SPECIES, x, from + i));
            }
            max = m.reduceLanes(VectorOperators.MAX); // a maximum is the same in any order
        }
        for (int i = bound; i < length; i++) {
            max = Math.max(max, x[from + i]);
        }
        if (max == Float.NEGATIVE_INFINITY || Float.isNaN(max)) {
            return max;
        }
        FloatVector shift = FloatVector.broadcast(SPECIES, max);
        FloatVector sums = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += LANES) {
            sums = sums.add(exp(FloatVector.fromArray(SPECIES, x, from + i).sub(shift)));
        }
        double sum = 0;
        for (int lane = 0; lane < LANES; lane++) { // in lane order, not reduceLanes' unspecified one
            sum += sums.lane(lane);
        }
        for (int i = bound; i < length; i++) {
            sum += expScalar(x[from + i] - max);
        }
        return max + StrictMath.log(sum);
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    private static final float ROUNDER = 12582912f; // 1.5 · 2^23: adding and subtracting it rounds to an integer
    private static final float MIN_ARGUMENT = -87.0f;
    private static final float MAX_ARGUMENT = 88.0f;
    // e^r on [-ln2/2, ln2/2]: Taylor coefficients 1/6!, 1/5!, ... 1/2!, 1, 1 (relative error below 2e-7)
    private static final float[] TAYLOR = {1.3888889e-3f, 8.3333333e-3f, 4.1666667e-2f, 1.6666667e-1f, 0.5f, 1f, 1f};

    /**
     * e^x lane by lane, within three units in the last place; arguments are clamped to [-87, 88], so tiny results
     * flush to e^-87 and huge ones saturate at e^88 (enough for a sigmoid and a normaliser).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(MIN_ARGUMENT).min(MAX_ARGUMENT);
        FloatVector n = clamped.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(SPECIES, TAYLOR[0]);
        for (int i = 1; i < TAYLOR.length; i++) {
            p = p.fma(r, FloatVector.broadcast(SPECIES, TAYLOR[i]));
        }
        FloatVector twoToN = n.convert(VectorOperators.F2I, 0).reinterpretAsInts()
                .add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(twoToN);
    }

    /** The same function on one value, for the tail of a row. */
    static float expScalar(float x) {
        float clamped = Math.min(Math.max(x, MIN_ARGUMENT), MAX_ARGUMENT);
        float n = clamped * LOG2E + ROUNDER - ROUNDER;
        float r = Math.fma(n, -LN2_HI, clamped);
        r = Math.fma(n, -LN2_LO, r);
        float p = TAYLOR[0];
        for (int i = 1; i < TAYLOR.length; i++) {
            p = Math.fma(p, r, TAYLOR[i]);
        }
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
