package dev.deepretrieval.policy.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One sequence's decoding, whatever batch it runs in: its seeded sampler, its constraint, the tokens chosen so far
 * (with log-probs and, under a constraint that defines the policy, the tokens each was chosen among) and why it
 * stopped. The random stream depends only on the settings' seed and the sequence's index in its request, so a
 * sequence samples the same tokens from the same logits whatever else runs beside it.
 */
final class SequenceDecoding {

    private final SamplingSettings settings;
    private final TokenSampler sampler;
    private final SplittableRandom random;
    private final TokenConstraint constraint;
    private final TokenConstraint.Sequence limit; // null when unconstrained
    private final Function<int[], String> detokenizer;
    private final List<Integer> tokens = new ArrayList<>();
    private final List<Float> logProbs = new ArrayList<>();
    private final List<int[]> allowed = new ArrayList<>();
    private StopReason reason = StopReason.MAX_TOKENS;
    private boolean finished;

    /** @param index the sequence's index in its request's batch (seeds its random stream) */
    SequenceDecoding(SamplingSettings settings, TokenConstraint constraint, int index,
            Function<int[], String> detokenizer) {
        this.settings = settings;
        this.sampler = new TokenSampler(settings);
        this.random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + index);
        this.constraint = constraint;
        this.limit = constraint == TokenConstraint.NONE ? null : constraint.start();
        this.detokenizer = detokenizer;
    }

    boolean finished() {
        return finished;
    }

    int maxNewTokens() {
        return settings.maxNewTokens();
    }

    /** Tokens chosen so far. */
    int length() {
        return tokens.size();
    }

    /**
     * Chooses the next token from {@code logits[offset, offset + vocab)} and tells {@code listener}; or, when the
     * listener cancels the sequence first, ends it ({@link StopReason#CANCELLED}).
     *
     * @return the token chosen, or -1 when the sequence ended without one
     */
    int next(float[] logits, int offset, int vocab, TokenListener listener, int index) {
        return next(logits, offset, vocab, listener, index, Double.NaN);
    }

    /** As {@link #next(float[], int, int, TokenListener, int)}, with the row's log Σ exp(logits) if known (else NaN). */
    int next(float[] logits, int offset, int vocab, TokenListener listener, int index, double logNormaliser) {
        if (listener.cancelled(index)) {
            finished = true;
            reason = StopReason.CANCELLED;
            return -1;
        }
        int remaining = settings.maxNewTokens() - tokens.size();
        int[] among = null;
        TokenSampler.Choice choice;
        if (limit != null && constraint.definesPolicy()) {
            among = limit.allowedTokens(vocab, remaining);
            choice = sampler.chooseAmong(logits, offset, among, random, limit::greedyBonus);
        } else {
            choice = sampler.choose(logits, offset, vocab, random,
                    limit == null ? null : token -> limit.allows(token, remaining), logNormaliser);
        }
        if (limit != null) {
            limit.accept(choice.token());
        }
        tokens.add(choice.token());
        logProbs.add(choice.logProb());
        if (among != null) {
            allowed.add(among);
        }
        if (settings.stopTokenIds().contains(choice.token())) {
            finished = true;
            reason = StopReason.STOP_TOKEN;
        } else if (!settings.stopStrings().isEmpty()
                && settings.stopStrings().stream().anyMatch(detokenizer.apply(generated())::contains)) {
            finished = true;
            reason = StopReason.STOP_STRING;
        } else if (tokens.size() >= settings.maxNewTokens()) {
            finished = true;
        }
        listener.onToken(index, choice.token());
        return choice.token();
    }

    int[] generated() {
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    GeneratedSequence result() {
        float[] values = new float[logProbs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = logProbs.get(i);
        }
        return new GeneratedSequence(generated(), values, reason, allowed.isEmpty() ? null : allowed.toArray(int[][]::new));
    }
}
