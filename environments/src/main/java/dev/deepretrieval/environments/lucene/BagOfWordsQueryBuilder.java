package dev.deepretrieval.environments.lucene;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Anserini's bag-of-words query: each distinct analysed term is an optional clause, weighted by how often it occurs
 * in the text (the same scores as one clause per occurrence). Terms past {@code maxTerms} distinct ones are dropped,
 * first occurrences kept, so any text length is safe.
 */
public final class BagOfWordsQueryBuilder {

    private final Analyzer analyzer;
    private final String field;
    private final int maxTerms;

    public BagOfWordsQueryBuilder(Analyzer analyzer, String field, int maxTerms) {
        if (maxTerms < 1) {
            throw new IllegalArgumentException("maxTerms must be >= 1, got " + maxTerms);
        }
        this.analyzer = analyzer;
        this.field = field;
        this.maxTerms = maxTerms;
    }

    public Query build(String text) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (QueryAnalysis.Token token : QueryAnalysis.tokens(analyzer, field, text)) {
            if (counts.containsKey(token.term()) || counts.size() < maxTerms) {
                counts.merge(token.term(), 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            return new MatchNoDocsQuery("no terms after analysis");
        }
        var builder = new BooleanQuery.Builder();
        counts.forEach((term, count) -> {
            Query clause = new TermQuery(new Term(field, term));
            if (count > 1) {
                clause = new BoostQuery(clause, count);
            }
            builder.add(clause, BooleanClause.Occur.SHOULD);
        });
        return builder.build();
    }
}
