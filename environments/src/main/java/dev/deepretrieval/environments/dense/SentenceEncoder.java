package dev.deepretrieval.environments.dense;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs an ONNX sentence encoder with DJL's OnnxRuntime engine: batched tokenisation (padded to the batch's longest,
 * truncated to the model's limit), one forward per batch, pooling and L2 normalisation in Java. Texts are batched
 * in length order, so padding is small, and returned in input order. Thread-safe (calls are serialised).
 */
public final class SentenceEncoder implements AutoCloseable {

    private final EncoderSpec spec;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager manager;

    public SentenceEncoder(EncoderSpec spec) {
        this.spec = spec;
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(spec.tokenizer(), Map.of(
                    "padding", "true", "truncation", "true", "maxLength", String.valueOf(spec.maxTokens()),
                    "addSpecialTokens", "true"));
            this.model = Criteria.builder()
                    .setTypes(NDList.class, NDList.class)
                    .optModelPath(spec.onnx())
                    .optEngine("OnnxRuntime")
                    .optTranslator(new NoopTranslator())
                    .build()
                    .loadModel();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load encoder " + spec.name(), e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("cannot load encoder " + spec.name() + " from " + spec.onnx(), e);
        }
        this.predictor = model.newPredictor();
        this.manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime");
    }

    public EncoderSpec spec() {
        return spec;
    }

    /** Encodes queries, with the model's query instruction prepended. */
    public float[][] encodeQueries(List<String> queries, int batchSize) {
        return encode(queries.stream().map(q -> spec.queryInstruction() + q).toList(), batchSize, i -> {});
    }

    /**
     * Encodes texts as they are; {@code progress} receives the number of texts done after each batch.
     *
     * @return one L2-normalised vector per text, in input order
     */
    public synchronized float[][] encode(List<String> texts, int batchSize, IntConsumer progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        int[] order = IntStream.range(0, texts.size()).boxed()
                .sorted(Comparator.comparingInt(i -> texts.get(i).length()))
                .mapToInt(Integer::intValue).toArray();
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            var batch = new ArrayList<String>(end - start);
            for (int i = start; i < end; i++) {
                batch.add(texts.get(order[i]));
            }
            float[][] vectors = encodeBatch(batch);
            for (int i = start; i < end; i++) {
                out[order[i]] = vectors[i - start];
            }
            progress.accept(end);
        }
        return out;
    }

    private float[][] encodeBatch(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int width = encodings[0].getIds().length;
        long[] ids = new long[batch * width];
        long[] mask = new long[batch * width];
        long[] types = new long[batch * width];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(encodings[b].getIds(), 0, ids, b * width, width);
            System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * width, width);
            System.arraycopy(encodings[b].getTypeIds(), 0, types, b * width, width);
        }
        try (NDManager scope = manager.newSubManager()) {
            Shape shape = new Shape(batch, width);
            NDArray idArray = scope.create(ids, shape);
            idArray.setName("input_ids");
            NDArray maskArray = scope.create(mask, shape);
            maskArray.setName("attention_mask");
            NDArray typeArray = scope.create(types, shape);
            typeArray.setName("token_type_ids");
            NDList output = predictor.predict(new NDList(idArray, maskArray, typeArray));
            try {
                NDArray hidden = output.get(0);
                int dim = (int) hidden.getShape().get(2);
                float[] values = hidden.toFloatArray();
                return pool(values, mask, batch, width, dim);
            } finally {
                output.close();
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("encoder " + spec.name() + " failed on a batch", e);
        }
    }

    private float[][] pool(float[] values, long[] mask, int batch, int width, int dim) {
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            float[] v = out[b];
            if (spec.pooling() == Pooling.CLS) {
                System.arraycopy(values, b * width * dim, v, 0, dim);
            } else {
                int count = 0;
                for (int t = 0; t < width; t++) {
                    if (mask[b * width + t] == 1) {
                        count++;
                        int base = (b * width + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            v[d] += values[base + d];
                        }
                    }
                }
                for (int d = 0; d < dim; d++) {
                    v[d] /= Math.max(count, 1);
                }
            }
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < dim; d++) {
                v[d] *= scale;
            }
        }
        return out;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        manager.close();
        tokenizer.close();
    }
}
