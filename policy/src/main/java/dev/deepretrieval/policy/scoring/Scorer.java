package dev.deepretrieval.policy.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.ValueHead;
import java.util.List;

/**
 * Scores responses given their prompts: the log-prob of each response token under {@code softmax(logits / T)}
 * (the distribution generation sampled from), the entropy of that distribution, and optionally the value.
 *
 * <p>Sequences are right-padded; token {@code r} of a response with a prompt of length {@code P} is predicted at
 * position {@code P + r - 1}, where values are read too (as verl aligns critic values).
 */
public final class Scorer {

    private final DecoderLm model;

    public Scorer(DecoderLm model) {
        this.model = model;
    }

    /**
     * Scores with gradients recorded (when the parameters require them): the learner's forward pass. The arrays
     * live in {@code scope}.
     */
    public ResponseScores score(NDManager scope, List<int[]> prompts, List<int[]> responses, double temperature,
            ValueHead valueHead) {
        Selected selected = select(scope, prompts, responses, temperature);
        int batch = prompts.size();
        long rows = selected.mask().getShape().get(1);
        NDArray logSoftmax = selected.logSoftmax();
        NDArray entropies = logSoftmax.exp().mul(logSoftmax).sum(new int[] {-1}).neg().reshape(batch, rows);
        NDArray values = valueHead == null ? null : valueHead.values(scope, selected.hidden()).reshape(batch, rows);
        NDArray mask = selected.mask();
        return new ResponseScores(selected.tokenLogProbs().mul(mask), entropies.mul(mask),
                values == null ? null : values.mul(mask), mask);
    }

    /**
     * Log-probs of the response tokens at temperature 1, {@code [batch, longest response]}, zero on padding, and the
     * mask; no entropies or values (the supervised trainer's cheaper forward pass).
     */
    public TokenLogProbs responseLogProbs(NDManager scope, List<int[]> prompts, List<int[]> responses) {
        Selected selected = select(scope, prompts, responses, 1.0);
        return new TokenLogProbs(selected.tokenLogProbs().mul(selected.mask()), selected.mask());
    }

    /** Per-response-token log-probs {@code [batch, longest response]} (zero on padding) and the 0/1 mask. */
    public record TokenLogProbs(NDArray logProbs, NDArray mask) {}

    private record Selected(NDArray hidden, NDArray logSoftmax, NDArray tokenLogProbs, NDArray mask) {}

    private Selected select(NDManager scope, List<int[]> prompts, List<int[]> responses, double temperature) {
        if (prompts.size() != responses.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many responses as prompts, and at least one");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        int batch = prompts.size();
        int[][] sequences = new int[batch][];
        int longest = 0;
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            int[] response = responses.get(b);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty (it needs at least BOS)");
            }
            sequences[b] = new int[prompt.length + response.length];
            System.arraycopy(prompt, 0, sequences[b], 0, prompt.length);
            System.arraycopy(response, 0, sequences[b], prompt.length, response.length);
            longest = Math.max(longest, response.length);
        }
        int width = 0;
        for (int[] s : sequences) {
            width = Math.max(width, s.length);
        }
        int rows = Math.max(longest, 1);
        long[] rowIndex = new long[batch * rows];
        long[] targets = new long[batch * rows];
        float[] mask = new float[batch * rows];
        for (int b = 0; b < batch; b++) {
            int promptLength = prompts.get(b).length;
            int[] response = responses.get(b);
            for (int r = 0; r < rows; r++) {
                boolean real = r < response.length;
                rowIndex[b * rows + r] = (long) b * width + (real ? promptLength + r - 1 : 0);
                targets[b * rows + r] = real ? response[r] : 0;
                mask[b * rows + r] = real ? 1f : 0f;
            }
        }
        int padId = model.config().padTokenId().orElse(0);
        BatchLayout.Inputs inputs = BatchLayout.rightPadded(scope, sequences, padId);
        NDArray hidden = model.hidden(scope, inputs.ids(), inputs.positions(), inputs.attentionBias(), null);
        NDArray flatHidden = hidden.reshape(-1, model.config().hiddenSize());
        NDArray selected = flatHidden.get(scope.create(rowIndex));
        NDArray logits = model.logits(scope, selected);
        if (temperature != 1.0) {
            logits = logits.div((float) temperature);
        }
        NDArray logSoftmax = logits.logSoftmax(-1);
        NDArray tokenLogProbs = logSoftmax.gather(scope.create(targets, new Shape(batch * (long) rows, 1)), 1)
                .reshape(batch, rows);
        return new Selected(selected, logSoftmax, tokenLogProbs, scope.create(mask, new Shape(batch, rows)));
    }

    /** Scores without recording gradients and copies the results to Java: {@code [b][r]} per response token. */
    public ScoredTokens scoreNoGrad(List<int[]> prompts, List<int[]> responses, double temperature, ValueHead valueHead) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = model.weights().manager().newSubManager()) {
            ResponseScores scores = score(scope, prompts, responses, temperature, valueHead);
            return ScoredTokens.of(scores, responses);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
