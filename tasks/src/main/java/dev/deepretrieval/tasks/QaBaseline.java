package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.qa.QaEvaluation;
import dev.deepretrieval.environments.qa.QaQuestion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code eval} on an evidence-QA dataset: every question through BM25, Hits@k by DPR's answer rule. */
public final class QaBaseline {

    /** @param hits Hits@k per cutoff; seconds for rewriting (with a policy) and retrieval */
    public record Result(String dataset, int questions, int passages, Bm25Parameters parameters, QueryMode mode,
            Map<String, Double> hits, double seconds, Optional<PolicyRewrites.Outcome> rewritten)
            implements Baselines.Result {}

    private QaBaseline() {}

    static Result evaluate(Settings settings, DatasetResolver.Resolved resolved, Baselines.Request request)
            throws Exception {
        QaDataset data = QaDataset.open(resolved.name(), resolved.folder());
        List<Integer> cutoffs = settings.positiveInts("deepretrieval.eval.qa-hits");
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(data.passages(), settings.path("deepretrieval.cache-dir"),
                        request.progress());
                ExecutorService pool = Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads"))) {
            Bm25Searcher searcher = index.searcher(request.parameters(),
                    settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            long start = System.nanoTime();
            List<QaQuestion> questions = data.questions();
            Optional<PolicyRewrites.Outcome> rewritten = Optional.empty();
            if (request.rewriting().isPresent()) {
                PolicyRewrites.Outcome outcome = PolicyRewrites.rewrite(settings, request.rewriting().get(), data.name(),
                        questions.stream().map(q -> new Query(q.id(), q.question())).toList());
                var byId = new HashMap<String, String>();
                outcome.retrievedQueries().forEach(q -> byId.put(q.id(), q.text()));
                questions = questions.stream().map(q -> new QaQuestion(q.id(), byId.get(q.id()), q.answers())).toList();
                rewritten = Optional.of(outcome);
            }
            Map<String, Double> hits = QaEvaluation.hits(searcher, questions, data.passageTexts(), request.mode(),
                    cutoffs, pool);
            return new Result(data.name(), data.questions().size(), index.documentCount(), request.parameters(),
                    request.mode(), hits, (System.nanoTime() - start) / 1e9, rewritten);
        }
    }
}
