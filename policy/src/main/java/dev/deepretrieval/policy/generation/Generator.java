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
import java.util.SplittableRandom;
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
        var sampler = new TokenSampler(settings);
        var state = new State(batch, settings);
        SplittableRandom[] randoms = new SplittableRandom[batch];
        TokenConstraint.Sequence[] constraints = new TokenConstraint.Sequence[batch];
        for (int b = 0; b < batch; b++) {
            constraints[b] = constraint.get(b) == TokenConstraint.NONE ? null : constraint.get(b).start();
            randoms[b] = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + b);
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
                for (int b = 0; b < batch; b++) {
                    if (state.finished[b]) {
                        next[b] = padId;
                        continue;
                    }
                    if (listener.cancelled(b)) {
                        next[b] = padId;
                        state.cancel(b);
                        continue;
                    }
                    TokenConstraint.Sequence limit = constraints[b];
                    int remaining = settings.maxNewTokens() - t;
                    int[] allowed = null;
                    TokenSampler.Choice choice;
                    if (limit != null && constraint.get(b).definesPolicy()) {
                        allowed = limit.allowedTokens(vocab, remaining);
                        choice = sampler.chooseAmong(logits, b * vocab, allowed, randoms[b]);
                    } else {
                        choice = sampler.choose(logits, b * vocab, vocab, randoms[b],
                                limit == null ? null : token -> limit.allows(token, remaining));
                    }
                    if (limit != null) {
                        limit.accept(choice.token());
                    }
                    next[b] = choice.token();
                    state.accept(b, choice, allowed, detokenizer);
                    listener.onToken(b, choice.token());
                }
                if (state.allFinished() || t == settings.maxNewTokens() - 1) {
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
                            sequences[b] = state.continued(b, prompts.get(b));
                        }
                        logits = lastLogits(step, BatchLayout.leftPadded(step, sequences, padId, new int[batch][]), null);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return state.results();
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

    /** Per-sequence progress of one call. */
    private static final class State {
        final boolean[] finished;
        final List<List<Integer>> tokens = new ArrayList<>();
        final List<List<Float>> logProbs = new ArrayList<>();
        final List<List<int[]>> allowed = new ArrayList<>();
        final StopReason[] reasons;
        final SamplingSettings settings;

        State(int batch, SamplingSettings settings) {
            this.settings = settings;
            finished = new boolean[batch];
            reasons = new StopReason[batch];
            for (int b = 0; b < batch; b++) {
                tokens.add(new ArrayList<>());
                logProbs.add(new ArrayList<>());
                allowed.add(new ArrayList<>());
                reasons[b] = StopReason.MAX_TOKENS;
            }
        }

        void accept(int b, TokenSampler.Choice choice, int[] among, Function<int[], String> detokenizer) {
            tokens.get(b).add(choice.token());
            logProbs.get(b).add(choice.logProb());
            if (among != null) {
                allowed.get(b).add(among);
            }
            if (settings.stopTokenIds().contains(choice.token())) {
                finished[b] = true;
                reasons[b] = StopReason.STOP_TOKEN;
            } else if (!settings.stopStrings().isEmpty()) {
                String text = detokenizer.apply(generated(b));
                if (settings.stopStrings().stream().anyMatch(text::contains)) {
                    finished[b] = true;
                    reasons[b] = StopReason.STOP_STRING;
                }
            }
        }

        void cancel(int b) {
            finished[b] = true;
            reasons[b] = StopReason.CANCELLED;
        }

        int[] generated(int b) {
            return tokens.get(b).stream().mapToInt(Integer::intValue).toArray();
        }

        int[] continued(int b, int[] prompt) {
            int[] g = generated(b);
            int[] all = Arrays.copyOf(prompt, prompt.length + g.length);
            System.arraycopy(g, 0, all, prompt.length, g.length);
            return all;
        }

        boolean allFinished() {
            for (boolean f : finished) {
                if (!f) {
                    return false;
                }
            }
            return true;
        }

        List<GeneratedSequence> results() {
            var out = new ArrayList<GeneratedSequence>();
            for (int b = 0; b < finished.length; b++) {
                List<Float> lp = logProbs.get(b);
                float[] values = new float[lp.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = lp.get(i);
                }
                List<int[]> among = allowed.get(b);
                out.add(new GeneratedSequence(generated(b), values, reasons[b],
                        among.isEmpty() ? null : among.toArray(int[][]::new)));
            }
            return out;
        }
    }
}
