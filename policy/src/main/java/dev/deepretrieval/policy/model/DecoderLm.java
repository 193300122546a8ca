package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The forward pass of a Llama-family decoder on NDArrays.
 *
 * <p>Inputs use left or right padding freely: {@code positions} give each token's position within its own sequence
 * and {@code attentionBias} ({@code [batch, 1, queries, keys]}, 0 or {@link #MASKED}) says which keys each query may
 * see. Every result and intermediate lives in {@code scope}.
 */
public final class DecoderLm {

    /** Additive bias of a masked key: large enough to vanish in softmax, finite so fully masked rows stay finite. */
    public static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final DecoderWeights weights;
    private final NDArray inverseFrequencies;
    private final NDArray rotateHalf;

    public DecoderLm(DecoderWeights weights) {
        this.config = weights.config();
        this.weights = weights;
        this.inverseFrequencies = weights.manager().create(config.inverseFrequenciesAsFloats());
        this.rotateHalf = weights.manager().create(rotateHalfMatrix(config.headDim()), new Shape(config.headDim(), config.headDim()));
    }

    /** R with {@code x · R = concat(-x[half:], x[:half])}: Hugging Face's rotate_half as one matmul. */
    private static float[] rotateHalfMatrix(int headDim) {
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1f;
            r[j * headDim + j + half] = 1f;
        }
        return r;
    }

    public ModelConfig config() {
        return config;
    }

    public DecoderWeights weights() {
        return weights;
    }

    /**
     * Final hidden states (after the last RMSNorm), {@code [batch, tokens, hidden]}.
     *
     * @param ids token ids {@code [batch, tokens]}, int64
     * @param positions position ids {@code [batch, tokens]}, int64
     * @param attentionBias {@code [batch, 1, tokens, cached + tokens]}, float32
     * @param cache the KV cache to read and extend, or null to attend only within {@code ids}
     */
    public NDArray hidden(NDManager scope, NDArray ids, NDArray positions, NDArray attentionBias, KvCache cache) {
        return hidden(scope, ids, positions, attentionBias, cache, null);
    }

    /**
     * As {@link #hidden(NDManager, NDArray, NDArray, NDArray, KvCache)}, one token per sequence, each also attending
     * to a prefix held apart from {@code cache} ({@link CascadePrefix}; null: none).
     */
    public NDArray hidden(NDManager scope, NDArray ids, NDArray positions, NDArray attentionBias, KvCache cache,
            CascadePrefix cascade) {
        long batch = ids.getShape().get(0);
        long tokens = ids.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();

        NDArray x = Scopes.into(scope, weights.embedding().get(ids));
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(inverseFrequencies);
        NDArray doubled = angles.concat(angles, -1);
        NDArray cos = doubled.cos().expandDims(1);
        NDArray sin = doubled.sin().expandDims(1);

        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            NDArray h = rmsNorm(x, w.inputNorm());
            NDArray q = linear(scope, h, w.q(), w.qBias()).reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
            NDArray k = linear(scope, h, w.k(), w.kBias()).reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
            NDArray v = linear(scope, h, w.v(), w.vBias()).reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
            q = rotate(q, cos, sin);
            k = rotate(k, cos, sin);
            NDArray attended = attend(scope, l, q, k, v, attentionBias, cache, cascade)
                    .transpose(0, 2, 1, 3).reshape(batch, tokens, (long) heads * headDim);
            x = x.add(linear(scope, attended, w.o(), w.oBias()));
            NDArray m = rmsNorm(x, w.postAttentionNorm());
            NDArray gate = linear(scope, m, w.gate(), null);
            NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(linear(scope, m, w.up(), null));
            x = x.add(linear(scope, activated, w.down(), null));
        }
        return rmsNorm(x, weights.finalNorm());
    }

    /**
     * Layer {@code layer}'s attention, {@code [batch, heads, tokens, headDim]}, of rotated queries and keys
     * {@code [batch, heads or kvHeads, tokens, headDim]}: the keys and values join {@code cache} (when given) and every
     * query attends to what {@code attentionBias} lets it see, and to {@code cascade}'s prefix (when given).
     */
    private NDArray attend(NDManager scope, int layer, NDArray q, NDArray k, NDArray v, NDArray attentionBias,
            KvCache cache, CascadePrefix cascade) {
        int repeats = config.numHeads() / config.numKeyValueHeads();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        if (cache != null) {
            NDArray[] full = cache.append(scope, layer, k, v);
            k = full[0];
            v = full[1];
        }
        if (repeats > 1) {
            k = Scopes.into(scope, k.repeat(1, repeats));
            v = Scopes.into(scope, v.repeat(1, repeats));
        }
        NDArray scores = q.matMul(Scopes.into(scope, k.transpose(0, 1, 3, 2))).mul(scale).add(attentionBias);
        return cascade == null ? scores.softmax(-1).matMul(v)
                : cascaded(scope, q, scores, v, cascade, layer, repeats, scale);
    }

    /**
     * Next-token logits of one token per sequence, {@code [rows * vocab]} (and each row's log Σ exp of them into
     * {@code logNormalisers}): a decoding step. Only attention, over {@code cache} and {@code cascade}'s prefix, runs
     * natively; the projections, norms, rotary embedding, feed-forward and output head run on the JVM with
     * {@code jvm}'s copy of the weights ({@link PanelMatrix}), deterministically per row: a sequence gets the same
     * logits in any batch. The cache gains each row's token.
     *
     * @param positions each token's position within its own sequence
     * @param attentionBias {@code [rows, 1, 1, cached + 1]}, float32
     */
    public float[] decodeStep(NDManager scope, DecodeWeights jvm, int[] ids, int[] positions, NDArray attentionBias,
            KvCache cache, CascadePrefix cascade, double[] logNormalisers) {
        int rows = ids.length;
        int hidden = config.hiddenSize();
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        float eps = (float) config.rmsNormEps();
        float[] x = new float[rows * hidden];
        for (int r = 0; r < rows; r++) {
            jvm.embed(ids[r], x, r * hidden);
        }
        float[] normed = new float[rows * hidden];
        float[] q = new float[rows * config.queryDim()];
        float[] k = new float[rows * config.keyValueDim()];
        float[] v = new float[rows * config.keyValueDim()];
        float[] projected = new float[rows * hidden];
        float[] gate = new float[rows * config.intermediateSize()];
        float[] up = new float[rows * config.intermediateSize()];
        float[] scratch = new float[jvm.scratchSize(rows)];
        for (int l = 0; l < config.numLayers(); l++) {
            DecodeWeights.Layer w = jvm.layers().get(l);
            RowMath.rmsNorm(x, rows, hidden, w.inputNorm(), eps, normed);
            project(w.q(), w.qBias(), normed, rows, q, scratch);
            project(w.k(), w.kBias(), normed, rows, k, scratch);
            project(w.v(), w.vBias(), normed, rows, v, scratch);
            RowMath.rotate(q, rows, heads, headDim, positions, jvm.inverseFrequencies());
            RowMath.rotate(k, rows, kvHeads, headDim, positions, jvm.inverseFrequencies());
            float[] attended = attend(scope, l,
                    scope.create(q, new Shape(rows, heads, 1, headDim)),
                    scope.create(k, new Shape(rows, kvHeads, 1, headDim)),
                    scope.create(v, new Shape(rows, kvHeads, 1, headDim)),
                    attentionBias, cache, cascade).toFloatArray(); // [rows, heads, 1, headDim]: rows of queryDim
            project(w.o(), w.oBias(), attended, rows, projected, scratch);
            add(x, projected, rows * hidden);
            RowMath.rmsNorm(x, rows, hidden, w.postAttentionNorm(), eps, normed);
            w.gate().multiply(normed, rows, gate, scratch);
            w.up().multiply(normed, rows, up, scratch);
            RowMath.swiGlu(gate, up, rows * config.intermediateSize());
            w.down().multiply(gate, rows, projected, scratch);
            add(x, projected, rows * hidden);
        }
        RowMath.rmsNorm(x, rows, hidden, jvm.finalNorm(), eps, normed);
        return headLogits(jvm, normed, rows, logNormalisers);
    }

    /**
     * Logits over the vocabulary of final hidden states (after the last RMSNorm) held on the JVM, {@code [rows *
     * vocab]}, with the output head of {@code jvm}, and each row's log Σ exp of them into {@code logNormalisers}.
     */
    public float[] headLogits(DecodeWeights jvm, float[] hidden, int rows, double[] logNormalisers) {
        int vocab = config.vocabSize();
        PanelMatrix head = jvm.head();
        float[] logits = new float[rows * vocab];
        head.multiply(hidden, rows, logits, new float[head.scratchSize(rows)]);
        for (int r = 0; r < rows; r++) {
            logNormalisers[r] = RowMath.logSumExp(logits, r * vocab, vocab);
        }
        return logits;
    }

    private static void project(PanelMatrix matrix, float[] bias, float[] x, int rows, float[] y, float[] scratch) {
        matrix.multiply(x, rows, y, scratch);
        if (bias != null) {
            int out = matrix.out();
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < out; i++) {
                    y[r * out + i] += bias[i];
                }
            }
        }
    }

    private static void add(float[] into, float[] values, int length) {
        for (int i = 0; i < length; i++) {
            into[i] += values[i];
        }
    }

    /**
     * Attention over a shared prefix and each row's own positions, {@code [batch, heads, 1, headDim]}: the queries of
     * every row, as one matrix {@code [heads, batch, headDim]}, score the prefix's keys once per head; one softmax
     * runs over the prefix's scores and the row's own; the prefix's values are weighted the same way.
     */
    private static NDArray cascaded(NDManager scope, NDArray q, NDArray ownScores, NDArray ownValues,
            CascadePrefix cascade, int layer, int repeats, float scale) {
        if (q.getShape().get(2) != 1) {
            throw new IllegalArgumentException("cascade attention takes one token per sequence");
        }
        NDArray[] prefix = cascade.prefix().layer(scope, layer);
        NDArray keys = prefix[0].squeeze(0); // [kvHeads, length, headDim]
        NDArray values = prefix[1].squeeze(0);
        if (repeats > 1) {
            keys = Scopes.into(scope, keys.repeat(0, repeats));
            values = Scopes.into(scope, values.repeat(0, repeats));
        }
        long length = keys.getShape().get(1);
        NDArray queries = q.squeeze(2).transpose(1, 0, 2); // [heads, batch, headDim]
        NDArray prefixScores = queries.matMul(keys.transpose(0, 2, 1)).transpose(1, 0, 2).expandDims(2)
                .mul(scale).add(cascade.bias()); // [batch, heads, 1, length]
        NDArray weights = prefixScores.concat(ownScores, -1).softmax(-1);
        long all = weights.getShape().get(3);
        NDArray prefixWeights = weights.get(lastDimension(0, length)).squeeze(2).transpose(1, 0, 2); // [heads, batch, length]
        NDArray fromPrefix = prefixWeights.matMul(values).transpose(1, 0, 2).expandDims(2);
        return weights.get(lastDimension(length, all)).matMul(ownValues).add(fromPrefix);
    }

    /** {@code [:, :, :, from:to]}, built rather than parsed from text (decoding steps take several per layer). */
    private static NDIndex lastDimension(long from, long to) {
        return new NDIndex().addAllDim(3).addSliceDim(from, to);
    }

    /** Logits over the vocabulary for hidden states {@code [..., hidden]}. */
    public NDArray logits(NDManager scope, NDArray hidden) {
        return hidden.matMul(Scopes.into(scope, weights.outputHead().transpose()));
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).sqrt();
        return x.div(rms).mul(weight);
    }

    /** {@code x · W + b} with W held as {@code [in, out]}. */
    private static NDArray linear(NDManager scope, NDArray x, NDArray weight, NDArray bias) {
        NDArray y = x.matMul(weight);
        return bias == null ? y : y.add(bias);
    }

    /** Rotary embedding, Hugging Face style: {@code x·cos + rotate_half(x)·sin}. */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }
}
