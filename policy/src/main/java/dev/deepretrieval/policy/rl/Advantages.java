package dev.deepretrieval.policy.rl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Advantage estimators over per-sequence arrays; sequence {@code b} has {@code lengths[b]} real response tokens and
 * every array is read only up to that length (the rest is padding).
 */
public final class Advantages {

    private Advantages() {}

    /** Advantages and returns of one batch, per sequence, each as long as its response. */
    public record Estimate(List<float[]> advantages, List<float[]> returns) {}

    /**
     * Generalised advantage estimation: {@code δ_t = r_t + γ V_{t+1} − V_t} (with {@code V} past the last real token
     * taken as 0: the episode ends there), {@code A_t = δ_t + γλ A_{t+1}}, returns {@code A_t + V_t}.
     */
    public static Estimate gae(List<float[]> tokenRewards, List<float[]> values, double gamma, double lambda) {
        var advantages = new ArrayList<float[]>();
        var returns = new ArrayList<float[]>();
        for (int b = 0; b < tokenRewards.size(); b++) {
            float[] r = tokenRewards.get(b);
            float[] v = values.get(b);
            if (r.length != v.length) {
                throw new IllegalArgumentException("sequence " + b + ": " + r.length + " rewards but " + v.length + " values");
            }
            float[] a = new float[r.length];
            float[] ret = new float[r.length];
            double running = 0;
            for (int t = r.length - 1; t >= 0; t--) {
                double next = t + 1 < r.length ? v[t + 1] : 0;
                double delta = r[t] + gamma * next - v[t];
                running = delta + gamma * lambda * running;
                a[t] = (float) running;
                ret[t] = (float) (running + v[t]);
            }
            advantages.add(a);
            returns.add(ret);
        }
        return new Estimate(advantages, returns);
    }

    /**
     * Whitening over every real token of the batch: {@code (x − mean) / sqrt(var + 1e-8)} with the unbiased
     * variance, as verl's {@code masked_whiten}. A batch of one token is only centred.
     */
    public static List<float[]> whiten(List<float[]> values) {
        double sum = 0;
        long count = 0;
        for (float[] sequence : values) {
            for (float x : sequence) {
                sum += x;
                count++;
            }
        }
        if (count == 0) {
            return values;
        }
        double mean = sum / count;
        double squares = 0;
        for (float[] sequence : values) {
            for (float x : sequence) {
                squares += (x - mean) * (x - mean);
            }
        }
        double variance = count > 1 ? squares / (count - 1) : 0;
        double scale = count > 1 ? 1 / Math.sqrt(variance + 1e-8) : 1;
        var out = new ArrayList<float[]>();
        for (float[] sequence : values) {
            float[] w = new float[sequence.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((sequence[i] - mean) * scale);
            }
            out.add(w);
        }
        return out;
    }

    /** How a group of samples of one prompt is turned into per-sample advantages. */
    public enum GroupBaseline {
        /** GRPO: {@code (r − mean) / (std + 1e-6)}, std unbiased; a group of one gets advantage {@code r}. */
        GRPO,
        /** Dr. GRPO: {@code r − mean}, no division by the standard deviation. */
        DR_GRPO,
        /** RLOO: {@code r − mean of the other samples} = {@code n/(n−1) (r − mean)}; a group of one gets 0. */
        RLOO
    }

    /**
     * Outcome-level advantages for samples grouped by prompt, broadcast to every response token.
     *
     * @param scores one scalar reward per sample
     * @param groups the prompt (group) id of each sample
     * @param lengths response length of each sample
     */
    public static List<float[]> grouped(double[] scores, List<String> groups, int[] lengths, GroupBaseline baseline) {
        if (scores.length != groups.size() || scores.length != lengths.length) {
            throw new IllegalArgumentException("scores, groups and lengths must have one entry per sample");
        }
        Map<String, List<Integer>> members = new HashMap<>();
        for (int i = 0; i < scores.length; i++) {
            members.computeIfAbsent(groups.get(i), g -> new ArrayList<>()).add(i);
        }
        double[] advantage = new double[scores.length];
        for (List<Integer> group : members.values()) {
            int n = group.size();
            double mean = 0;
            for (int i : group) {
                mean += scores[i];
            }
            mean /= n;
            double squares = 0;
            for (int i : group) {
                squares += (scores[i] - mean) * (scores[i] - mean);
            }
            double std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
            double first = scores[group.getFirst()];
            // samples that all scored alike carry no signal: exactly zero, not the rounding error of their mean
            boolean alike = n > 1 && group.stream().allMatch(i -> scores[i] == first);
            for (int i : group) {
                advantage[i] = alike ? 0 : switch (baseline) {
                    case GRPO -> n > 1 ? (scores[i] - mean) / (std + 1e-6) : scores[i];
                    case DR_GRPO -> n > 1 ? scores[i] - mean : scores[i];
                    case RLOO -> n > 1 ? (scores[i] - mean) * n / (n - 1) : 0;
                };
            }
        }
        var out = new ArrayList<float[]>();
        for (int i = 0; i < scores.length; i++) {
            float[] tokens = new float[lengths[i]];
            java.util.Arrays.fill(tokens, (float) advantage[i]);
            out.add(tokens);
        }
        return out;
    }

    /**
     * Per-decision advantages: sequence {@code b}'s token {@code tokens[b][k]} made a choice whose own effect on the
     * reward is {@code effects[b][k]} (the reward with the choice as made minus the reward with it gone the other way,
     * everything else alike); every other token gets 0. The effects are divided by their root mean square over the
     * batch's non-zero ones, so the step size does not follow the reward's scale, and keep their sign: a choice that
     * made no difference carries no signal, and no baseline is needed, since each effect is already a comparison.
     */
    public static List<float[]> perDecision(int[] lengths, List<int[]> tokens, List<double[]> effects) {
        if (tokens.size() != lengths.length || effects.size() != lengths.length) {
            throw new IllegalArgumentException("need decision tokens and effects per sequence");
        }
        double squares = 0;
        long nonZero = 0;
        for (double[] sequence : effects) {
            for (double effect : sequence) {
                if (effect != 0) {
                    squares += effect * effect;
                    nonZero++;
                }
            }
        }
        double scale = nonZero == 0 ? 0 : 1 / Math.sqrt(squares / nonZero);
        var out = new ArrayList<float[]>();
        for (int b = 0; b < lengths.length; b++) {
            float[] advantages = new float[lengths[b]];
            int[] at = tokens.get(b);
            double[] effect = effects.get(b);
            if (at.length != effect.length) {
                throw new IllegalArgumentException("sequence " + b + ": " + at.length + " decision tokens but "
                        + effect.length + " effects");
            }
            for (int k = 0; k < at.length; k++) {
                if (at[k] < 0 || at[k] >= lengths[b]) {
                    throw new IllegalArgumentException("sequence " + b + ": decision token " + at[k]
                            + " outside its " + lengths[b] + " tokens");
                }
                advantages[at[k]] = (float) (effect[k] * scale);
            }
            out.add(advantages);
        }
        return out;
    }

    /**
     * The paper's reward placement: the scalar score on the last response token, minus {@code β · KL_t} on every
     * token when the KL penalty goes into the reward.
     *
     * @param tokenKl per-token KL estimates against the reference policy (same lengths as the responses)
     */
    public static List<float[]> tokenRewards(double[] scores, List<float[]> tokenKl, double beta) {
        var out = new ArrayList<float[]>();
        for (int b = 0; b < scores.length; b++) {
            float[] kl = tokenKl.get(b);
            float[] r = new float[kl.length];
            for (int t = 0; t < r.length; t++) {
                r[t] = (float) (-beta * kl[t]);
            }
            if (r.length > 0) {
                r[r.length - 1] += (float) scores[b];
            }
            out.add(r);
        }
        return out;
    }
}
