package dev.deepretrieval.policy;

import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.generation.ContinuousBatcher;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.scoring.Scorer;
import dev.deepretrieval.policy.tokenizer.TextTokenizer;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A loaded policy: the decoder's weights on a device, its tokenizer, and what generation needs to know (whether
 * prompts start with BOS, which tokens end a turn). Owns a base NDManager; closing the policy frees all of it.
 */
public final class Policy implements AutoCloseable {

    private final NDManager manager;
    private final DecoderWeights weights;
    private final DecoderLm model;
    private final Optional<TextTokenizer> tokenizer;
    private final boolean addBos;
    private final Set<Integer> stopTokenIds;
    private ContinuousBatcher batcher; // started by the first request for it; closed with the policy

    Policy(NDManager manager, DecoderWeights weights, Optional<TextTokenizer> tokenizer, boolean addBos,
            Set<Integer> extraStopIds) {
        this.manager = manager;
        this.weights = weights;
        this.model = new DecoderLm(weights);
        this.tokenizer = tokenizer;
        this.addBos = addBos;
        var stops = new LinkedHashSet<>(weights.config().eosTokenIds());
        stops.addAll(extraStopIds);
        this.stopTokenIds = Set.copyOf(stops);
    }

    public ModelConfig config() {
        return weights.config();
    }

    public DecoderLm model() {
        return model;
    }

    public DecoderWeights weights() {
        return weights;
    }

    /** The tokenizer; absent for a checkpoint loaded without one (ids only). */
    public TextTokenizer tokenizer() {
        return tokenizer.orElseThrow(() -> new IllegalStateException("this policy was loaded without a tokenizer"));
    }

    /** How prompt text becomes this model's input ids (a view of its tokenizer; closing the policy closes it). */
    public PromptEncoder promptEncoder() {
        return new PromptEncoder(tokenizer(), addBos ? OptionalInt.of(config().bosTokenId().orElseThrow())
                : OptionalInt.empty(), config().maxPositions());
    }

    /** Token ids of a prompt, with BOS first when the model expects it; an empty prompt is just BOS. */
    public int[] promptTokens(String prompt) {
        return promptEncoder().encode(prompt);
    }

    /** Ids that end generation: the config's EOS ids plus the tokenizer's end-of-turn token. */
    public Set<Integer> stopTokenIds() {
        return stopTokenIds;
    }

    /**
     * This policy's shared decode loop (continuous batching), started with {@code limits} on first use; later calls
     * return the same loop whatever their limits. Closing the policy stops it.
     */
    public synchronized ContinuousBatcher batcher(ContinuousBatcher.Limits limits) {
        if (batcher == null) {
            batcher = new ContinuousBatcher(model, ids -> tokenizer.map(t -> t.decode(ids)).orElse(""), limits,
                    "decode-loop-" + config().hiddenSize() + "-" + Integer.toHexString(System.identityHashCode(this)));
        }
        return batcher;
    }

    public Generator generator() {
        return new Generator(model, ids -> tokenizer.map(t -> t.decode(ids)).orElse(""));
    }

    public Scorer scorer() {
        return new Scorer(model);
    }

    /** A fresh, zero-initialised value head on this policy's device. */
    public ValueHead newValueHead() {
        return ValueHead.zeros(manager, config().hiddenSize());
    }

    /** The base manager everything of this policy lives under. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (batcher != null) {
                batcher.close(); // its loop stops before the weights it reads are freed
            }
        }
        tokenizer.ifPresent(TextTokenizer::close);
        manager.close();
    }
}
