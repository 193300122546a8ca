package dev.deepretrieval.policy.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Batched generation. Prompts are left-padded and run once (prefill); then one token per sequence per step, each
 * step attending to the KV cache. {@link #generateWithoutCache} recomputes the whole sequence every step instead; it
 * exists to measure what the cache saves and to check that both agree.
 *
 * <p>All NDArrays of a call live in a manager under the model's, closed when the call returns.
 */
public final class Generator {

    private final DecoderLm model;
    private final Function<int[], String> detokenizer;

    /**
     * @param detokenizer decodes generated ids, for stop strings
     */
    public Generator(DecoderLm model, Function<int[], String> detokenizer) {
        this.model = model;
        this.detokenizer = detokenizer;
    }

    public List<GeneratedSequence> generate(List<int[]> prompts, SamplingSettings settings) {
        return run(prompts, settings, true, TokenListener.NONE, unconstrained(prompts));
    }

    /**
     * As {@link #generate}, telling {@code listener} every token as it is chosen; a sequence the listener cancels
     * stops there ({@link StopReason#CANCELLED}).
     */
    public List<GeneratedSequence> generate(List<int[]> prompts, SamplingSettings settings, TokenListener listener) {
        return run(prompts, settings, true, listener, unconstrained(prompts));
    }

    /** As {@link #generate(List, SamplingSettings, TokenListener)}, choosing only tokens {@code constraint} allows. */
    public List<GeneratedSequence> generate(List<int[]> prompts, SamplingSettings settings, TokenListener listener,
            TokenConstraint constraint) {
        return run(prompts, settings, true, listener, Collections.nCopies(prompts.size(), constraint));
    }

    /** As {@link #generate(List, SamplingSettings, TokenListener)}, each prompt under its own constraint. */
    public List<GeneratedSequence> generate(List<int[]> prompts, SamplingSettings settings, TokenListener listener,
            List<? extends TokenConstraint> constraints) {
        if (constraints.size() != prompts.size()) {
            throw new IllegalArgumentException(constraints.size() + " constraints for " + prompts.size() + " prompts");
        }
        return run(prompts, settings, true, listener, constraints);
    }

    /** The same as {@link #generate}, recomputing every position at every step (no KV cache). */
    public List<GeneratedSequence> generateWithoutCache(List<int[]> prompts, SamplingSettings settings) {
        return run(prompts, settings, false, TokenListener.NONE, unconstrained(prompts));
    }

    private static List<TokenConstraint> unconstrained(List<int[]> prompts) {
        return Collections.nCopies(prompts.size(), TokenConstraint.NONE);
    }

    private List<GeneratedSequence> run(List<int[]> prompts, SamplingSettings settings, boolean cached,
            TokenListener listener, List<? extends TokenConstraint> constraint) {
        int batch = prompts.size();
        if (batch == 0) {
            return List.of();
        }
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("every prompt needs at least one token (e.g. BOS)");
            }
        }
        int vocab = model.config().vocabSize();
        SequenceDecoding[] rows = new SequenceDecoding[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = new SequenceDecoding(settings, constraint.get(b), b, detokenizer);
        }
        int padId = model.config().padTokenId().orElse(0);
        int[][] sequences = prompts.toArray(int[][]::new);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager call = model.weights().manager().newSubManager();
                KvCache cache = cached ? new KvCache(call, model.config().numLayers()) : null) {
            int[][] keyMask = new int[batch][];
            float[] logits;
            try (NDManager step = call.newSubManager()) {
                BatchLayout.Inputs inputs = BatchLayout.leftPadded(step, sequences, padId, keyMask);
                logits = lastLogits(step, inputs, cache);
            }
            for (int t = 0; t < settings.maxNewTokens(); t++) {
                int[] next = new int[batch];
                boolean allFinished = true;
                for (int b = 0; b < batch; b++) {
                    int token = rows[b].finished() ? -1 : rows[b].next(logits, b * vocab, vocab, listener, b);
                    next[b] = token < 0 ? padId : token;
                    allFinished &= rows[b].finished();
                }
                if (allFinished || t == settings.maxNewTokens() - 1) {
                    break;
                }
                try (NDManager step = call.newSubManager()) {
                    if (cached) {
                        keyMask = extend(keyMask);
                        long[] ids = new long[batch];
                        long[] positions = new long[batch];
                        for (int b = 0; b < batch; b++) {
                            ids[b] = next[b];
                            positions[b] = Arrays.stream(keyMask[b]).sum() - 1L;
                        }
                        var inputs = new BatchLayout.Inputs(step.create(ids, new Shape(batch, 1)),
                                step.create(positions, new Shape(batch, 1)), BatchLayout.stepBias(step, keyMask));
                        logits = lastLogits(step, inputs, cache);
                    } else {
                        for (int b = 0; b < batch; b++) {
                            sequences[b] = continued(prompts.get(b), rows[b].generated());
                        }
                        logits = lastLogits(step, BatchLayout.leftPadded(step, sequences, padId, new int[batch][]), null);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        var results = new ArrayList<GeneratedSequence>(batch);
        for (SequenceDecoding row : rows) {
            results.add(row.result());
        }
        return results;
    }

    private static int[] continued(int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return all;
    }

    /** The logits of the last position of every sequence, copied to Java, {@code [batch * vocab]}. */
    private float[] lastLogits(NDManager step, BatchLayout.Inputs inputs, KvCache cache) {
        NDArray hidden = model.hidden(step, inputs.ids(), inputs.positions(), inputs.attentionBias(), cache);
        NDArray last = hidden.get(":, -1:, :");
        return model.logits(step, last).toFloatArray();
    }

    /** Appends the new token's key to every sequence (finished ones too: their outputs are no longer read). */
    private static int[][] extend(int[][] keyMask) {
        int[][] out = new int[keyMask.length][];
        for (int b = 0; b < keyMask.length; b++) {
            out[b] = Arrays.copyOf(keyMask[b], keyMask[b].length + 1);
            out[b][keyMask[b].length] = 1;
        }
        return out;
    }
}
