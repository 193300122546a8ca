package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.Scopes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with global gradient-norm clipping, on named NDArray parameters:
 * {@code θ ← θ − lr·wd·θ}, then the bias-corrected Adam step. Moments live in the optimizer's own manager, under the
 * parameters' names, so they can be checkpointed.
 */
public final class AdamW implements AutoCloseable {

    private final Map<String, NDArray> parameters;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final double maxGradNorm;
    private int steps;
    private int skipped;

    /**
     * @param maxGradNorm clip the global gradient norm to this (≤ 0 disables clipping)
     */
    public AdamW(Map<String, NDArray> parameters, NDManager parent, double beta1, double beta2, double epsilon,
            double weightDecay, double maxGradNorm) {
        this.parameters = Map.copyOf(parameters);
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.maxGradNorm = maxGradNorm;
        parameters.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape()));
            secondMoments.put(name, manager.zeros(p.getShape()));
        });
    }

    /**
     * Applies one update from the gradients accumulated on the parameters, then zeroes them. Gradients with a
     * non-finite norm (a NaN or infinity anywhere) are dropped instead: the parameters and moments stay as they were,
     * the step is counted in {@link #skippedSteps()} (one bad batch must not turn every weight into NaN).
     *
     * @return the global gradient norm before clipping (non-finite when the step was skipped)
     */
    public double step(double learningRate) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = manager.newSubManager()) {
            var gradients = new LinkedHashMap<String, NDArray>();
            double squares = 0;
            for (var entry : parameters.entrySet()) {
                NDArray g = entry.getValue().getGradient();
                g.attach(scope); // DJL wraps the gradient in a new array under the parameter's manager
                gradients.put(entry.getKey(), g);
                squares += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(squares);
            if (!Double.isFinite(norm)) {
                skipped++;
                parameters.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
                return norm;
            }
            double clip = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1.0;
            steps++;
            float correction1 = (float) (1 - Math.pow(beta1, steps));
            float correction2 = (float) (1 - Math.pow(beta2, steps));
            for (var entry : parameters.entrySet()) {
                String name = entry.getKey();
                NDArray p = entry.getValue();
                NDArray g = gradients.get(name).mul((float) clip);
                firstMoments.get(name).muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                secondMoments.get(name).muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
                NDArray mHat = Scopes.into(scope, firstMoments.get(name).div(correction1));
                NDArray vHat = Scopes.into(scope, secondMoments.get(name).div(correction2));
                if (weightDecay > 0) {
                    p.muli((float) (1 - learningRate * weightDecay));
                }
                p.subi(mHat.div(vHat.sqrt().add((float) epsilon)).mul((float) learningRate));
                JniUtils.zeroGrad((PtNDArray) p);
            }
            return norm;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Number of updates dropped for a non-finite gradient. */
    public int skippedSteps() {
        return skipped;
    }

    /** Number of updates applied. */
    public int steps() {
        return steps;
    }

    /** Sets the update count when resuming from a checkpoint (the moments are restored into the maps below). */
    public void restoreSteps(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + count);
        }
        steps = count;
    }

    /** First and second moments by parameter name (for checkpoints). */
    public Map<String, NDArray> firstMoments() {
        return firstMoments;
    }

    public Map<String, NDArray> secondMoments() {
        return secondMoments;
    }

    @Override
    public void close() {
        manager.close();
    }
}
