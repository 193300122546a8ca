package dev.deepretrieval.environments.dense;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Approximate search with Lucene's HNSW graph ({@code KnnFloatVectorField}, dot product), for corpora where a flat
 * scan is too slow. Built into a temporary folder per process from the cached embeddings; the search asks for
 * {@code max(k, efSearch)} neighbours and keeps the best k.
 */
public final class HnswVectorIndex implements VectorIndex {

    private final Path folder;
    private final Directory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final List<String> ids;
    private final int efSearch;

    public HnswVectorIndex(DocumentEmbeddings embeddings, Path workRoot, int maxConnections, int beamWidth, int efSearch) {
        this.ids = embeddings.ids();
        this.efSearch = efSearch;
        try {
            Files.createDirectories(workRoot);
            this.folder = Files.createTempDirectory(workRoot, "hnsw-");
            this.directory = FSDirectory.open(folder);
            KnnVectorsFormat format = new Lucene99HnswVectorsFormat(maxConnections, beamWidth);
            var config = new IndexWriterConfig().setCodec(new Lucene104Codec() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return format;
                }
            });
            try (IndexWriter writer = new IndexWriter(directory, config)) {
                int dim = embeddings.dimension();
                for (int i = 0; i < embeddings.size(); i++) {
                    float[] v = new float[dim];
                    System.arraycopy(embeddings.vectors(), i * dim, v, 0, dim);
                    var doc = new Document();
                    doc.add(new KnnFloatVectorField("vector", v, VectorSimilarityFunction.DOT_PRODUCT));
                    doc.add(new StoredField("ordinal", i));
                    writer.addDocument(doc);
                }
                writer.forceMerge(1);
            }
            this.reader = DirectoryReader.open(directory);
            this.searcher = new IndexSearcher(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the HNSW index", e);
        }
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        try {
            TopDocs top = searcher.search(new KnnFloatVectorQuery("vector", query, Math.max(k, efSearch)), Math.max(k, efSearch));
            var out = new ArrayList<Hit>(Math.min(k, top.scoreDocs.length));
            var stored = reader.storedFields();
            for (ScoreDoc doc : top.scoreDocs) {
                if (out.size() == k) {
                    break;
                }
                String id = ids.get(stored.document(doc.doc).getField("ordinal").numericValue().intValue());
                out.add(new Hit(id, 2 * doc.score - 1)); // Lucene scores dot products as (1 + dot) / 2
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("HNSW search failed", e);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
            directory.close();
            AtomicFiles.deleteTree(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
