package dev.deepretrieval.environments.dense;

import dev.deepretrieval.environments.CacheFiles;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.io.AtomicFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One L2-normalised vector per corpus document (title and text, as BEIR's dense baselines embed them), row-major in
 * {@code vectors}. Computed once and cached under {@code <cache>/dense/<corpus>-<fingerprint>/}; the fingerprint
 * covers the corpus bytes, the model and tokenizer bytes, the pooling and the token limit.
 */
public record DocumentEmbeddings(List<String> ids, float[] vectors, int dimension) {

    private static final String LAYOUT = "title+space+text/1";

    public int size() {
        return ids.size();
    }

    /** Loads the cached embeddings of {@code corpus} under {@code encoder}, computing and caching them first if needed. */
    public static DocumentEmbeddings loadOrCompute(Corpus corpus, SentenceEncoder encoder, Path cacheRoot, int batchSize,
            EmbeddingListener listener) {
        String fingerprint = fingerprint(corpus, encoder.spec());
        Path parent = cacheRoot.resolve("dense");
        Path target = parent.resolve(corpus.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + encoder.spec().name()
                + "-" + fingerprint.substring(0, 16));
        try {
            if (!Files.exists(target.resolve("COMPLETE"))) {
                compute(corpus, encoder, parent, target, batchSize, listener);
            }
            return read(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compute or read embeddings in " + target, e);
        }
    }

    private static void compute(Corpus corpus, SentenceEncoder encoder, Path parent, Path target, int batchSize,
            EmbeddingListener listener) throws IOException {
        var ids = new ArrayList<String>();
        var texts = new ArrayList<String>();
        corpus.forEachDocument(d -> {
            ids.add(d.id());
            texts.add(d.flatContents());
        });
        listener.started(corpus.name(), texts.size());
        long start = System.nanoTime();
        float[][] vectors = encoder.encode(texts, batchSize, done -> listener.progress(corpus.name(), done, texts.size()));
        Files.createDirectories(parent);
        Path temporary = Files.createTempDirectory(parent, ".embedding-");
        try {
            Files.write(temporary.resolve("ids.txt"), ids, StandardCharsets.UTF_8);
            int dim = vectors.length == 0 ? 0 : vectors[0].length;
            try (var out = new DataOutputStream(Files.newOutputStream(temporary.resolve("vectors.f32")))) {
                out.writeInt(vectors.length);
                out.writeInt(dim);
                ByteBuffer row = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] v : vectors) {
                    row.clear();
                    row.asFloatBuffer().put(v);
                    out.write(row.array());
                }
            }
            Files.writeString(temporary.resolve("COMPLETE"), "documents=" + vectors.length + "\n");
            // computed concurrently by another process: identical content
            AtomicFiles.publishFolderIfAbsent(temporary, target);
        } finally {
            AtomicFiles.deleteTree(temporary);
        }
        listener.finished(corpus.name(), vectors.length, (System.nanoTime() - start) / 1_000_000);
    }

    private static DocumentEmbeddings read(Path dir) throws IOException {
        List<String> ids = Files.readAllLines(dir.resolve("ids.txt"), StandardCharsets.UTF_8);
        try (var in = new DataInputStream(Files.newInputStream(dir.resolve("vectors.f32")))) {
            int count = in.readInt();
            int dim = in.readInt();
            if (count != ids.size()) {
                throw new IOException(dir + ": " + count + " vectors for " + ids.size() + " ids");
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length != count * dim * 4) {
                throw new IOException(dir + ": vectors.f32 is truncated");
            }
            float[] vectors = new float[count * dim];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vectors);
            return new DocumentEmbeddings(List.copyOf(ids), vectors, dim);
        }
    }

    private static String fingerprint(Corpus corpus, EncoderSpec spec) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : new Path[] {corpus.file(), spec.onnx(), spec.tokenizer()}) {
                CacheFiles.digest(digest, file);
            }
            digest.update((spec.pooling() + "/" + spec.maxTokens() + "/" + LAYOUT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
