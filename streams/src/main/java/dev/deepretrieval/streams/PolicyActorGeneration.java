package dev.deepretrieval.streams;

import dev.deepretrieval.actors.PolicyActor;
import dev.deepretrieval.actors.RolloutBatch;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.actors.WeightsSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Rollouts from the run's own {@link PolicyActor}. When generation throws (the actor replies so, then restarts and
 * reloads its model), the batch is generated again with the same seed after the actor has been given the newest
 * weights and their version, up to {@link #ATTEMPTS} times in all; then the batch fails with the reason.
 */
public final class PolicyActorGeneration implements RolloutGenerator {

    /** Generations of one batch tried before a run fails (the first and two after a policy actor's restart). */
    static final int ATTEMPTS = 3;

    private final ActorRef<PolicyActor.Command> policy;
    private final Duration generateTimeout;
    private final Duration swapTimeout;
    private final Scheduler scheduler;
    private final AtomicReference<WeightsSnapshot> latestWeights = new AtomicReference<>();

    public PolicyActorGeneration(ActorRef<PolicyActor.Command> policy, Duration generateTimeout, Duration swapTimeout,
            Scheduler scheduler) {
        this.policy = policy;
        this.generateTimeout = generateTimeout;
        this.swapTimeout = swapTimeout;
        this.scheduler = scheduler;
    }

    @Override
    public CompletionStage<RolloutBatch> generate(long batchId, List<RolloutPrompt> prompts, int samplesPerPrompt,
            long seed) {
        return attempt(batchId, prompts, samplesPerPrompt, seed, ATTEMPTS);
    }

    private CompletionStage<RolloutBatch> attempt(long batchId, List<RolloutPrompt> prompts, int samplesPerPrompt,
            long seed, int attempts) {
        return AskPattern.<PolicyActor.Command, PolicyActor.Generated>ask(policy,
                        replyTo -> new PolicyActor.Generate(batchId, prompts, samplesPerPrompt, seed, replyTo),
                        generateTimeout, scheduler)
                .thenCompose(generated -> switch (generated) {
                    case RolloutBatch batch -> CompletableFuture.completedFuture(attempts == ATTEMPTS ? batch
                            : batch.withRetries(ATTEMPTS - attempts));
                    case PolicyActor.GenerationFailed failed -> {
                        if (attempts <= 1) {
                            yield CompletableFuture.<RolloutBatch>failedFuture(new IllegalStateException(
                                    "generating batch " + batchId + " failed " + ATTEMPTS + " times: "
                                            + failed.reason()));
                        }
                        WeightsSnapshot weights = latestWeights.get();
                        CompletionStage<?> restored = weights == null ? CompletableFuture.completedFuture(null)
                                : swap(weights);
                        yield restored.thenCompose(ignored -> attempt(batchId, prompts, samplesPerPrompt, seed,
                                attempts - 1));
                    }
                });
    }

    @Override
    public CompletionStage<Double> publish(WeightsSnapshot weights) {
        latestWeights.set(weights);
        return swap(weights).thenApply(PolicyActor.WeightsSwapped::seconds);
    }

    private CompletionStage<PolicyActor.WeightsSwapped> swap(WeightsSnapshot weights) {
        return AskPattern.ask(policy, replyTo -> new PolicyActor.SwapWeights(weights, replyTo), swapTimeout,
                scheduler);
    }
}
