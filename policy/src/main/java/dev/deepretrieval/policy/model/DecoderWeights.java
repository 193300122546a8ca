package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.deepretrieval.policy.PolicyLoadException;
import dev.deepretrieval.policy.weights.SafetensorsWriter;
import dev.deepretrieval.policy.weights.TensorSource;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The decoder's parameters as float32 NDArrays, owned by one manager, under their Hugging Face names. A tied model
 * has no {@code lm_head.weight}: the output head is the embedding matrix.
 *
 * <p>Projection matrices ({@code *_proj.weight}) are held transposed, {@code [in, out]}, so that a linear layer is a
 * single matmul with no per-call transpose (the decoder is dispatch-bound at small sizes); {@link #isTransposed}
 * tells which, for export. Embeddings, norms and biases keep their Hugging Face shapes.
 */
public final class DecoderWeights implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final List<LayerWeights> layers;

    private DecoderWeights(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        var list = new ArrayList<LayerWeights>();
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            list.add(new LayerWeights(
                    parameters.get(p + "input_layernorm.weight"),
                    parameters.get(p + "self_attn.q_proj.weight"), parameters.get(p + "self_attn.q_proj.bias"),
                    parameters.get(p + "self_attn.k_proj.weight"), parameters.get(p + "self_attn.k_proj.bias"),
                    parameters.get(p + "self_attn.v_proj.weight"), parameters.get(p + "self_attn.v_proj.bias"),
                    parameters.get(p + "self_attn.o_proj.weight"), parameters.get(p + "self_attn.o_proj.bias"),
                    parameters.get(p + "post_attention_layernorm.weight"),
                    parameters.get(p + "mlp.gate_proj.weight"),
                    parameters.get(p + "mlp.up_proj.weight"),
                    parameters.get(p + "mlp.down_proj.weight")));
        }
        this.layers = List.copyOf(list);
    }

    /** The expected tensor names and shapes for a configuration, in a stable order. */
    public static Map<String, long[]> expectedShapes(ModelConfig config) {
        var shapes = new LinkedHashMap<String, long[]>();
        long d = config.hiddenSize();
        shapes.put("model.embed_tokens.weight", new long[] {config.vocabSize(), d});
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {d});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {config.queryDim(), d});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {config.keyValueDim(), d});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {config.keyValueDim(), d});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {d, config.queryDim()});
            if (config.attentionBias()) {
                shapes.put(p + "self_attn.q_proj.bias", new long[] {config.queryDim()});
                shapes.put(p + "self_attn.k_proj.bias", new long[] {config.keyValueDim()});
                shapes.put(p + "self_attn.v_proj.bias", new long[] {config.keyValueDim()});
            }
            if (config.outputBias()) {
                shapes.put(p + "self_attn.o_proj.bias", new long[] {d});
            }
            shapes.put(p + "post_attention_layernorm.weight", new long[] {d});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {config.intermediateSize(), d});
            shapes.put(p + "mlp.up_proj.weight", new long[] {config.intermediateSize(), d});
            shapes.put(p + "mlp.down_proj.weight", new long[] {d, config.intermediateSize()});
        }
        shapes.put("model.norm.weight", new long[] {d});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new long[] {config.vocabSize(), d});
        }
        return shapes;
    }

    /**
     * Loads every expected tensor from {@code source} into a new manager under {@code parent}; a missing or
     * mis-shaped tensor fails naming it.
     */
    public static DecoderWeights load(ModelConfig config, TensorSource source, NDManager parent) {
        NDManager manager = parent.newSubManager();
        try {
            var parameters = new LinkedHashMap<String, NDArray>();
            for (var entry : expectedShapes(config).entrySet()) {
                String name = entry.getKey();
                if (!source.names().contains(name)) {
                    throw new PolicyLoadException("missing tensor " + name);
                }
                long[] shape = source.shape(name);
                if (!Arrays.equals(shape, entry.getValue())) {
                    throw new PolicyLoadException("tensor " + name + " has shape " + Arrays.toString(shape)
                            + " but the config needs " + Arrays.toString(entry.getValue()));
                }
                FloatBuffer values = source.floats(name);
                NDArray array = isTransposed(name)
                        ? manager.create(transpose(values, (int) shape[0], (int) shape[1]), new Shape(shape[1], shape[0]))
                        : manager.create(values, new Shape(shape));
                array.setName(name);
                parameters.put(name, array);
            }
            return new DecoderWeights(config, manager, parameters);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Freshly initialised weights (normal, std {@code 0.02}; norms 1, biases 0) from a seed: for pretraining from
     * scratch and for benchmarks.
     */
    public static DecoderWeights random(ModelConfig config, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        var random = new SplittableRandom(seed);
        var parameters = new LinkedHashMap<String, NDArray>();
        for (var entry : expectedShapes(config).entrySet()) {
            String name = entry.getKey();
            long[] shape = entry.getValue();
            int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] values = new float[count];
            if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                for (int i = 0; i < count; i++) {
                    values[i] = (float) (gaussian(random) * 0.02);
                }
            }
            NDArray array = isTransposed(name)
                    ? manager.create(values, new Shape(shape[1], shape[0]))
                    : manager.create(values, new Shape(shape));
            array.setName(name);
            parameters.put(name, array);
        }
        return new DecoderWeights(config, manager, parameters);
    }

    /** A parameter's values and shape in Hugging Face orientation, for export. */
    public SafetensorsWriter.Tensor huggingFaceTensor(String name) {
        NDArray array = parameters.get(name);
        if (array == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        long[] shape = array.getShape().getShape();
        float[] values = array.toFloatArray();
        if (!isTransposed(name)) {
            return new SafetensorsWriter.Tensor(shape, values);
        }
        return new SafetensorsWriter.Tensor(new long[] {shape[1], shape[0]},
                transpose(FloatBuffer.wrap(values), (int) shape[0], (int) shape[1]));
    }

    /** Whether a parameter is held as {@code [in, out]} rather than Hugging Face's {@code [out, in]}. */
    public static boolean isTransposed(String name) {
        return name.endsWith("_proj.weight");
    }

    private static float[] transpose(FloatBuffer values, int rows, int columns) {
        float[] out = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c * rows + r] = values.get(r * columns + c);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager owning every parameter. */
    public NDManager manager() {
        return manager;
    }

    /** Every parameter by Hugging Face name, in a stable order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    NDArray embedding() {
        return parameters.get("model.embed_tokens.weight");
    }

    NDArray outputHead() {
        return config.tieWordEmbeddings() ? embedding() : parameters.get("lm_head.weight");
    }

    NDArray finalNorm() {
        return parameters.get("model.norm.weight");
    }

    List<LayerWeights> layers() {
        return layers;
    }

    /** Number of float32 values held. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
