package dev.deepretrieval.actors;

import dev.deepretrieval.rewriter.Decoding;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.rl.KlEstimator;
import dev.deepretrieval.policy.rl.LearningRateSchedule;
import dev.deepretrieval.policy.rl.LossAggregation;
import dev.deepretrieval.policy.rl.RlSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import dev.deepretrieval.policy.rl.TrainerCheckpoints;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.io.TempDir;

/** The policy and learner actors' protocols on the bundled default policy. */
class PolicyAndLearnerActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final PromptTemplate TEMPLATE = PromptTemplate.bundled("scifact");
    private static final Duration WAIT = Duration.ofMinutes(2);

    @AfterAll
    static void close() {
        testKit.shutdownTestKit();
    }

    private static List<RolloutPrompt> prompts() {
        String a = "Vitamin D deficiency increases the risk of tuberculosis.";
        String b = "Aspirin reduces the risk of colorectal cancer.";
        return List.of(new RolloutPrompt("a", a, TEMPLATE.render(a)), new RolloutPrompt("b", b, TEMPLATE.render(b)));
    }

    /** GRPO, groups of 3, lr 1e-4, no KL: the learner's settings in these tests. */
    private static RlSettings grpo() {
        var lr = new LearningRateSchedule(1e-4, 0, 10, LearningRateSchedule.Shape.CONSTANT, 1.0);
        return new RlSettings(RlSettings.Algorithm.GRPO, 3, 1, 1, 0.2, 0.2, 3, 0.5, 0.0, RlSettings.KlMode.NONE,
                KlEstimator.K3, 0.0, 6, 10000, RlSettings.CriticMode.SEPARATE, 0.5, LossAggregation.TOKEN_MEAN, 1, 1, 1,
                1.0, 40, Set.of(), lr, lr, 0, 1, RlSettings.DecisionObjective.SURROGATE);
    }

    private static Policy load() {
        return PolicyLoader.load(Fixtures.defaultPolicy(), Optional.empty(), PolicyLoader.device("cpu"));
    }

    @Test
    void generatesTaggedBatchesAndSwapsWeights() {
        var policy = testKit.spawn(PolicyActor.create(() -> RolloutModel.of(load(), TEMPLATE, Decoding.FREE),
                SamplingSettings.sampling(1.0, 40, Set.of(), 0), 8, 0));
        TestProbe<PolicyActor.Generated> batches = testKit.createTestProbe();
        policy.tell(new PolicyActor.Generate(1, prompts(), 3, 11, batches.getRef()));
        RolloutBatch first = (RolloutBatch) batches.receiveMessage(WAIT);
        assertEquals(1, first.batchId());
        assertEquals(0, first.policyVersion());
        assertEquals(6, first.rollouts().size());
        assertEquals(List.of("a", "a", "a", "b", "b", "b"), first.rollouts().stream().map(Rollout::promptId).toList());
        first.rollouts().forEach(r -> {
            assertTrue(r.completion().startsWith("Let me think step by step. \n<think>\n"), r.completion());
            assertTrue(r.responseTokens().length > 0 && r.responseTokens().length <= 40);
        });
        policy.tell(new PolicyActor.Generate(2, prompts(), 3, 11, batches.getRef()));
        RolloutBatch again = (RolloutBatch) batches.receiveMessage(WAIT);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(first.rollouts().get(i).responseTokens(), again.rollouts().get(i).responseTokens(),
                    "the same seed samples the same tokens");
        }

        // weights perturbed in a copy, then swapped in: the version tags the next batch and greedy text changes
        WeightsSnapshot perturbed;
        try (Policy copy = load()) {
            copy.weights().parameters().get("model.norm.weight").muli(-1f);
            perturbed = WeightsSnapshot.of(5, copy.weights().parameters());
        }
        TestProbe<PolicyActor.WeightsSwapped> swaps = testKit.createTestProbe();
        policy.tell(new PolicyActor.SwapWeights(perturbed, swaps.getRef()));
        assertEquals(5, swaps.receiveMessage(WAIT).version());
        policy.tell(new PolicyActor.Generate(3, prompts(), 3, 11, batches.getRef()));
        RolloutBatch after = (RolloutBatch) batches.receiveMessage(WAIT);
        assertEquals(5, after.policyVersion());
        after.rollouts().forEach(r -> assertEquals(5, r.policyVersion()));
        assertNotEquals(first.rollouts().get(0).completion(), after.rollouts().get(0).completion());
        testKit.stop(policy);
    }

    @Test
    void learnsFromAScoredBatchPublishesWeightsAndCheckpointsOnRequest(@TempDir Path checkpoints) throws Exception {
        RlSettings settings = grpo();
        var policy = testKit.spawn(PolicyActor.create(() -> RolloutModel.of(load(), TEMPLATE, Decoding.FREE),
                SamplingSettings.sampling(1.0, 40, Set.of(), 0), 8, 0));
        TestProbe<PolicyActor.Generated> batches = testKit.createTestProbe();
        policy.tell(new PolicyActor.Generate(1, prompts(), 3, 3, batches.getRef()));
        RolloutBatch batch = (RolloutBatch) batches.receiveMessage(WAIT);
        double[] rewards = {1, 0, 0, 0, 1, 0};

        var learner = testKit.spawn(LearnerActor.create(() -> Learner.create(Fixtures.defaultPolicy(), settings,
                checkpoints, 2, "cpu")));
        TestProbe<LearnerActor.LearnOutcome> learned = testKit.createTestProbe();
        learner.tell(new LearnerActor.Learn(new ScoredBatch(1, 0, batch.rollouts(), rewards, 0), Map.of("step", 1), false,
                learned.getRef()));
        LearnerActor.Learned first = (LearnerActor.Learned) learned.receiveMessage(WAIT);
        assertEquals(1, first.version());
        assertEquals(1, first.weights().version());
        assertTrue(first.metrics().containsKey("actor/pg_loss"), first.metrics().keySet().toString());
        assertTrue(!first.checkpointed());
        try (Policy base = load()) {
            float[] before = base.weights().parameters().get("model.norm.weight").toFloatArray();
            assertNotEquals(before[0], first.weights().tensors().get("model.norm.weight")[0], "the update moved the weights");
        }
        learner.tell(new LearnerActor.Learn(new ScoredBatch(2, 1, batch.rollouts(), rewards, 0), Map.of("step", 2), true,
                learned.getRef()));
        LearnerActor.Learned second = (LearnerActor.Learned) learned.receiveMessage(WAIT);
        assertEquals(2, second.version());
        assertTrue(second.checkpointed());
        var latest = new CheckpointStore(checkpoints, 2).latestValid().orElseThrow();
        assertEquals(2, latest.step());
        assertEquals(2, latest.state().path("step").asInt());

        // an empty batch (every sample failed) changes nothing
        learner.tell(new LearnerActor.Learn(new ScoredBatch(3, 2, List.of(), new double[0], 6), Map.of(), false,
                learned.getRef()));
        assertEquals(2, ((LearnerActor.Learned) learned.receiveMessage(WAIT)).version());

        TestProbe<LearnerActor.Saved> saved = testKit.createTestProbe();
        learner.tell(new LearnerActor.SaveCheckpoint(Map.of("step", 3), saved.getRef()));
        assertEquals(2, saved.receiveMessage(WAIT).version());
        testKit.stop(policy);
        testKit.stop(learner);
    }

    @Test
    void aLearnerThatThrowsMidUpdateRestartsFromTheStateBeforeItAndRedoesItExactly(@TempDir Path dir) {
        RlSettings settings = grpo();
        var policy = testKit.spawn(PolicyActor.create(() -> RolloutModel.of(load(), TEMPLATE, Decoding.FREE),
                SamplingSettings.sampling(1.0, 40, Set.of(), 0), 8, 0));
        TestProbe<PolicyActor.Generated> batches = testKit.createTestProbe();
        policy.tell(new PolicyActor.Generate(1, prompts(), 3, 3, batches.getRef()));
        List<Rollout> rollouts = ((RolloutBatch) batches.receiveMessage(WAIT)).rollouts();
        testKit.stop(policy);
        double[] rewards = {1, 0, 0, 0, 1, 0};

        // the second update throws after it has changed the weights; the restarted learner is back where it began
        var thrown = new AtomicBoolean();
        Supplier<Updater> failingOnce = () -> {
            Learner real = Learner.create(Fixtures.defaultPolicy(), settings, dir, 2, "cpu");
            return new Updater() {
                public Map<String, Double> learn(ScoredBatch batch) {
                    Map<String, Double> metrics = real.learn(batch);
                    if (batch.batchId() == 2 && thrown.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected after the update");
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
        var crashing = testKit.spawn(Behaviors.supervise(LearnerActor.create(failingOnce))
                .onFailure(SupervisorStrategy.restart()));
        TestProbe<LearnerActor.LearnOutcome> replies = testKit.createTestProbe();
        for (long b = 1; b <= 2; b++) {
            crashing.tell(new LearnerActor.Learn(new ScoredBatch(b, b - 1, rollouts, rewards, 0), Map.of(), false,
                    replies.getRef()));
        }
        LearnerActor.Learned first = (LearnerActor.Learned) replies.receiveMessage(WAIT);
        assertEquals(1, first.version());
        var failed = (LearnerActor.LearnFailed) replies.receiveMessage(WAIT);
        assertEquals(2, failed.batchId());
        assertTrue(failed.reason().contains("injected after the update"), failed.reason());
        // nothing to learn from: the reply shows the restarted learner's weights, exactly those after update 1
        crashing.tell(new LearnerActor.Learn(new ScoredBatch(2, 1, List.of(), new double[0], 6), Map.of(), false,
                replies.getRef()));
        LearnerActor.Learned restored = (LearnerActor.Learned) replies.receiveMessage(WAIT);
        assertEquals(1, restored.version());
        first.weights().tensors().forEach((name, values) ->
                assertArrayEquals(values, restored.weights().tensors().get(name), name));
        assertEquals(Map.of("learner/restarted", 1.0, "learner/restored_version", 1.0,
                "learner/restored_from_checkpoint", 0.0), Map.of("learner/restarted",
                restored.metrics().get("learner/restarted"), "learner/restored_version",
                restored.metrics().get("learner/restored_version"), "learner/restored_from_checkpoint",
                restored.metrics().get("learner/restored_from_checkpoint")));
        // the update redone on top of it is the policy's version 2, and a restart is reported once
        crashing.tell(new LearnerActor.Learn(new ScoredBatch(2, 1, rollouts, rewards, 0), Map.of(), false,
                replies.getRef()));
        LearnerActor.Learned redone = (LearnerActor.Learned) replies.receiveMessage(WAIT);
        assertEquals(2, redone.version());
        assertTrue(!redone.metrics().containsKey("learner/restarted"), redone.metrics().toString());
        testKit.stop(crashing);
    }
}
