package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy on the JVM of a decoder's weights as they are when it is taken, for decoding steps
 * ({@link DecoderLm#decodeStep}): projections as {@link PanelMatrix}es, the output head among them, norms, biases and
 * the embedding as arrays. About 1.4 times the model's float32 size (the head is held twice when tied: as embedding
 * rows and as panels).
 *
 * <p>A copy does not follow later changes to the weights: whoever decodes with it takes it when the weights are the
 * ones to decode with (a generation call, a decode loop over a policy whose weights never change).
 */
public final class DecodeWeights {

    /** One layer; a null bias is none. */
    record Layer(float[] inputNorm, PanelMatrix q, float[] qBias, PanelMatrix k, float[] kBias, PanelMatrix v,
            float[] vBias, PanelMatrix o, float[] oBias, float[] postAttentionNorm, PanelMatrix gate, PanelMatrix up,
            PanelMatrix down) {}

    private final ModelConfig config;
    private final float[] embedding; // [vocab, hidden]
    private final List<Layer> layers;
    private final float[] finalNorm;
    private final PanelMatrix head; // [hidden, vocab]
    private final float[] inverseFrequencies;

    private DecodeWeights(ModelConfig config, float[] embedding, List<Layer> layers, float[] finalNorm,
            PanelMatrix head) {
        this.config = config;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.head = head;
        this.inverseFrequencies = config.inverseFrequenciesAsFloats();
    }

    /**
     * A copy of {@code weights} as they are now when they live on the CPU; null on an accelerator, whose native
     * kernels decode faster than the JVM.
     */
    public static DecodeWeights copyIfOnCpu(DecoderWeights weights) {
        return weights.manager().getDevice().isGpu() ? null : copyOf(weights);
    }

    /** The weights of {@code weights} as they are now. */
    public static DecodeWeights copyOf(DecoderWeights weights) {
        ModelConfig config = weights.config();
        int hidden = config.hiddenSize();
        int queries = config.queryDim();
        int keyValues = config.keyValueDim();
        int intermediate = config.intermediateSize();
        var layers = new ArrayList<Layer>();
        for (LayerWeights w : weights.layers()) {
            layers.add(new Layer(values(w.inputNorm()),
                    matrix(w.q(), hidden, queries), values(w.qBias()),
                    matrix(w.k(), hidden, keyValues), values(w.kBias()),
                    matrix(w.v(), hidden, keyValues), values(w.vBias()),
                    matrix(w.o(), queries, hidden), values(w.oBias()),
                    values(w.postAttentionNorm()),
                    matrix(w.gate(), hidden, intermediate), matrix(w.up(), hidden, intermediate),
                    matrix(w.down(), intermediate, hidden)));
        }
        float[] embedding = values(weights.embedding());
        float[] headRows = config.tieWordEmbeddings() ? embedding : values(weights.outputHead());
        return new DecodeWeights(config, embedding, layers, values(weights.finalNorm()),
                PanelMatrix.transposedOf(headRows, config.vocabSize(), hidden));
    }

    private static float[] values(NDArray array) {
        return array == null ? null : array.toFloatArray();
    }

    private static PanelMatrix matrix(NDArray array, int in, int out) {
        return PanelMatrix.of(array.toFloatArray(), in, out);
    }

    List<Layer> layers() {
        return layers;
    }

    float[] finalNorm() {
        return finalNorm;
    }

    PanelMatrix head() {
        return head;
    }

    /** Floats of scratch {@link PanelMatrix#multiply} needs for {@code rows} rows through any layer's projections. */
    int scratchSize(int rows) {
        int most = 0;
        for (Layer w : layers) {
            for (PanelMatrix m : List.of(w.q(), w.k(), w.v(), w.o(), w.gate(), w.up(), w.down())) {
                most = Math.max(most, m.scratchSize(rows));
            }
        }
        return most;
    }

    float[] inverseFrequencies() {
        return inverseFrequencies;
    }

    /** Copies token {@code id}'s embedding into {@code out} at {@code at}. */
    void embed(int id, float[] out, int at) {
        int hidden = config.hiddenSize();
        if (id < 0 || id >= config.vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + config.vocabSize());
        }
        System.arraycopy(embedding, id * hidden, out, at, hidden);
    }
}
