package dev.deepretrieval.environments.lucene;

import dev.deepretrieval.environments.Hit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;

/**
 * BM25 search over a {@link FlatBm25Index}: text in, ranked collection ids out. Thread-safe.
 *
 * <p>Any query text is accepted: text that yields no terms returns an empty list. Ranking is Lucene's: score
 * descending, ties by ascending collection id (the index is sorted by id), as Anserini ranks them.
 */
public final class Bm25Searcher {

    private final IndexSearcher searcher;
    private final String[] collectionIds;
    private final Bm25Parameters parameters;
    private final BagOfWordsQueryBuilder bagOfWords;
    private final BooleanQueryParser booleanParser;

    Bm25Searcher(IndexReader reader, String[] collectionIds, Bm25Parameters parameters, int maxQueryClauses) {
        if (maxQueryClauses < 1 || maxQueryClauses > IndexSearcher.getMaxClauseCount()) {
            throw new IllegalArgumentException("maxQueryClauses must be in [1, " + IndexSearcher.getMaxClauseCount()
                    + "], got " + maxQueryClauses);
        }
        this.searcher = new IndexSearcher(reader);
        this.searcher.setSimilarity(new BM25Similarity(parameters.k1(), parameters.b()));
        this.collectionIds = collectionIds;
        this.parameters = parameters;
        Analyzer analyzer = new PorterEnglishAnalyzer();
        this.bagOfWords = new BagOfWordsQueryBuilder(analyzer, FlatBm25Index.CONTENTS_FIELD, maxQueryClauses);
        this.booleanParser = new BooleanQueryParser(analyzer, FlatBm25Index.CONTENTS_FIELD, maxQueryClauses);
    }

    /** Builds the Lucene query for {@code text} in the given mode. */
    public Query buildQuery(String text, QueryMode mode) {
        return switch (mode) {
            case BAG_OF_WORDS -> bagOfWords.build(text);
            case BOOLEAN -> booleanParser.parse(text);
        };
    }

    /** The top {@code k} documents for {@code text}, best first. */
    public List<Hit> search(String text, QueryMode mode, int k) {
        return search(buildQuery(text, mode), k);
    }

    /** The top {@code k} documents for a prepared query, best first. */
    public List<Hit> search(Query query, int k) {
        TopDocs top = topDocs(query, k);
        var hits = new ArrayList<Hit>(top.scoreDocs.length);
        for (ScoreDoc scoreDoc : top.scoreDocs) {
            hits.add(new Hit(collectionIds[scoreDoc.doc], scoreDoc.score));
        }
        return hits;
    }

    /** The collection ids of the top {@code k} documents for {@code text}, best first (the reward path: no scores). */
    public List<String> searchIds(String text, QueryMode mode, int k) {
        TopDocs top = topDocs(buildQuery(text, mode), k);
        String[] ids = new String[top.scoreDocs.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = collectionIds[top.scoreDocs[i].doc];
        }
        return Arrays.asList(ids);
    }

    private TopDocs topDocs(Query query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        try {
            return searcher.search(query, k);
        } catch (IOException e) {
            throw new UncheckedIOException("BM25 search failed", e);
        }
    }

    /** The underlying Lucene searcher (for benchmarks that compare against bare Lucene). */
    public IndexSearcher luceneSearcher() {
        return searcher;
    }

    public Bm25Parameters parameters() {
        return parameters;
    }
}
