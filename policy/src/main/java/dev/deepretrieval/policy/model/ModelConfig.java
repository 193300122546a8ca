package dev.deepretrieval.policy.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape of a Llama-family decoder (Llama 2/3, Qwen2/2.5): what a Hugging Face {@code config.json} or a
 * llama2.c header says.
 *
 * @param architecture {@code LlamaForCausalLM} or {@code Qwen2ForCausalLM}
 * @param attentionBias whether q/k/v projections carry biases (Qwen2: always; Llama: {@code attention_bias})
 * @param outputBias whether the attention output projection carries a bias (Llama with {@code attention_bias})
 * @param eosTokenIds the ids that end generation
 */
public record ModelConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        Optional<RopeScaling> ropeScaling,
        int maxPositions,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean outputBias,
        Optional<Integer> bosTokenId,
        List<Integer> eosTokenIds,
        Optional<Integer> padTokenId) {

    public static final String LLAMA = "LlamaForCausalLM";
    public static final String QWEN2 = "Qwen2ForCausalLM";

    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        eosTokenIds = List.copyOf(eosTokenIds);
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numLayers);
        requirePositive("num_attention_heads", numHeads);
        requirePositive("num_key_value_heads", numKeyValueHeads);
        requirePositive("head_dim", headDim);
        requirePositive("max_position_embeddings", maxPositions);
        if (numHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be positive");
        }
    }

    private static void requirePositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }

    /** Width of the key/value projections. */
    public int keyValueDim() {
        return numKeyValueHeads * headDim;
    }

    /** Width of the query projection. */
    public int queryDim() {
        return numHeads * headDim;
    }

    /** The rotary inverse frequencies of one head (length headDim / 2), with any scaling applied. */
    public double[] inverseFrequencies() {
        double[] frequencies = new double[headDim / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim);
        }
        return ropeScaling.map(s -> s.apply(frequencies)).orElse(frequencies);
    }

    /** {@link #inverseFrequencies()} in float32, as the forward pass uses them. */
    public float[] inverseFrequenciesAsFloats() {
        double[] frequencies = inverseFrequencies();
        float[] floats = new float[frequencies.length];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) frequencies[i];
        }
        return floats;
    }

    /** Number of parameters of the language model (without a value head). */
    public long parameterCount() {
        long perLayer = 2L * hiddenSize
                + (long) hiddenSize * queryDim() + 2L * hiddenSize * keyValueDim() + (long) queryDim() * hiddenSize
                + 3L * hiddenSize * intermediateSize
                + (attentionBias ? queryDim() + 2L * keyValueDim() : 0) + (outputBias ? hiddenSize : 0);
        long embeddings = (long) vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2);
        return embeddings + numLayers * perLayer + hiddenSize;
    }
}
