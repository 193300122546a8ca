package dev.deepretrieval.streams;

import dev.deepretrieval.tasks.TrainingTasks;
import dev.deepretrieval.actors.EnvironmentActor;
import dev.deepretrieval.actors.LearnerActor;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutBatch;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.actors.RolloutScorer;
import dev.deepretrieval.actors.ScoredBatch;
import dev.deepretrieval.environments.EnvironmentResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * The training loop as one backpressured stream:
 *
 * <pre>
 * permits ─▶ next prompts (cursor) ─▶ generator: generate ─▶ rollouts ─▶ environment: Score (mapAsyncUnordered)
 *        ─▶ regroup per batch ─▶ learner: Learn ─▶ generator: publish weights ─▶ permit back ─▶ step report ─▶ sink
 * </pre>
 *
 * The generator is the run's policy actor ({@link PolicyActorGeneration}) or a cluster's rollout workers. A batch is
 * only drawn with a permit, and a permit comes back after its update's weights are published to the generator;
 * {@code staleness + 1} permits exist, so at most that many batches are between generation and update (0 = the
 * paper's strictly on-policy loop). Every ask has a timeout; a rollout whose score fails or times out is counted and
 * left out of the update. Every buffer is bounded.
 */
public final class TrainingGraph {

    /** Updates from one batch tried before a run fails (the first and two after a learner actor's restart). */
    static final int LEARN_ATTEMPTS = 3;

    /** How much longer than the score timeout a run waits for its local environment actor's reply. */
    static final Duration ASK_MARGIN = Duration.ofSeconds(5);

    private TrainingGraph() {}

    /**
     * What the materialised graph hands back: the permit gate (pause, resume, graceful stop), a kill switch, and the
     * completion of the last step.
     */
    public record Running(PermitGate gate, UniqueKillSwitch killSwitch, CompletionStage<Done> done) {}

    /** Observes the graph (the run supervisor's metrics, tests); called from stream stages. */
    public interface Listener {
        void onStep(StepReport report);

        default void onGenerated(RolloutBatch batch) {}

        default void onBatchLearned(long batchId) {}
    }

    private record Job<T>(Rollout rollout, String original, T task, int batchSize, double generateSeconds,
            int generateRetries, long startNanos) {}

    private record Outcome<T>(Job<T> job, EnvironmentActor.ScoreOutcome outcome) {}

    private record Regrouped<T>(long batchId, long rolloutVersion, List<Outcome<T>> outcomes, double generateSeconds,
            int generateRetries, double rewardSeconds, PromptCursor.Position cursor) {}

    /**
     * Materialises and runs the graph.
     *
     * @param firstStep the step this run continues from (0 for a new run)
     * @param cursorStart where the prompt cursor resumes
     * @param checkpointState extra state saved with each checkpoint (run id, config)
     * @param generator generates each batch and takes each update's weights (the run's policy actor, or a cluster's
     *     rollout workers)
     * @param scorer scores each rollout (a local environment actor, or a cluster's env nodes)
     */
    public static <T> Running run(TrainingTasks<T> tasks, TrainingSettings settings,
            RolloutGenerator generator, RolloutScorer<T> scorer,
            ActorRef<LearnerActor.Command> learner, Scheduler scheduler, Materializer materializer, long firstStep,
            PromptCursor.Position cursorStart, Map<String, Object> checkpointState, Listener listener) {
        PromptCursor cursor = new PromptCursor(tasks.size(), settings.seed(), cursorStart);
        Map<String, Integer> index = indexById(tasks);
        long remaining = Math.max(0, settings.steps() - firstStep);
        int permits = settings.staleness() + 1;
        Map<Long, PromptCursor.Position> batchPositions = new ConcurrentHashMap<>();

        Pair<SourceQueueWithComplete<Integer>, Source<Integer, NotUsed>> permitQueue =
                Source.<Integer>queue(permits, OverflowStrategy.fail()).preMaterialize(materializer);
        SourceQueueWithComplete<Integer> permitsBack = permitQueue.first();
        for (int i = 0; i < permits; i++) {
            permitsBack.offer(i);
        }
        var learnRetries = new ConcurrentHashMap<Long, Integer>();
        PermitGate gate = new PermitGate(n -> {
            for (int i = 0; i < n; i++) {
                permitsBack.offer(i);
            }
        }, 0);
        Pair<UniqueKillSwitch, CompletionStage<Done>> materialized = permitQueue.second()
                .take(remaining)
                .takeWhile(permit -> gate.tryStart())
                .zipWithIndex()
                .map(pair -> {
                    long batchId = firstStep + pair.second() + 1;
                    List<Integer> indices = cursor.next(settings.promptsPerStep());
                    batchPositions.put(batchId, cursor.position());
                    var prompts = new ArrayList<RolloutPrompt>();
                    for (int i : indices) {
                        prompts.add(new RolloutPrompt(tasks.promptId(i), tasks.original(i), tasks.prompt(i)));
                    }
                    return Pair.create(batchId, (List<RolloutPrompt>) prompts);
                })
                .mapAsync(1, request -> generator.generate(request.first(), request.second(),
                        settings.samplesPerPrompt(), settings.seed() * 1_000_003L + request.first()))
                .mapConcat(batch -> {
                    listener.onGenerated(batch);
                    long start = System.nanoTime();
                    var jobs = new ArrayList<Job<T>>();
                    for (Rollout r : batch.rollouts()) {
                        int i = index.get(r.promptId());
                        jobs.add(new Job<>(r, tasks.original(i), tasks.task(i), batch.rollouts().size(),
                                batch.generateSeconds(), batch.retries(), start));
                    }
                    return jobs;
                })
                .mapAsyncUnordered(settings.scoringParallelism(), job -> score(job, scorer))
                .statefulMap(() -> new HashMap<Long, List<Outcome<T>>>(),
                        (open, outcome) -> regroup(open, outcome, batchPositions), open -> Optional.empty())
                .mapConcat(list -> list)
                .mapAsync(1, regrouped -> learn(regrouped, learner, settings, scheduler, checkpointState, learnRetries,
                        LEARN_ATTEMPTS))
                .mapAsync(1, learned -> generator.publish(learned.second().weights())
                        .thenApply(seconds -> report(learned.first(), learned.second(), seconds, settings,
                                Objects.requireNonNullElse(learnRetries.remove(learned.first().batchId()), 0))))
                .viaMat(KillSwitches.single(), Keep.right())
                // the report is delivered before the permit goes back, so whoever stops the run on "drained" has
                // already heard of every finished step
                .toMat(Sink.foreach(report -> {
                    listener.onBatchLearned(report.step());
                    listener.onStep(report);
                    gate.finished();
                }), Keep.both())
                .run(materializer);
        materialized.second().whenComplete((ok, failure) -> permitsBack.complete());
        return new Running(gate, materialized.first(), materialized.second());
    }

    private static <T> Pair<HashMap<Long, List<Outcome<T>>>, List<Regrouped<T>>> regroup(
            HashMap<Long, List<Outcome<T>>> open, Outcome<T> outcome, Map<Long, PromptCursor.Position> positions) {
        long batchId = outcome.job().rollout().batchId();
        List<Outcome<T>> collected = open.computeIfAbsent(batchId, id -> new ArrayList<>());
        collected.add(outcome);
        if (collected.size() < outcome.job().batchSize()) {
            return Pair.create(open, List.of());
        }
        open.remove(batchId);
        collected.sort(Comparator.comparingInt(o -> o.job().rollout().index()));
        Job<T> first = collected.get(0).job();
        long oldest = collected.stream().mapToLong(o -> o.job().rollout().policyVersion()).min().orElseThrow();
        return Pair.create(open, List.of(new Regrouped<>(batchId, oldest, collected, first.generateSeconds(),
                first.generateRetries(), (System.nanoTime() - first.startNanos()) / 1e9, positions.remove(batchId))));
    }

    /**
     * The update from one scored batch. When it throws (the learner replies so, then restarts from the state before
     * it), the same batch is learned again, up to {@code attempts} times in all; then the run fails with the reason.
     */
    private static <T> CompletionStage<Pair<Regrouped<T>, LearnerActor.Learned>> learn(Regrouped<T> regrouped,
            ActorRef<LearnerActor.Command> learner, TrainingSettings settings, Scheduler scheduler,
            Map<String, Object> checkpointState, Map<Long, Integer> retries, int attempts) {
        var rollouts = new ArrayList<Rollout>();
        var rewards = new ArrayList<Double>();
        var counterfactualRewards = new ArrayList<double[]>();
        int failed = 0;
        for (Outcome<T> o : regrouped.outcomes()) {
            if (o.outcome() instanceof EnvironmentActor.Scored scored) {
                rollouts.add(scored.rollout());
                rewards.add(scored.result().reward());
                counterfactualRewards.add(scored.counterfactualRewards());
            } else {
                failed++;
            }
        }
        var batch = new ScoredBatch(regrouped.batchId(), regrouped.rolloutVersion(), rollouts,
                rewards.stream().mapToDouble(Double::doubleValue).toArray(), failed, counterfactualRewards);
        var state = new LinkedHashMap<String, Object>(checkpointState);
        state.put("step", regrouped.batchId());
        state.put("cursor_epoch", regrouped.cursor().epoch());
        state.put("cursor_offset", regrouped.cursor().offset());
        boolean checkpoint = regrouped.batchId() % settings.checkpointEvery() == 0
                || regrouped.batchId() == settings.steps();
        return AskPattern.<LearnerActor.Command, LearnerActor.LearnOutcome>ask(learner,
                        replyTo -> new LearnerActor.Learn(batch, state, checkpoint, replyTo), settings.learnTimeout(),
                        scheduler)
                .thenCompose(outcome -> switch (outcome) {
                    case LearnerActor.Learned learned -> CompletableFuture.completedFuture(Pair.create(regrouped, learned));
                    case LearnerActor.LearnFailed thrown -> {
                        if (attempts <= 1) {
                            yield CompletableFuture.<Pair<Regrouped<T>, LearnerActor.Learned>>failedFuture(
                                    new IllegalStateException("the update from batch " + regrouped.batchId()
                                            + " failed " + LEARN_ATTEMPTS + " times: " + thrown.reason()));
                        }
                        retries.merge(regrouped.batchId(), 1, Integer::sum);
                        yield learn(regrouped, learner, settings, scheduler, checkpointState, retries, attempts - 1);
                    }
                });
    }

    private static <T> StepReport report(Regrouped<T> regrouped, LearnerActor.Learned learned, double publishSeconds,
            TrainingSettings settings, int learnRetries) {
        var rewards = new ArrayList<Double>();
        double metricSum = 0;
        int formatValid = 0;
        int failed = 0;
        var samples = new ArrayList<StepReport.SampleRecord>();
        var versions = new java.util.TreeSet<Long>();
        var environmentMetrics = new java.util.TreeMap<String, double[]>();
        for (Outcome<T> o : regrouped.outcomes()) {
            versions.add(o.job().rollout().policyVersion());
            if (o.outcome() instanceof EnvironmentActor.Scored scored) {
                EnvironmentResult result = scored.result();
                rewards.add(result.reward());
                result.metrics().forEach((key, value) -> {
                    double[] sumAndCount = environmentMetrics.computeIfAbsent(key, k -> new double[2]);
                    sumAndCount[0] += value;
                    sumAndCount[1]++;
                });
                double metric = result.metrics().getOrDefault(settings.metricName(), 0.0);
                metricSum += metric;
                formatValid += result.formatValid() ? 1 : 0;
                if (samples.size() < settings.samplesStored()) {
                    Rollout r = scored.rollout();
                    samples.add(new StepReport.SampleRecord(r.promptId(), o.job().original(), r.completion(),
                            result.query().orElse(null), result.reward(), metric, r.policyVersion()));
                }
            } else {
                failed++;
            }
        }
        int n = rewards.size();
        double mean = rewards.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double variance = n < 2 ? 0 : rewards.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum() / (n - 1);
        var metrics = new LinkedHashMap<String, Double>(learned.metrics());
        // every environment metric, averaged over the samples that reported it (e.g. env/recall@100, env/search/...)
        environmentMetrics.forEach((key, sumAndCount) -> metrics.put("env/" + key, sumAndCount[0] / sumAndCount[1]));
        metrics.put("timing_s/generate", regrouped.generateSeconds());
        metrics.put("timing_s/reward", regrouped.rewardSeconds());
        metrics.put("timing_s/swap", publishSeconds);
        // generations of this batch (or of parts of it) that were done again: after the policy actor threw and got the
        // newest weights back, or handed to another rollout worker
        metrics.put("actor/generate_retries", (double) regrouped.generateRetries());
        // updates from this batch that threw and were redone (on the learner restarted from before them)
        metrics.put("actor/learn_retries", (double) learnRetries);
        return new StepReport(regrouped.batchId(), regrouped.rolloutVersion(), learned.version(), mean,
                n < 2 ? 0 : Math.sqrt(variance / n), n == 0 ? 0 : metricSum / n, n == 0 ? 0 : (double) formatValid / n,
                n, failed, metrics, samples, List.copyOf(versions));
    }

    private static Map<String, Integer> indexById(TrainingTasks<?> tasks) {
        var index = new HashMap<String, Integer>();
        for (int i = 0; i < tasks.size(); i++) {
            index.put(tasks.promptId(i), i);
        }
        return index;
    }

    private static <T> CompletionStage<Outcome<T>> score(Job<T> job, RolloutScorer<T> scorer) {
        return scorer.score(job.rollout(), job.task()).thenApply(outcome -> new Outcome<>(job, outcome));
    }
}
