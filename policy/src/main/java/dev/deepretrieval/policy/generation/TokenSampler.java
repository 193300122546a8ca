package dev.deepretrieval.policy.generation;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntPredicate;

/** Picks one token from a row of logits, in Java, and reports its log-prob under the tempered distribution. */
final class TokenSampler {

    private final SamplingSettings settings;

    TokenSampler(SamplingSettings settings) {
        this.settings = settings;
    }

    /** A chosen token and its log-prob. */
    record Choice(int token, float logProb) {}

    /**
     * @param allowed the tokens that may be chosen (null: all); the log-prob stays the model's own, over all tokens
     */
    Choice choose(float[] logits, int offset, int vocab, SplittableRandom random, IntPredicate allowed) {
        return choose(logits, offset, vocab, random, allowed, Double.NaN);
    }

    /**
     * @param knownLogNormaliser log Σ exp(logits) of the row when known (computed with the logits, natively), else NaN: a
     *     greedy choice then needs no pass over the vocabulary beyond its argmax
     */
    Choice choose(float[] logits, int offset, int vocab, SplittableRandom random, IntPredicate allowed,
            double knownLogNormaliser) {
        if (settings.greedy() && !Double.isNaN(knownLogNormaliser)) {
            int token = argMax(logits, offset, vocab, null);
            if (allowed != null && !allowed.test(token)) {
                token = argMax(logits, offset, vocab, allowed);
            }
            return new Choice(token, (float) (logits[offset + token] - knownLogNormaliser));
        }
        double temperature = settings.effectiveTemperature();
        double max = Double.NEGATIVE_INFINITY;
        int argMax = 0;
        for (int i = 0; i < vocab; i++) {
            double scaled = logits[offset + i] / temperature;
            if (scaled > max) {
                max = scaled;
                argMax = i;
            }
        }
        // unnormalised probabilities exp(x - max), computed once for the normaliser and for sampling (a greedy
        // unconstrained choice needs only their sum: no array)
        boolean keep = !settings.greedy() || allowed != null;
        double[] weights = keep ? new double[vocab] : null;
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double weight = Math.exp(logits[offset + i] / temperature - max);
            if (keep) {
                weights[i] = weight;
            }
            sum += weight;
        }
        double logNormaliser = max + Math.log(sum);
        int token = settings.greedy() ? argMax : sample(weights, sum, random);
        if (allowed != null && !allowed.test(token)) {
            // a rejected draw redrawn among the allowed tokens: overall, the distribution renormalised over them
            token = constrained(logits, offset, vocab, temperature, weights, random, allowed);
        }
        return new Choice(token, (float) (logits[offset + token] / temperature - logNormaliser));
    }

    /** The first token of the highest logit among {@code allowed} (null: all). */
    private static int argMax(float[] logits, int offset, int vocab, IntPredicate allowed) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float logit = logits[offset + i];
            if ((best < 0 || logit > max) && (allowed == null || allowed.test(i))) {
                max = logit;
                best = i;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("the token constraint allows no token");
        }
        return best;
    }

    /**
     * A choice from the tempered distribution renormalised over {@code allowed} (a constraint that defines the
     * policy): the most likely allowed token after {@code bonus} when greedy, else a draw among them (top-k and top-p
     * do not apply); the log-prob is the renormalised one, without the bonus.
     */
    Choice chooseAmong(float[] logits, int offset, int[] allowed, SplittableRandom random, IntToDoubleFunction bonus) {
        if (allowed.length == 0) {
            throw new IllegalStateException("the token constraint allows no token");
        }
        double temperature = settings.effectiveTemperature();
        double max = Double.NEGATIVE_INFINITY;
        double bestScore = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int i = 0; i < allowed.length; i++) {
            double scaled = logits[offset + allowed[i]] / temperature;
            max = Math.max(max, scaled);
            double score = settings.greedy() ? scaled + bonus.applyAsDouble(allowed[i]) : scaled;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        double[] weights = new double[allowed.length];
        double sum = 0;
        for (int i = 0; i < allowed.length; i++) {
            weights[i] = Math.exp(logits[offset + allowed[i]] / temperature - max);
            sum += weights[i];
        }
        int chosen = settings.greedy() ? best : draw(weights, null, allowed.length, sum, random);
        return new Choice(allowed[chosen], (float) (logits[offset + allowed[chosen]] / temperature - max - Math.log(sum)));
    }

    /** The choice among allowed tokens only: the most likely one when greedy, else a draw renormalised over them. */
    private int constrained(float[] logits, int offset, int vocab, double temperature, double[] weights,
            SplittableRandom random, IntPredicate allowed) {
        double[] kept = new double[vocab];
        double sum = 0;
        int best = -1;
        for (int i = 0; i < vocab; i++) {
            if (allowed.test(i)) {
                kept[i] = weights[i];
                sum += weights[i];
                if (best < 0 || logits[offset + i] / temperature > logits[offset + best] / temperature) {
                    best = i;
                }
            }
        }
        if (best < 0) {
            throw new IllegalStateException("the token constraint allows no token");
        }
        if (settings.greedy() || !(sum > 0)) {
            return best;
        }
        return sample(kept, sum, random);
    }

    private int sample(double[] weights, double sum, SplittableRandom random) {
        int vocab = weights.length;
        boolean truncate = settings.topK() > 0 && settings.topK() < vocab || settings.topP() < 1;
        if (!truncate) {
            return draw(weights, null, vocab, sum, random);
        }
        double[] probabilities = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            probabilities[i] = weights[i] / sum;
        }
        // Order token ids by probability, highest first (ties: lower id first), then cut by top-k and top-p.
        long[] keyed = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            int bits = Float.floatToIntBits((float) probabilities[i]);
            keyed[i] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
        }
        Arrays.sort(keyed);
        int[] order = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = (int) keyed[i];
        }
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), vocab) : vocab;
        double mass = 0;
        int kept = 0;
        while (kept < keep) {
            mass += probabilities[order[kept]];
            kept++;
            if (mass >= settings.topP()) {
                break;
            }
        }
        return draw(probabilities, order, kept, mass, random);
    }

    /** Inverse-CDF draw among the first {@code count} tokens of {@code order} (all tokens when order is null). */
    private static int draw(double[] probabilities, int[] order, int count, double mass, SplittableRandom random) {
        double target = random.nextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            int token = order == null ? i : order[i];
            cumulative += probabilities[token];
            if (cumulative > target) {
                return token;
            }
        }
        return order == null ? count - 1 : order[count - 1];
    }
}
