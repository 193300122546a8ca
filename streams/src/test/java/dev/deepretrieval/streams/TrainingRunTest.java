package dev.deepretrieval.streams;

import dev.deepretrieval.tasks.TrainingTasks;
import dev.deepretrieval.rewriter.Decoding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.Learner;
import dev.deepretrieval.actors.RolloutModel;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.actors.RolloutBatch;
import dev.deepretrieval.actors.ScoredBatch;
import dev.deepretrieval.actors.Updater;
import dev.deepretrieval.actors.WeightsSnapshot;
import dev.deepretrieval.policy.rl.TrainerCheckpoints;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.rl.KlEstimator;
import dev.deepretrieval.policy.rl.LearningRateSchedule;
import dev.deepretrieval.policy.rl.LossAggregation;
import dev.deepretrieval.policy.rl.RlSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short training runs through the supervisor, the actors and the graph, with the bundled default policy and BM25
 * over SciFact: on-policy ordering, backpressure against a slow environment, failures counted and excluded, and a
 * graceful stop that a new run resumes.
 */
class TrainingRunTest {

    private static final ActorTestKit testKit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString(
            "deepretrieval.blocking-dispatcher { type = Dispatcher, executor = thread-pool-executor,"
                    + " thread-pool-executor.fixed-pool-size = 2, throughput = 1 }"));
    private static final Path MODEL = Path.of("..", "models", "default-policy").toAbsolutePath().normalize();
    private static final PromptTemplate TEMPLATE = PromptTemplate.bundled("scifact");

    @TempDir
    static Path cache;

    private static ExecutorService pool;
    private static FlatBm25Index index;
    private static RetrievalEnvironment bm25;
    private static Tasks tasks;

    /** The first SciFact train claims with their judgments. */
    record Tasks(List<RetrievalTask> list) implements TrainingTasks<RetrievalTask> {
        public int size() { return list.size(); }
        public String promptId(int i) { return list.get(i).queryId(); }
        public String original(int i) { return list.get(i).queryText(); }
        public String prompt(int i) { return TEMPLATE.render(list.get(i).queryText()); }
        public RetrievalTask task(int i) { return list.get(i); }
    }

    @BeforeAll
    static void open() {
        pool = Executors.newFixedThreadPool(2);
        BeirDataset scifact = BeirDataset.open("scifact", Path.of("..", "data", "beir-scifact"));
        index = FlatBm25Index.openOrBuild(scifact, cache, IndexBuildListener.SILENT);
        bm25 = new RetrievalEnvironment(new Bm25Retriever(index.searcher(Bm25Parameters.ANSERINI, 1024),
                QueryMode.BAG_OF_WORDS), new RetrievalEnvironmentSettings(AnswerFormat.THINK_THEN_ANSWER, 1000, 10,
                PaperRewards.BEIR), pool);
        var list = new ArrayList<RetrievalTask>();
        var qrels = scifact.qrels(Split.TRAIN).orElseThrow();
        for (Query q : scifact.queriesOf(Split.TRAIN).subList(0, 12)) {
            list.add(new RetrievalTask(q.id(), q.text(), qrels.judgments(q.id())));
        }
        tasks = new Tasks(List.copyOf(list));
    }

    @AfterAll
    static void close() throws Exception {
        testKit.shutdownTestKit();
        index.close();
        pool.shutdownNow();
    }

    private static RlSettings ppo() {
        var lr = new LearningRateSchedule(2e-5, 0, 100, LearningRateSchedule.Shape.CONSTANT, 1.0);
        return new RlSettings(RlSettings.Algorithm.PPO, 1, 1, 1, 0.2, 0.2, 3, 0.5, 0.001, RlSettings.KlMode.REWARD_FIXED,
                KlEstimator.K1, 0.001, 6, 10000, RlSettings.CriticMode.SEPARATE, 0.5, LossAggregation.TOKEN_MEAN, 1, 1, 1,
                1.0, 48, Set.of(), lr, lr, 0, 1, RlSettings.DecisionObjective.SURROGATE);
    }

    private static TrainingRunSpec<RetrievalTask> spec(Environment<RetrievalTask> environment, Path checkpoints,
            long steps, int staleness, long firstStep, PromptCursor.Position cursor, Duration callTimeout) {
        return spec(tasks, Decoding.FREE, environment, checkpoints, steps, staleness, firstStep, cursor, callTimeout);
    }

    private static TrainingRunSpec<RetrievalTask> spec(Tasks tasks, Decoding decoding,
            Environment<RetrievalTask> environment, Path checkpoints, long steps, int staleness, long firstStep,
            PromptCursor.Position cursor, Duration callTimeout) {
        return spec(tasks, () -> RolloutModel.of(RolloutPolicies.load(MODEL, checkpoints, "cpu"), TEMPLATE, decoding),
                environment, () -> Learner.create(MODEL, ppo(), checkpoints, 2, "cpu"), steps, staleness, firstStep,
                cursor, callTimeout);
    }

    private static TrainingRunSpec<RetrievalTask> spec(Tasks tasks, Supplier<? extends RolloutModel> model,
            Environment<RetrievalTask> environment, Supplier<? extends Updater> learner, long steps, int staleness,
            long firstStep, PromptCursor.Position cursor, Duration callTimeout) {
        var settings = new TrainingSettings(2, 1, steps, staleness, 4, callTimeout, Duration.ofMinutes(5),
                Duration.ofMinutes(5), 7, 2, "ndcg@10", 2);
        return new TrainingRunSpec<>(tasks, settings, model, SamplingSettings.sampling(1.0, 48, Set.of(), 7), 4, Credit.OUTCOME,
                environment, 4, callTimeout, learner, firstStep, cursor, Map.of("run_id", "test"),
                Duration.ofMillis(200));
    }

    /** Runs to the end, returning the step reports and the end event. */
    private static List<Object> run(TrainingRunSpec<RetrievalTask> spec, boolean stopAfterFirstStep) {
        TestProbe<TrainingRunSupervisor.RunEvent> probe = testKit.createTestProbe();
        ActorRef<TrainingRunSupervisor.Command> supervisor = testKit.spawn(TrainingRunSupervisor.create(spec));
        supervisor.tell(new TrainingRunSupervisor.Subscribe(probe.getRef()));
        supervisor.tell(new TrainingRunSupervisor.Start());
        var events = new ArrayList<Object>();
        while (true) {
            TrainingRunSupervisor.RunEvent event = probe.receiveMessage(Duration.ofMinutes(3));
            events.add(event);
            if (event instanceof TrainingRunSupervisor.Step && stopAfterFirstStep && events.size() == 1) {
                supervisor.tell(new TrainingRunSupervisor.Stop());
            }
            if (event instanceof TrainingRunSupervisor.Ended) {
                testKit.stop(supervisor);
                return events;
            }
        }
    }

    private static List<StepReport> steps(List<Object> events) {
        return events.stream().filter(e -> e instanceof TrainingRunSupervisor.Step)
                .map(e -> ((TrainingRunSupervisor.Step) e).report()).toList();
    }

    @Test
    void aGenerationThatKeepsThrowingIsRetriedThenEndsTheRunWithItsReasonNotAfterTheTimeout(@TempDir Path dir) {
        // extractive rewrites of a query without words: generation throws every time
        var wordless = new Tasks(List.of(new RetrievalTask("x1", " ", Map.of("d", 1)),
                new RetrievalTask("x2", " ", Map.of("d", 1))));
        long start = System.nanoTime();
        List<Object> events = run(spec(wordless, Decoding.EXTRACTIVE, bm25, dir, 3, 0, 0,
                new PromptCursor.Position(0, 0), Duration.ofSeconds(30)), false);
        double seconds = (System.nanoTime() - start) / 1e9;
        var ended = (TrainingRunSupervisor.Ended) events.getLast();
        assertEquals(TrainingRunSupervisor.State.FAILED, ended.state(), events.toString());
        assertTrue(ended.failure().contains("generating batch 1 failed 3 times"), ended.failure());
        assertEquals(List.of(), steps(events));
        // the spec's generate timeout is 5 minutes: the explicit failures end it long before
        assertTrue(seconds < 120, "ended after " + seconds + " s");
    }

    @Test
    void wordCreditScoresEveryWordChoiceOncePerPromptAndCreditsTheChoiceTokens(@TempDir Path dir) {
        // every completion the environment is asked to score, per prompt: a rollout's own and its counterfactuals'
        var scored = new java.util.concurrent.ConcurrentHashMap<String, Integer>();
        Environment<RetrievalTask> counting = new Environment<>() {
            @Override
            public String name() {
                return "bm25";
            }

            @Override
            public java.util.concurrent.CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                scored.merge(task.queryId() + "\n" + completion, 1, Integer::sum);
                return bm25.score(task, completion);
            }
        };
        var lr = new LearningRateSchedule(3e-4, 0, 100, LearningRateSchedule.Shape.CONSTANT, 1.0);
        var grpo = new RlSettings(RlSettings.Algorithm.GRPO, 2, 1, 1, 0.2, 0.2, 3, 0.5, 0, RlSettings.KlMode.NONE,
                KlEstimator.K1, 0, 6, 10000, RlSettings.CriticMode.SEPARATE, 0.5, LossAggregation.TOKEN_MEAN, 1, 1, 2,
                6.0, 96, Set.of(), lr, lr, 0, 1, RlSettings.DecisionObjective.SURROGATE);
        var settings = new TrainingSettings(2, 2, 2, 0, 4, Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofMinutes(5), 7, 2, "ndcg@10", 2);
        var spec = new TrainingRunSpec<>(tasks, settings,
                () -> RolloutModel.of(RolloutPolicies.load(MODEL, dir, "cpu"), TEMPLATE, Decoding.EXTRACTIVE),
                SamplingSettings.sampling(6.0, 96, Set.of(), 7), 4, Credit.WORD, counting, 4, Duration.ofSeconds(60),
                () -> Learner.create(MODEL, grpo, dir, 2, "cpu", true), 0, new PromptCursor.Position(0, 0),
                Map.of("run_id", "test"), Duration.ofMillis(200));
        List<StepReport> steps = steps(run(spec, false));
        assertEquals(List.of(1L, 2L), steps.stream().map(StepReport::step).toList());
        for (StepReport step : steps) {
            assertEquals(4, step.scored());
            // a claim of n words copied makes n choices; 2 claims x 2 samples make at least one each
            assertTrue(step.metrics().get("actor/word_choices") >= 4, step.metrics().toString());
            assertTrue(step.metrics().get("actor/word_choices_that_mattered") <= step.metrics().get("actor/word_choices"));
        }
        // each completion of a prompt retrieved once, however many samples shared it as a counterfactual
        assertTrue(scored.values().stream().allMatch(n -> n == 1), scored.toString());
        assertTrue(scored.size() > 8, "the 8 rollouts and their counterfactuals: " + scored.size());
    }

    @Test
    void strictlyOnPolicyRunUpdatesEveryStepAndTagsRolloutsWithThePreviousVersion(@TempDir Path dir) {
        List<Object> events = run(spec(bm25, dir, 3, 0, 0, new PromptCursor.Position(0, 0), Duration.ofSeconds(30)), false);
        List<StepReport> steps = steps(events);
        assertEquals(List.of(1L, 2L, 3L), steps.stream().map(StepReport::step).toList());
        assertEquals(List.of(0L, 1L, 2L), steps.stream().map(StepReport::rolloutVersion).toList());
        assertEquals(List.of(1L, 2L, 3L), steps.stream().map(StepReport::policyVersion).toList());
        steps.forEach(s -> {
            assertEquals(2, s.scored());
            assertEquals(0, s.failed());
            assertTrue(s.metrics().containsKey("actor/pg_loss"), s.metrics().keySet().toString());
            assertTrue(s.metrics().get("timing_s/generate") > 0);
        });
        var end = (TrainingRunSupervisor.Ended) events.get(events.size() - 1);
        assertEquals(TrainingRunSupervisor.State.COMPLETED, end.state());
        assertTrue(Files.isDirectory(dir.resolve("step-00000002")) && Files.isDirectory(dir.resolve("step-00000003")),
                "checkpoints every 2 steps and after the last");
    }

    @Test
    void aSlowEnvironmentHoldsGenerationBackAndInFlightWorkStaysBounded(@TempDir Path dir) {
        var generated = new AtomicInteger();
        var learned = new AtomicInteger();
        var maxAhead = new AtomicInteger();
        Environment<RetrievalTask> slow = new Environment<>() {
            public String name() { return "bm25"; }
            public CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                // the real reward, delivered 400 ms later by a timer
                return CompletableFuture.supplyAsync(() -> bm25.scoreNow(task, completion),
                        CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS, pool));
            }
        };
        int staleness = 1;
        var spec = spec(slow, dir, 5, staleness, 0, new PromptCursor.Position(0, 0), Duration.ofSeconds(30));
        TrainingGraph.Listener observer = new TrainingGraph.Listener() {
            public void onStep(StepReport report) {}
            public void onGenerated(RolloutBatch batch) {
                maxAhead.accumulateAndGet(generated.incrementAndGet() - learned.get(), Math::max);
            }
            public void onBatchLearned(long batchId) {
                learned.incrementAndGet();
            }
        };
        // the graph directly, with the supervisor's actors spawned by hand
        var policy = testKit.spawn(dev.deepretrieval.actors.PolicyActor.create(spec.rolloutModel(), spec.sampling(), 4, 0), org.apache.pekko.actor.typed.DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
        var environment = testKit.spawn(dev.deepretrieval.actors.EnvironmentActor.create(slow, 1, 16, Duration.ofSeconds(30)));
        var learner = testKit.spawn(dev.deepretrieval.actors.LearnerActor.create(spec.learnerFactory()),
                org.apache.pekko.actor.typed.DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
        var scorer = dev.deepretrieval.actors.RolloutScorer.asking(environment,
                spec.settings().scoreTimeout().plus(TrainingGraph.ASK_MARGIN), testKit.system().scheduler());
        var generator = new PolicyActorGeneration(policy, spec.settings().generateTimeout(),
                spec.settings().learnTimeout(), testKit.system().scheduler());
        TrainingGraph.Running running = TrainingGraph.run(tasks, spec.settings(), generator, scorer, learner,
                testKit.system().scheduler(), org.apache.pekko.stream.Materializer.matFromSystem(testKit.system()), 0,
                new PromptCursor.Position(0, 0), Map.of(), observer);
        running.done().toCompletableFuture().orTimeout(5, TimeUnit.MINUTES).join();
        assertEquals(5, generated.get());
        assertEquals(5, learned.get());
        // never more than staleness + 1 batches between generation and update, however slow the environment
        assertTrue(maxAhead.get() <= staleness + 1, "batches ahead: " + maxAhead.get());
        assertEquals(staleness + 1, maxAhead.get(), "the policy did run ahead by the allowed amount");
        testKit.stop(policy);
        testKit.stop(environment);
        testKit.stop(learner);
    }

    @Test
    void failingAndHangingScoresAreCountedAndExcludedAndEveryStepFinishes(@TempDir Path dir) {
        Set<String> throwing = Set.of(tasks.promptId(0), tasks.promptId(3));
        Set<String> hanging = Set.of(tasks.promptId(1));
        Environment<RetrievalTask> faulty = new Environment<>() {
            public String name() { return "bm25"; }
            public CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                if (throwing.contains(task.queryId())) {
                    throw new IllegalStateException("injected");
                }
                if (hanging.contains(task.queryId())) {
                    return new CompletableFuture<>();
                }
                return bm25.score(task, completion);
            }
        };
        List<Object> events = run(spec(faulty, dir, 3, 0, 0, new PromptCursor.Position(0, 0), Duration.ofMillis(500)),
                false);
        List<StepReport> steps = steps(events);
        assertEquals(3, steps.size());
        // the 6 prompts drawn in 3 steps of 2 are a seeded shuffle; count the faulty ones among them
        var cursor = new PromptCursor(tasks.size(), 7, new PromptCursor.Position(0, 0));
        int expectedFailures = 0;
        for (int i : cursor.next(6)) {
            expectedFailures += throwing.contains(tasks.promptId(i)) || hanging.contains(tasks.promptId(i)) ? 1 : 0;
        }
        assertEquals(expectedFailures, steps.stream().mapToInt(StepReport::failed).sum());
        steps.forEach(s -> assertEquals(2, s.scored() + s.failed()));
        assertEquals(TrainingRunSupervisor.State.COMPLETED, ((TrainingRunSupervisor.Ended) events.get(events.size() - 1)).state());
    }

    @Test
    void aStoppedRunCheckpointsAndAResumedRunFinishesTheRemainingSteps(@TempDir Path dir) throws Exception {
        List<Object> first = run(spec(bm25, dir, 4, 0, 0, new PromptCursor.Position(0, 0), Duration.ofSeconds(30)), true);
        var end = (TrainingRunSupervisor.Ended) first.get(first.size() - 1);
        assertEquals(TrainingRunSupervisor.State.STOPPED, end.state());
        long stoppedAt = end.lastStep();
        assertTrue(stoppedAt >= 1 && stoppedAt < 4, "stopped at " + stoppedAt);
        var latest = new dev.deepretrieval.policy.checkpoint.CheckpointStore(dir, 2).latestValid().orElseThrow();
        assertEquals(stoppedAt, latest.step());
        assertEquals(stoppedAt, latest.state().path("step").asLong());
        var cursor = new PromptCursor.Position(latest.state().path("cursor_epoch").asInt(),
                latest.state().path("cursor_offset").asInt());
        List<StepReport> resumed = steps(run(spec(bm25, dir, 4, 0, stoppedAt, cursor, Duration.ofSeconds(30)), false));
        var expected = new ArrayList<Long>();
        for (long s = stoppedAt + 1; s <= 4; s++) {
            expected.add(s);
        }
        assertEquals(expected, resumed.stream().map(StepReport::step).toList());
        assertEquals(stoppedAt, resumed.get(0).rolloutVersion(), "the resumed policy carries on from the checkpoint");
    }

    // Crash tests: an exception injected into the policy, environment or learner actor during step 3 of a 6-step run.

    /** The real rollout model, throwing on the {@code failing}-th generation (counted across restarts). */
    private static Supplier<RolloutModel> modelFailingOnGeneration(Path checkpoints, int failing) {
        var calls = new AtomicInteger();
        return () -> {
            RolloutModel real = RolloutModel.of(RolloutPolicies.load(MODEL, checkpoints, "cpu"), TEMPLATE, Decoding.FREE);
            return new RolloutModel() {
                public List<Rewrite> rewrite(List<QueryRewriter.Prompt> prompts, int samples, SamplingSettings settings,
                        int batchSize) {
                    if (calls.incrementAndGet() == failing) {
                        throw new IllegalStateException("injected into generation " + failing);
                    }
                    return real.rewrite(prompts, samples, settings, batchSize);
                }
                public void load(WeightsSnapshot weights) { real.load(weights); }
                public void close() { real.close(); }
            };
        };
    }

    /** The real learner, throwing in the update from batch {@code failing} the first time (after part of it). */
    private static Supplier<Updater> learnerFailingOnBatch(Path checkpoints, long failing) {
        var thrown = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            Learner real = Learner.create(MODEL, ppo(), checkpoints, 2, "cpu");
            return new Updater() {
                public Map<String, Double> learn(ScoredBatch batch) {
                    Map<String, Double> metrics = real.learn(batch); // the update is applied, then the actor fails
                    if (batch.batchId() == failing && thrown.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected into the update from batch " + failing);
                    }
                    return metrics;
                }
                public long updates() { return real.updates(); }
                public WeightsSnapshot snapshot() { return real.snapshot(); }
                public void save(long step, Map<String, Object> state) { real.save(step, state); }
                public long restoreLatest() { return real.restoreLatest(); }
                public TrainerCheckpoints.Held hold() { return real.hold(); }
                public void restore(TrainerCheckpoints.Held held) { real.restore(held); }
                public void close() { real.close(); }
            };
        };
    }

    /** Every step of a 6-step run completed, each policy version once and in order, each rollout counted once. */
    private static List<StepReport> assertCompletedWithoutGaps(List<Object> events) {
        var end = (TrainingRunSupervisor.Ended) events.getLast();
        assertEquals(TrainingRunSupervisor.State.COMPLETED, end.state(), String.valueOf(end.failure()));
        List<StepReport> steps = steps(events);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps.stream().map(StepReport::step).toList());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), steps.stream().map(StepReport::rolloutVersion).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps.stream().map(StepReport::policyVersion).toList());
        steps.forEach(s -> assertEquals(2, s.scored() + s.failed(), "each of the step's 2 rollouts once"));
        steps.forEach(s -> s.samples().forEach(sample -> assertEquals(s.rolloutVersion(), sample.policyVersion())));
        return steps;
    }

    @Test
    void aPolicyActorThatThrowsInStep3IsRestartedAndTheBatchGeneratedAgainWithTheNewestWeights(@TempDir Path dir) {
        List<StepReport> steps = assertCompletedWithoutGaps(run(spec(tasks, modelFailingOnGeneration(dir, 3), bm25,
                () -> Learner.create(MODEL, ppo(), dir, 2, "cpu"), 6, 0, 0, new PromptCursor.Position(0, 0),
                Duration.ofSeconds(30)), false));
        assertEquals(List.of(0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
                steps.stream().map(s -> s.metrics().get("actor/generate_retries")).toList());
        steps.forEach(s -> assertEquals(0, s.failed()));
    }

    @Test
    void anEnvironmentThatThrowsInStep3FailsThatRolloutExplicitlyAndTheRunGoesOn(@TempDir Path dir) {
        var calls = new AtomicInteger();
        Environment<RetrievalTask> throwingOnce = new Environment<>() {
            public String name() { return "bm25"; }
            public CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                if (calls.incrementAndGet() == 5) { // the first score of batch 3 (2 rollouts a batch, on-policy)
                    throw new IllegalStateException("injected into scoring");
                }
                return bm25.score(task, completion);
            }
        };
        List<StepReport> steps = assertCompletedWithoutGaps(run(spec(throwingOnce, dir, 6, 0, 0, new PromptCursor.Position(0, 0), Duration.ofSeconds(30)), false));
        assertEquals(List.of(0, 0, 1, 0, 0, 0), steps.stream().map(StepReport::failed).toList());
        assertEquals(12, calls.get(), "no rollout scored twice");
    }

    @Test
    void aLearnerThatThrowsInStep3RestartsFromItsHeldStateAndRedoesTheUpdate(@TempDir Path dir) {
        List<StepReport> steps = assertCompletedWithoutGaps(run(spec(tasks,
                () -> RolloutModel.of(RolloutPolicies.load(MODEL, dir, "cpu"), TEMPLATE, Decoding.FREE), bm25,
                learnerFailingOnBatch(dir, 3), 6, 0, 0, new PromptCursor.Position(0, 0), Duration.ofSeconds(30)),
                false));
        assertEquals(List.of(0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
                steps.stream().map(s -> s.metrics().get("actor/learn_retries")).toList());
        Map<String, Double> redone = steps.get(2).metrics();
        assertEquals(1.0, redone.get("learner/restarted"));
        assertEquals(2.0, redone.get("learner/restored_version"), "the state after update 2");
        assertEquals(0.0, redone.get("learner/restored_from_checkpoint"), "held in memory");
        steps.stream().filter(s -> s.step() != 3).forEach(s -> assertTrue(!s.metrics().containsKey("learner/restarted")));
        steps.forEach(s -> assertEquals(0, s.failed()));
    }
}
