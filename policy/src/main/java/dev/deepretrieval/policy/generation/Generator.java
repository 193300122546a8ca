package dev.deepretrieval.policy.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecodeWeights;
import dev.deepretrieval.policy.model.DecoderLm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Batched generation. Prompts are left-padded and run once (prefill); then one token per sequence per step, each
 * step attending to the KV cache. Prompts that begin alike (a template's instructions before each query) prefill
 * that head once and attend it apart ({@link SharedPrefixes}, cascade attention), as the rewrite service does. {@link #generateWithoutCache} recomputes the whole sequence every step instead; it
 * exists to measure what the cache saves and to check that both agree.
 *
 * <p>All NDArrays of a call live in a manager under the model's, closed when the call returns.
 */
public final class Generator {

    /** The fewest tokens a batch's prompts must share for their head to be prefilled once and attended apart. */
    static final int MIN_SHARED_HEAD = 16;

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
        var rows = new ArrayList<SequenceDecoding>(batch);
        for (int b = 0; b < batch; b++) {
            rows.add(new SequenceDecoding(settings, constraint.get(b), b, detokenizer));
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            if (cached) {
                decodeCached(prompts, rows, listener);
            } else {
                decodeRecomputing(prompts, rows, listener);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return rows.stream().map(SequenceDecoding::result).toList();
    }

    /** With the KV cache: the batch's sequences leave it as they end, so the steps after cost only the live ones. */
    private void decodeCached(List<int[]> prompts, List<SequenceDecoding> rows, TokenListener listener) {
        int head = sharedHead(prompts);
        // the weights as they are now: a policy being trained changes them between calls
        try (DecodeBatch batch = new DecodeBatch(model, DecodeWeights.copyIfOnCpu(model.weights()), rows.size(),
                Long.MAX_VALUE);
                SharedPrefixes shared = head < MIN_SHARED_HEAD ? null : new SharedPrefixes(model, 1)) {
            if (shared != null) {
                shared.share(Arrays.copyOf(prompts.getFirst(), head));
            }
            var joining = new ArrayList<DecodeBatch.Row>();
            for (int b = 0; b < rows.size(); b++) {
                joining.add(new DecodeBatch.Row(rows.get(b), listener, b));
            }
            batch.join(prompts, joining, shared);
            while (batch.size() > 0) {
                batch.choose();
                batch.step();
            }
        }
    }

    /** The tokens every prompt begins with (short of the shortest prompt: each must prefill one of its own); 0 for one. */
    public static int sharedHead(List<int[]> prompts) {
        if (prompts.size() < 2) {
            return 0;
        }
        int[] first = prompts.getFirst();
        int head = first.length - 1;
        for (int[] prompt : prompts) {
            head = Math.min(head, prompt.length - 1);
            int mismatch = Arrays.mismatch(first, 0, head, prompt, 0, head);
            if (mismatch >= 0) {
                head = mismatch;
            }
        }
        return Math.max(head, 0);
    }

    /** Without the cache: every step recomputes every live sequence from its first token. */
    private void decodeRecomputing(List<int[]> prompts, List<SequenceDecoding> rows, TokenListener listener) {
        int batch = rows.size();
        int vocab = model.config().vocabSize();
        int padId = model.config().padTokenId().orElse(0);
        int[][] sequences = prompts.toArray(int[][]::new);
        try (NDManager call = model.weights().manager().newSubManager()) {
            float[] logits;
            try (NDManager step = call.newSubManager()) {
                logits = lastLogits(step, BatchLayout.leftPadded(step, sequences, padId, new int[batch][]));
            }
            while (true) {
                boolean allFinished = true;
                for (int b = 0; b < batch; b++) {
                    if (!rows.get(b).finished()) {
                        rows.get(b).next(logits, b * vocab, vocab, listener, b);
                    }
                    allFinished &= rows.get(b).finished();
                }
                if (allFinished) {
                    return;
                }
                try (NDManager step = call.newSubManager()) {
                    for (int b = 0; b < batch; b++) {
                        sequences[b] = continued(prompts.get(b), rows.get(b).generated());
                    }
                    logits = lastLogits(step, BatchLayout.leftPadded(step, sequences, padId, new int[batch][]));
                }
            }
        }
    }

    private static int[] continued(int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return all;
    }

    /** The logits of the last position of every sequence, copied to Java, {@code [batch * vocab]}. */
    private float[] lastLogits(NDManager step, BatchLayout.Inputs inputs) {
        NDArray hidden = model.hidden(step, inputs.ids(), inputs.positions(), inputs.attentionBias(), null);
        return model.logits(step, hidden.get(":, -1:, :")).toFloatArray();
    }
}
