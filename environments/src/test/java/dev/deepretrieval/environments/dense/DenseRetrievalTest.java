package dev.deepretrieval.environments.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.BeirFolder;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled bge-small encoder through DJL's OnnxRuntime engine, the embedding cache and both indexes. */
class DenseRetrievalTest {

    @TempDir
    static Path cache;

    private static SentenceEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = new SentenceEncoder(EncoderSpec.bundledBgeSmall(cache.resolve("models")));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void embeddingsAreSemanticAndNormalised() {
        float[][] v = encoder.encode(List.of("A man is playing a guitar on stage.",
                "Someone performs a song with an acoustic guitar.", "The central bank raised interest rates again."), 8, i -> {});
        assertEquals(384, v[0].length);
        assertEquals(1.0, dot(v[0], v[0]), 1e-5);
        // reference values measured with plain ONNX Runtime 1.29.0 on this model (docs: jvm-stack-probe)
        assertEquals(0.761, dot(v[0], v[1]), 0.01);
        assertEquals(0.368, dot(v[0], v[2]), 0.01);
    }

    @Test
    void paddingIsMaskedSoATextEncodesAlmostTheSameAloneAndInABatch() {
        String text = "Vitamin D supplementation reduces fracture risk in older adults.";
        float[] alone = encoder.encode(List.of(text), 1, i -> {})[0];
        float[] again = encoder.encode(List.of(text), 1, i -> {})[0];
        for (int d = 0; d < alone.length; d++) {
            assertEquals(alone[d], again[d], "deterministic");
        }
        float[] batched = encoder.encode(List.of("short", text, "a much longer text ".repeat(40)), 3, i -> {})[1];
        // Not bit-identical: the model is dynamically quantized, so activation scales depend on the whole batch.
        // With padding leaking in, the similarity would drop far below this.
        double similarity = dot(alone, batched);
        assertTrue(similarity > 0.995, "cosine alone vs batched: " + similarity);
    }

    @Test
    void flatSearchIsExactAndHnswAgreesOnASmallCorpus() {
        var random = new SplittableRandom(11);
        int n = 600;
        int dim = 16;
        float[] vectors = new float[n * dim];
        var ids = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                vectors[i * dim + d] = (float) random.nextGaussian();
                norm += vectors[i * dim + d] * vectors[i * dim + d];
            }
            for (int d = 0; d < dim; d++) {
                vectors[i * dim + d] /= (float) Math.sqrt(norm);
            }
            ids.add("d" + i);
        }
        var embeddings = new DocumentEmbeddings(ids, vectors, dim);
        float[] query = new float[dim];
        System.arraycopy(vectors, 7 * dim, query, 0, dim);
        List<Hit> flat = new FlatVectorIndex(embeddings).search(query, 10);
        assertEquals("d7", flat.get(0).docId());
        assertEquals(1.0f, flat.get(0).score(), 1e-5f);
        for (int i = 1; i < flat.size(); i++) {
            assertTrue(flat.get(i - 1).score() >= flat.get(i).score());
        }
        // brute force agrees
        int best = -1;
        float bestScore = -2;
        for (int i = 0; i < n; i++) {
            if (i == 7) {
                continue;
            }
            float s = 0;
            for (int d = 0; d < dim; d++) {
                s += vectors[i * dim + d] * query[d];
            }
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        assertEquals("d" + best, flat.get(1).docId());
        try (var hnsw = new HnswVectorIndex(embeddings, cache.resolve("work"), 16, 100, 100)) {
            List<Hit> approximate = hnsw.search(query, 10);
            var overlap = new HashSet<>(approximate.stream().map(Hit::docId).toList());
            overlap.retainAll(flat.stream().map(Hit::docId).toList());
            assertTrue(overlap.size() >= 9, "HNSW recall@10 against flat: " + overlap.size() + "/10");
            assertEquals(flat.get(0).score(), approximate.get(0).score(), 1e-5f);
        }
    }

    @Test
    void embeddingsAreCachedUntilTheCorpusChangesAndRetrievalIsSemantic(@TempDir Path dir) throws IOException {
        String corpus = BeirFolder.doc("guitar", "Concert", "A man plays an acoustic guitar on stage.")
                + BeirFolder.doc("bank", "Economy", "The central bank raised interest rates again.")
                + BeirFolder.doc("cat", "Pets", "The cat sleeps on the warm windowsill all afternoon.");
        Path folder = BeirFolder.write(dir.resolve("data"), corpus, "{\"_id\": \"q\", \"text\": \"q\"}\n", "q\tguitar\t1\n");
        var computed = new AtomicInteger();
        EmbeddingListener counting = new EmbeddingListener() {
            @Override
            public void started(String name, int documents) {
                computed.incrementAndGet();
            }
        };
        Corpus files = Corpus.in("tiny", folder, "corpus.jsonl");
        DocumentEmbeddings first = DocumentEmbeddings.loadOrCompute(files, encoder, dir.resolve("cache"), 2, counting);
        DocumentEmbeddings second = DocumentEmbeddings.loadOrCompute(files, encoder, dir.resolve("cache"), 2, counting);
        assertEquals(1, computed.get(), "the second call reads the cache");
        assertEquals(first.ids(), second.ids());
        assertEquals(List.of("guitar", "bank", "cat"), first.ids());
        for (int i = 0; i < first.vectors().length; i++) {
            assertEquals(first.vectors()[i], second.vectors()[i]);
        }
        BeirFolder.write(folder, corpus + BeirFolder.doc("dog", "", "A dog runs."), "{\"_id\": \"q\", \"text\": \"q\"}\n",
                "q\tguitar\t1\n");
        assertEquals(4, DocumentEmbeddings.loadOrCompute(Corpus.in("tiny", folder, "corpus.jsonl"), encoder,
                dir.resolve("cache"), 2, counting).size());
        assertEquals(2, computed.get(), "a changed corpus is embedded again");

        var environment = new RetrievalEnvironment(new DenseRetriever(encoder, new FlatVectorIndex(first)),
                new RetrievalEnvironmentSettings(AnswerFormat.THINK_THEN_ANSWER, 3, 3, PaperRewards.BEIR), Runnable::run);
        EnvironmentResult result = environment.scoreNow(new RetrievalTask("q", "x", Map.of("guitar", 1)),
                "<think>t</think><answer>{\"query\": \"someone performing music with a six-string instrument\"}</answer>");
        assertEquals(List.of("guitar", "cat", "bank").get(0), result.retrievedIds().get(0), "no shared words, still first");
        assertEquals(1.1, result.reward(), 1e-9);
        assertEquals("dense", environment.name());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
