package dev.deepretrieval.policy.rl;

import java.util.ArrayList;
import java.util.List;

/**
 * One batch for the actor update, aligned per sample.
 *
 * @param referenceLogProbs reference-policy log-probs, for a KL loss term; null without one
 * @param oldValues values at rollout time, for a value head on the shared trunk; null otherwise
 * @param returns value targets for that head; null otherwise
 * @param allowedTokens per sample, each response token's allowed tokens when the policy is constrained (its
 *     distribution renormalised over them); null when every token was chosen from the whole vocabulary
 */
public record ActorBatch(
        List<int[]> prompts,
        List<int[]> responses,
        List<float[]> oldLogProbs,
        List<float[]> advantages,
        List<float[]> referenceLogProbs,
        List<float[]> oldValues,
        List<float[]> returns,
        List<int[][]> allowedTokens) {

    public ActorBatch {
        int n = prompts.size();
        if (responses.size() != n || oldLogProbs.size() != n || advantages.size() != n
                || (referenceLogProbs != null && referenceLogProbs.size() != n)
                || (oldValues != null && oldValues.size() != n) || (returns != null && returns.size() != n)
                || (allowedTokens != null && allowedTokens.size() != n)) {
            throw new IllegalArgumentException("every per-sample list must have one entry per prompt");
        }
    }

    /** A batch with only what the clipped surrogate needs. */
    public static ActorBatch of(List<int[]> prompts, List<int[]> responses, List<float[]> oldLogProbs,
            List<float[]> advantages) {
        return new ActorBatch(prompts, responses, oldLogProbs, advantages, null, null, null, null);
    }

    public int size() {
        return prompts.size();
    }

    /** The samples with at least one non-zero advantage (the only ones the clipped surrogate alone learns from). */
    public ActorBatch withSignal() {
        var keep = new ArrayList<Integer>();
        for (int i = 0; i < size(); i++) {
            for (float a : advantages.get(i)) {
                if (a != 0) {
                    keep.add(i);
                    break;
                }
            }
        }
        if (keep.size() == size()) {
            return this;
        }
        return new ActorBatch(pick(prompts, keep), pick(responses, keep), pick(oldLogProbs, keep),
                pick(advantages, keep), pick(referenceLogProbs, keep), pick(oldValues, keep), pick(returns, keep),
                pick(allowedTokens, keep));
    }

    private static <T> List<T> pick(List<T> list, List<Integer> rows) {
        return list == null ? null : rows.stream().map(list::get).toList();
    }

    ActorBatch slice(int from, int to) {
        return new ActorBatch(prompts.subList(from, to), responses.subList(from, to), oldLogProbs.subList(from, to),
                advantages.subList(from, to), sub(referenceLogProbs, from, to), sub(oldValues, from, to),
                sub(returns, from, to), sub(allowedTokens, from, to));
    }

    private static <T> List<T> sub(List<T> list, int from, int to) {
        return list == null ? null : list.subList(from, to);
    }
}
