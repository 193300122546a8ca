package dev.deepretrieval.actors;

import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the rollout copy of the policy on its device: answers a rollout request with a batch of sampled completions,
 * each tagged with the policy version, and swaps in new weights when the learner publishes them. Generation blocks,
 * so spawn it on a blocking dispatcher.
 */
public final class PolicyActor extends AbstractBehavior<PolicyActor.Command> {

    public sealed interface Command {}

    /**
     * Sample {@code samplesPerPrompt} completions of every prompt, seeded by {@code seed}. The reply is the batch, or
     * an explicit failure when generation throws (the actor then restarts, reloading its model).
     */
    public record Generate(long batchId, List<RolloutPrompt> prompts, int samplesPerPrompt, long seed,
            ActorRef<Generated> replyTo) implements Command {}

    /** The reply to {@link Generate}. */
    public sealed interface Generated permits RolloutBatch, GenerationFailed {}

    /** Generation of a batch threw; the asker retries (after restoring the newest weights) or fails the run. */
    public record GenerationFailed(long batchId, String reason) implements Generated {}

    /** Replace the weights; rollouts after the reply carry {@code snapshot.version()}. */
    public record SwapWeights(WeightsSnapshot snapshot, ActorRef<WeightsSwapped> replyTo) implements Command {}

    public record WeightsSwapped(long version, double seconds) {}

    private final RolloutModel model;
    private final SamplingSettings sampling;
    private final int batchSize;
    private final Credit credit;
    private long version;

    private PolicyActor(ActorContext<Command> context, RolloutModel model, SamplingSettings sampling, int batchSize,
            Credit credit, long initialVersion) {
        super(context);
        this.credit = credit;
        this.model = model;
        this.sampling = sampling;
        this.batchSize = batchSize;
        this.version = initialVersion;
    }

    /**
     * @param loader loads the policy under the task's template and decoding (again after a restart, when the asker
     *     sends the newest weights before it asks again)
     * @param batchSize sequences generated together
     * @param initialVersion the version of the loaded weights (non-zero when resuming a run)
     */
    public static Behavior<Command> create(Supplier<? extends RolloutModel> loader, SamplingSettings sampling,
            int batchSize, long initialVersion) {
        return create(loader, sampling, batchSize, Credit.OUTCOME, initialVersion);
    }

    /**
     * @param credit {@link Credit#WORD}: each rollout carries its word choices' counterfactuals for the environment to
     *     score (extractive rewrites; others have none)
     */
    public static Behavior<Command> create(Supplier<? extends RolloutModel> loader, SamplingSettings sampling,
            int batchSize, Credit credit, long initialVersion) {
        return Behaviors.setup(context -> new PolicyActor(context, loader.get(), sampling, batchSize, credit,
                initialVersion));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Generate.class, this::onGenerate)
                .onMessage(SwapWeights.class, this::onSwap)
                .onSignal(PreRestart.class, signal -> close())
                .onSignal(PostStop.class, signal -> close())
                .build();
    }

    private Behavior<Command> close() {
        model.close();
        return this;
    }

    private Behavior<Command> onGenerate(Generate request) {
        try {
            return generate(request);
        } catch (RuntimeException e) {
            // said before the restart: the asker need not wait for its timeout to learn the batch is not coming
            request.replyTo().tell(new GenerationFailed(request.batchId(), String.valueOf(e.getMessage())));
            throw e;
        }
    }

    private Behavior<Command> generate(Generate request) {
        long start = System.nanoTime();
        var prompts = request.prompts().stream().map(p -> new QueryRewriter.Prompt(p.original(), p.text())).toList();
        SamplingSettings seeded = sampling.withSeed(request.seed());
        List<Rewrite> rewrites = model.rewrite(prompts, request.samplesPerPrompt(), seeded, batchSize);
        List<Rollout> rollouts = Rollout.of(request.batchId(), 0, request.prompts(), request.samplesPerPrompt(),
                rewrites, version, credit);
        request.replyTo().tell(new RolloutBatch(request.batchId(), version, rollouts,
                (System.nanoTime() - start) / 1e9));
        return this;
    }

    private Behavior<Command> onSwap(SwapWeights request) {
        long start = System.nanoTime();
        model.load(request.snapshot());
        version = request.snapshot().version();
        request.replyTo().tell(new WeightsSwapped(version, (System.nanoTime() - start) / 1e9));
        return this;
    }
}
