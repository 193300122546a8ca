package dev.deepretrieval.environments.retrieval;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import dev.deepretrieval.environments.Retriever;
import dev.deepretrieval.environments.metrics.RelevantRanks;
import dev.deepretrieval.environments.reward.Outcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * BEIR-style retrieval as an environment, over any {@link Retriever} (BM25, dense). A completion is scored in three
 * steps: the strict format check (structure and JSON with {@code "query"}), retrieval of the query to
 * {@code depth}, and the reward of
 * nDCG@{@code rewardCutoff}. A well-formed answer whose query is not a string scores as unusable; a query with no
 * searchable terms simply retrieves nothing.
 *
 * <p>Metrics reported per completion: {@code ndcg@10}, {@code ndcg@<rewardCutoff>}, {@code recall@<depth>} and
 * {@code first_relevant_rank} (0 when none was retrieved).
 */
public final class RetrievalEnvironment implements Environment<RetrievalTask> {

    private final Retriever retriever;
    private final RetrievalEnvironmentSettings settings;
    private final AnswerParser parser;
    private final Executor executor;

    /**
     * @param executor runs the searches; size it to the cores given to retrieval
     */
    public RetrievalEnvironment(Retriever retriever, RetrievalEnvironmentSettings settings, Executor executor) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.parser = new AnswerParser(settings.answerFormat(), "query");
    }

    @Override
    public String name() {
        return retriever.name();
    }

    @Override
    public CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
        return CompletableFuture.supplyAsync(() -> scoreNow(task, completion), executor);
    }

    /** Scores on the calling thread. */
    public EnvironmentResult scoreNow(RetrievalTask task, String completion) {
        ParsedAnswer answer = parser.parse(completion);
        if (!answer.structureAndJsonValid()) {
            return EnvironmentResult.withoutRetrieval(
                    settings.reward().reward(new Outcome.FormatInvalid()), false, answer.value());
        }
        Optional<String> query = answer.value();
        if (query.isEmpty()) {
            return EnvironmentResult.withoutRetrieval(
                    settings.reward().reward(new Outcome.AnswerUnusable()), true, Optional.empty());
        }
        List<String> ids = retriever.retrieve(settings.rewriteMode().retrievalQuery(task.queryText(), query.get()),
                settings.depth());
        RelevantRanks relevant = RelevantRanks.of(ids, task.judgments(), settings.depth());
        double rewardNdcg = relevant.ndcg(settings.rewardCutoff());
        var metrics = new LinkedHashMap<String, Double>();
        metrics.put("ndcg@10", relevant.ndcg(10));
        metrics.put("ndcg@" + settings.rewardCutoff(), rewardNdcg);
        metrics.put("recall@" + settings.depth(), relevant.recall(settings.depth()));
        metrics.put("first_relevant_rank", (double) relevant.firstRank());
        double reward = settings.reward().reward(new Outcome.Measured(rewardNdcg));
        return new EnvironmentResult(reward, true, query, metrics, ids);
    }
}
