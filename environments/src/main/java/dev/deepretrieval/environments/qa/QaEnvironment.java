package dev.deepretrieval.environments.qa;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.reward.AdditiveReward;
import dev.deepretrieval.environments.reward.Outcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Evidence-seeking QA over BM25: the model's query retrieves passages to {@code depth} (the paper: 3,000); the reward
 * is the rank tier of the first passage holding an answer (DPR rule), format +1 / −4, as the reference code
 * scores NQ, TriviaQA and SQuAD. An answer whose JSON is unusable earns the scheme's error score, as there.
 *
 * <p>Metrics per completion: {@code hits@1}, {@code hits@5}, {@code hits@20}, {@code hits@100} and
 * {@code first_hit_rank} (0 for none).
 */
public final class QaEnvironment implements Environment<QaQuestion> {

    private final Bm25Searcher searcher;
    private final Map<String, String> passageTexts;
    private final AnswerParser parser;
    private final QueryMode mode;
    private final int depth;
    private final AdditiveReward reward;
    private final Executor executor;

    public QaEnvironment(Bm25Searcher searcher, Map<String, String> passageTexts, AnswerFormat format, QueryMode mode,
            int depth, AdditiveReward reward, Executor executor) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        this.searcher = searcher;
        this.passageTexts = Map.copyOf(passageTexts);
        this.parser = new AnswerParser(format, "query");
        this.mode = mode;
        this.depth = depth;
        this.reward = reward;
        this.executor = executor;
    }

    @Override
    public String name() {
        return "qa-bm25";
    }

    @Override
    public CompletionStage<EnvironmentResult> score(QaQuestion task, String completion) {
        return CompletableFuture.supplyAsync(() -> scoreNow(task, completion), executor);
    }

    public EnvironmentResult scoreNow(QaQuestion task, String completion) {
        ParsedAnswer answer = parser.parse(completion);
        if (!answer.structureValid()) {
            return EnvironmentResult.withoutRetrieval(reward.reward(new Outcome.FormatInvalid()), false, Optional.empty());
        }
        if (answer.value().isEmpty()) {
            return EnvironmentResult.withoutRetrieval(reward.reward(new Outcome.AnswerUnusable()), true, Optional.empty());
        }
        List<String> ids = searcher.searchIds(answer.value().get(), mode, depth);
        int rank = EvidenceRanks.firstHit(ids, passageTexts, new DprAnswerMatcher(task.answers()));
        double measured = rank == 0 ? Double.POSITIVE_INFINITY : rank;
        var metrics = new LinkedHashMap<String, Double>();
        for (int k : new int[] {1, 5, 20, 100}) {
            metrics.put("hits@" + k, rank > 0 && rank <= k ? 1.0 : 0.0);
        }
        metrics.put("first_hit_rank", (double) rank);
        return new EnvironmentResult(reward.reward(new Outcome.Measured(measured)), true, answer.value(), metrics, ids);
    }
}
