package dev.deepretrieval.environments.qa;

import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The original-question baseline of a QA dataset: Hits@k (DPR's "top-k retrieval accuracy") over every question. */
public final class QaEvaluation {

    private QaEvaluation() {}

    /** Hits@k means by label ({@code hits@1}, …) in the order of {@code cutoffs}, searching to the largest cutoff. */
    public static Map<String, Double> hits(Bm25Searcher searcher, List<QaQuestion> questions,
            Map<String, String> passageTexts, QueryMode mode, List<Integer> cutoffs, Executor executor) {
        int depth = cutoffs.stream().mapToInt(Integer::intValue).max().orElseThrow();
        var ranks = new ArrayList<CompletableFuture<Integer>>();
        for (QaQuestion question : questions) {
            ranks.add(CompletableFuture.supplyAsync(() -> EvidenceRanks.firstHit(
                    searcher.searchIds(question.question(), mode, depth), passageTexts,
                    new DprAnswerMatcher(question.answers())), executor));
        }
        var counts = new long[cutoffs.size()];
        for (CompletableFuture<Integer> future : ranks) {
            int rank = future.join();
            for (int i = 0; i < cutoffs.size(); i++) {
                if (rank > 0 && rank <= cutoffs.get(i)) {
                    counts[i]++;
                }
            }
        }
        var means = new LinkedHashMap<String, Double>();
        for (int i = 0; i < cutoffs.size(); i++) {
            means.put("hits@" + cutoffs.get(i), questions.isEmpty() ? 0 : (double) counts[i] / questions.size());
        }
        return means;
    }
}
