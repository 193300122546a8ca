package dev.deepretrieval.policy.weights;

import dev.deepretrieval.policy.PolicyLoadException;
import dev.deepretrieval.policy.model.ModelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A llama2.c checkpoint ({@code .bin}, the original "version 0" layout): seven int32 header fields (dim, hidden
 * dim, layers, heads, kv heads, vocab size — negative when the classifier is not shared — and sequence length), then
 * float32 weights in a fixed order.
 *
 * <p>Exposed under Hugging Face names so one decoder serves both formats. llama2.c rotates interleaved pairs of a
 * head's dimensions, Hugging Face rotates its two halves; the query and key projections are permuted here
 * accordingly (the reverse of Hugging Face's conversion script), so the two give the same outputs.
 */
public final class Llama2cCheckpoint implements TensorSource {

    private static final int HEADER_BYTES = 7 * 4;

    private final ModelConfig config;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, FloatBuffer> tensors = new LinkedHashMap<>();

    private Llama2cCheckpoint(ModelConfig config) {
        this.config = config;
    }

    public static Llama2cCheckpoint open(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length < HEADER_BYTES) {
            throw new PolicyLoadException(file + ": too short for a llama2.c header");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int dim = header.getInt();
        int hidden = header.getInt();
        int layers = header.getInt();
        int heads = header.getInt();
        int kvHeads = header.getInt();
        int vocab = header.getInt();
        int seqLen = header.getInt();
        boolean shared = vocab > 0;
        vocab = Math.abs(vocab);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0
                || dim % heads != 0) {
            throw new PolicyLoadException(file + ": implausible llama2.c header (dim=" + dim + " hidden=" + hidden
                    + " layers=" + layers + " heads=" + heads + " kv_heads=" + kvHeads + " vocab=" + vocab + ")");
        }
        int headSize = dim / heads;
        ModelConfig config;
        try {
            config = new ModelConfig(ModelConfig.LLAMA, vocab, dim, hidden, layers, heads, kvHeads, headSize, 1e-5,
                    10000.0, Optional.empty(), seqLen, shared, false, false, Optional.of(1), List.of(2), Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new PolicyLoadException(file + ": " + e.getMessage(), e);
        }
        FloatBuffer data = ByteBuffer.wrap(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES)
                .slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int kvDim = kvHeads * headSize;
        long expected = (long) vocab * dim + layers * (2L * dim + 2L * dim * dim + 2L * dim * kvDim + 3L * dim * hidden)
                + dim + (long) seqLen * headSize + (shared ? 0 : (long) vocab * dim);
        if (data.remaining() != expected) {
            throw new PolicyLoadException(file + ": holds " + data.remaining() + " floats after the header, the header"
                    + " implies " + expected + " (truncated or not a version-0 llama2.c checkpoint)");
        }
        var checkpoint = new Llama2cCheckpoint(config);
        checkpoint.take(data, "model.embed_tokens.weight", vocab, dim);
        float[][] attentionNorm = checkpoint.perLayer(data, layers, dim);
        float[][] wq = checkpoint.perLayer(data, layers, dim * dim);
        float[][] wk = checkpoint.perLayer(data, layers, kvDim * dim);
        float[][] wv = checkpoint.perLayer(data, layers, kvDim * dim);
        float[][] wo = checkpoint.perLayer(data, layers, dim * dim);
        float[][] ffnNorm = checkpoint.perLayer(data, layers, dim);
        float[][] w1 = checkpoint.perLayer(data, layers, hidden * dim);
        float[][] w2 = checkpoint.perLayer(data, layers, dim * hidden);
        float[][] w3 = checkpoint.perLayer(data, layers, hidden * dim);
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            checkpoint.put(p + "input_layernorm.weight", attentionNorm[l], dim);
            checkpoint.put(p + "self_attn.q_proj.weight", halvesFromPairs(wq[l], heads, headSize, dim), dim, dim);
            checkpoint.put(p + "self_attn.k_proj.weight", halvesFromPairs(wk[l], kvHeads, headSize, dim), kvDim, dim);
            checkpoint.put(p + "self_attn.v_proj.weight", wv[l], kvDim, dim);
            checkpoint.put(p + "self_attn.o_proj.weight", wo[l], dim, dim);
            checkpoint.put(p + "post_attention_layernorm.weight", ffnNorm[l], dim);
            checkpoint.put(p + "mlp.gate_proj.weight", w1[l], hidden, dim);
            checkpoint.put(p + "mlp.down_proj.weight", w2[l], dim, hidden);
            checkpoint.put(p + "mlp.up_proj.weight", w3[l], hidden, dim);
        }
        checkpoint.take(data, "model.norm.weight", dim);
        data.position(data.position() + seqLen * headSize); // precomputed rotary tables: recomputed from theta
        if (!shared) {
            checkpoint.take(data, "lm_head.weight", vocab, dim);
        }
        return checkpoint;
    }

    /** The configuration the header describes (rope theta 10000, RMS eps 1e-5, BOS 1, EOS 2 as in llama2.c). */
    public ModelConfig config() {
        return config;
    }

    private float[][] perLayer(FloatBuffer data, int layers, int size) {
        float[][] out = new float[layers][size];
        for (int l = 0; l < layers; l++) {
            data.get(out[l]);
        }
        return out;
    }

    private void take(FloatBuffer data, String name, long... shape) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        float[] values = new float[(int) count];
        data.get(values);
        put(name, values, shape);
    }

    private void put(String name, float[] values, long... shape) {
        shapes.put(name, shape);
        tensors.put(name, FloatBuffer.wrap(values));
    }

    /** Reorders each head's rows from interleaved pairs (llama2.c) to two halves (Hugging Face). */
    private static float[] halvesFromPairs(float[] weight, int heads, int headSize, int columns) {
        float[] out = new float[weight.length];
        int half = headSize / 2;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                int base = h * headSize;
                System.arraycopy(weight, (base + 2 * j) * columns, out, (base + j) * columns, columns);
                System.arraycopy(weight, (base + 2 * j + 1) * columns, out, (base + half + j) * columns, columns);
            }
        }
        return out;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new PolicyLoadException("llama2.c checkpoint has no tensor " + name);
        }
        return shape.clone();
    }

    @Override
    public FloatBuffer floats(String name) {
        shape(name);
        return tensors.get(name).duplicate().rewind();
    }
}
