package dev.deepretrieval.policy.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.ValueHead;
import java.util.Arrays;
import java.util.List;

/**
 * Scores responses given their prompts: the log-prob of each response token under {@code softmax(logits / T)}
 * (the distribution generation sampled from), the entropy of that distribution, and optionally the value. When the
 * responses were generated under a constraint that defines the policy, each token's allowed tokens are given and
 * the distribution is the softmax renormalised over them (log-probs and entropies alike).
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
        return score(scope, prompts, responses, temperature, valueHead, null);
    }

    /**
     * As {@link #score(NDManager, List, List, double, ValueHead)}; {@code allowedTokens}, when given, holds per
     * response its tokens' allowed sets (see {@link dev.deepretrieval.policy.generation.GeneratedSequence}).
     */
    public ResponseScores score(NDManager scope, List<int[]> prompts, List<int[]> responses, double temperature,
            ValueHead valueHead, List<int[][]> allowedTokens) {
        Selected selected = select(scope, prompts, responses, temperature, allowedTokens);
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
        Selected selected = select(scope, prompts, responses, 1.0, null);
        return new TokenLogProbs(selected.tokenLogProbs().mul(selected.mask()), selected.mask());
    }

    /** Per-response-token log-probs {@code [batch, longest response]} (zero on padding) and the 0/1 mask. */
    public record TokenLogProbs(NDArray logProbs, NDArray mask) {}

    private record Selected(NDArray hidden, NDArray logSoftmax, NDArray tokenLogProbs, NDArray mask) {}

    private Selected select(NDManager scope, List<int[]> prompts, List<int[]> responses, double temperature,
            List<int[][]> allowedTokens) {
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
        if (allowedTokens != null) {
            return renormalised(scope, selected, logits, responses, allowedTokens, rows, mask);
        }
        NDArray logSoftmax = logits.logSoftmax(-1);
        NDArray tokenLogProbs = logSoftmax.gather(scope.create(targets, new Shape(batch * (long) rows, 1)), 1)
                .reshape(batch, rows);
        return new Selected(selected, logSoftmax, tokenLogProbs, scope.create(mask, new Shape(batch, rows)));
    }

    /**
     * The logits of each row's allowed tokens only, the response token first, the rest masked out: the softmax over
     * them is the constrained policy's distribution.
     */
    private static Selected renormalised(NDManager scope, NDArray hidden, NDArray logits, List<int[]> responses,
            List<int[][]> allowedTokens, int rows, float[] mask) {
        int batch = responses.size();
        if (allowedTokens.size() != batch) {
            throw new IllegalArgumentException("need the allowed tokens of every response");
        }
        int width = 1;
        for (int b = 0; b < batch; b++) {
            int[][] allowed = allowedTokens.get(b);
            if (allowed == null || allowed.length != responses.get(b).length) {
                throw new IllegalArgumentException("response " + b + " needs one set of allowed tokens per token");
            }
            for (int[] set : allowed) {
                width = Math.max(width, set.length);
            }
        }
        // each row: the response token, then its other allowed tokens (distinct, as generation records them)
        long[] columns = new long[batch * rows * width];
        float[] bias = new float[batch * rows * width];
        Arrays.fill(bias, -1e9f);
        for (int b = 0; b < batch; b++) {
            int[] response = responses.get(b);
            for (int r = 0; r < rows; r++) {
                int at = (b * rows + r) * width;
                bias[at] = 0f;
                if (r >= response.length) {
                    continue; // padding: column 0 reads token 0, masked out of every sum by the response mask
                }
                columns[at] = response[r];
                int next = at + 1;
                for (int token : allowedTokens.get(b)[r]) {
                    if (token != response[r]) {
                        columns[next] = token;
                        bias[next++] = 0f;
                    }
                }
            }
        }
        Shape shape = new Shape(batch * (long) rows, width);
        NDArray logSoftmax = logits.gather(scope.create(columns, shape), 1).add(scope.create(bias, shape)).logSoftmax(-1);
        NDArray tokenLogProbs = logSoftmax.get(":, 0").reshape(batch, rows);
        return new Selected(hidden, logSoftmax, tokenLogProbs, scope.create(mask, new Shape(batch, rows)));
    }

    /** Scores without recording gradients and copies the results to Java: {@code [b][r]} per response token. */
    public ScoredTokens scoreNoGrad(List<int[]> prompts, List<int[]> responses, double temperature, ValueHead valueHead) {
        return scoreNoGrad(prompts, responses, temperature, valueHead, null);
    }

    /** As {@link #scoreNoGrad(List, List, double, ValueHead)}, over each token's allowed tokens when given. */
    public ScoredTokens scoreNoGrad(List<int[]> prompts, List<int[]> responses, double temperature, ValueHead valueHead,
            List<int[][]> allowedTokens) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = model.weights().manager().newSubManager()) {
            ResponseScores scores = score(scope, prompts, responses, temperature, valueHead, allowedTokens);
            return ScoredTokens.of(scores, responses);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
