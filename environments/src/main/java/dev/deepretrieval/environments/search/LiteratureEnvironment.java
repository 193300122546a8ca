package dev.deepretrieval.environments.search;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import dev.deepretrieval.environments.reward.AdditiveReward;
import dev.deepretrieval.environments.reward.Outcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Literature search as an environment (the paper's PubMed and ClinicalTrials.gov tasks): the model's query searches
 * the engine to {@code depth} (3,000) under the task's date limit, and the recall of the review's included studies
 * is rewarded through the paper's recall tiers (format +1 / −4; an answer whose JSON holds no usable query scores −4,
 * as there). When the engine cannot answer, the stage fails: the sample is a counted failure, never a wrong answer.
 *
 * <p>Metrics per completion: {@code recall@<depth>} and {@code retrieved} when it searched, and always the engine's
 * running figures (the cache's hit rate).
 */
public final class LiteratureEnvironment implements Environment<LiteratureTask> {

    private final SearchEngine engine;
    private final AnswerParser parser;
    private final int depth;
    private final AdditiveReward reward;

    public LiteratureEnvironment(SearchEngine engine, AnswerFormat format, int depth, AdditiveReward reward) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        this.engine = engine;
        this.parser = new AnswerParser(format, "query");
        this.depth = depth;
        this.reward = reward;
    }

    @Override
    public String name() {
        return engine.name();
    }

    /** The metric label of recall at this environment's depth. */
    public String recallLabel() {
        return "recall@" + depth;
    }

    @Override
    public CompletionStage<EnvironmentResult> score(LiteratureTask task, String completion) {
        ParsedAnswer answer = parser.parse(completion);
        if (!answer.structureValid()) {
            return CompletableFuture.completedFuture(new EnvironmentResult(reward.reward(new Outcome.FormatInvalid()),
                    false, answer.value(), engine.stats(), List.of()));
        }
        if (answer.value().isEmpty() || answer.value().get().isBlank()) {
            return CompletableFuture.completedFuture(new EnvironmentResult(reward.reward(new Outcome.AnswerUnusable()),
                    true, answer.value(), engine.stats(), List.of()));
        }
        String query = answer.value().get();
        return engine.search(new SearchRequest(query, task.reviewDate(), depth)).thenApply(ids -> {
            double recall = recall(ids, task);
            var metrics = new LinkedHashMap<String, Double>();
            metrics.put(recallLabel(), recall);
            metrics.put("retrieved", (double) ids.size());
            metrics.putAll(engine.stats());
            return new EnvironmentResult(reward.reward(new Outcome.Measured(recall)), true, Optional.of(query), metrics,
                    ids);
        });
    }

    /** The share of the task's included studies among {@code ids}. */
    public static double recall(List<String> ids, LiteratureTask task) {
        long found = ids.stream().distinct().filter(task.included()::contains).count();
        return (double) found / task.included().size();
    }

    @Override
    public void close() {
        engine.close();
    }
}
