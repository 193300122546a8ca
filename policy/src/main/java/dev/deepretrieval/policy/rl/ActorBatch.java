package dev.deepretrieval.policy.rl;

import java.util.List;

/**
 * One batch for the actor update, aligned per sample.
 *
 * @param referenceLogProbs reference-policy log-probs, for a KL loss term; null without one
 * @param oldValues values at rollout time, for a value head on the shared trunk; null otherwise
 * @param returns value targets for that head; null otherwise
 */
public record ActorBatch(
        List<int[]> prompts,
        List<int[]> responses,
        List<float[]> oldLogProbs,
        List<float[]> advantages,
        List<float[]> referenceLogProbs,
        List<float[]> oldValues,
        List<float[]> returns) {

    public ActorBatch {
        int n = prompts.size();
        if (responses.size() != n || oldLogProbs.size() != n || advantages.size() != n
                || (referenceLogProbs != null && referenceLogProbs.size() != n)
                || (oldValues != null && oldValues.size() != n) || (returns != null && returns.size() != n)) {
            throw new IllegalArgumentException("every per-sample list must have one entry per prompt");
        }
    }

    /** A batch with only what the clipped surrogate needs. */
    public static ActorBatch of(List<int[]> prompts, List<int[]> responses, List<float[]> oldLogProbs,
            List<float[]> advantages) {
        return new ActorBatch(prompts, responses, oldLogProbs, advantages, null, null, null);
    }

    public int size() {
        return prompts.size();
    }

    ActorBatch slice(int from, int to) {
        return new ActorBatch(prompts.subList(from, to), responses.subList(from, to), oldLogProbs.subList(from, to),
                advantages.subList(from, to), sub(referenceLogProbs, from, to), sub(oldValues, from, to),
                sub(returns, from, to));
    }

    private static <T> List<T> sub(List<T> list, int from, int to) {
        return list == null ? null : list.subList(from, to);
    }
}
