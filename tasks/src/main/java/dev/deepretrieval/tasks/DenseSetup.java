package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.dense.EmbeddingListener;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.dense.DocumentEmbeddings;
import dev.deepretrieval.environments.dense.EncoderSpec;
import dev.deepretrieval.environments.dense.FlatVectorIndex;
import dev.deepretrieval.environments.dense.HnswVectorIndex;
import dev.deepretrieval.environments.dense.Pooling;
import dev.deepretrieval.environments.dense.SentenceEncoder;
import dev.deepretrieval.environments.dense.VectorIndex;
import java.nio.file.Path;

/** Builds the dense retriever's parts from {@code deepretrieval.dense}. */
public final class DenseSetup {

    private static final String PREFIX = "deepretrieval.dense.";

    private DenseSetup() {}

    public static EncoderSpec encoder(Settings settings) {
        Path cache = settings.path("deepretrieval.cache-dir");
        if (settings.text(PREFIX + "model").equals("bundled")) {
            return EncoderSpec.bundledBgeSmall(cache.resolve("models"));
        }
        Path onnx = settings.path(PREFIX + "onnx");
        return new EncoderSpec(onnx.getFileName().toString().replace(".onnx", ""), onnx,
                settings.path(PREFIX + "tokenizer"), settings.parsed(PREFIX + "pooling", Pooling::parse),
                settings.positiveInt(PREFIX + "max-tokens"), settings.text(PREFIX + "query-instruction"));
    }

    public static int batchSize(Settings settings) {
        return settings.positiveInt(PREFIX + "batch-size");
    }

    public static DocumentEmbeddings embeddings(Settings settings, Corpus corpus, SentenceEncoder encoder,
            EmbeddingListener progress) {
        return DocumentEmbeddings.loadOrCompute(corpus, encoder, settings.path("deepretrieval.cache-dir"),
                batchSize(settings), progress);
    }

    public static VectorIndex index(Settings settings, DocumentEmbeddings embeddings) {
        String kind = settings.text(PREFIX + "index");
        return switch (kind) {
            case "flat" -> new FlatVectorIndex(embeddings);
            case "hnsw" -> new HnswVectorIndex(embeddings, settings.path("deepretrieval.cache-dir").resolve("work"),
                    settings.positiveInt(PREFIX + "hnsw.max-connections"), settings.positiveInt(PREFIX + "hnsw.beam-width"),
                    settings.positiveInt(PREFIX + "hnsw.ef-search"));
            default -> throw settings.bad(PREFIX + "index", "must be flat or hnsw, got " + kind);
        };
    }
}
