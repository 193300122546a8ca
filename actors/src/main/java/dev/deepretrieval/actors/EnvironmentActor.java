package dev.deepretrieval.actors;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Scores rollouts with one environment (one retriever type): at most {@code maxInFlight} calls at a time, further
 * requests waiting in a bounded stash, each call limited by {@code callTimeout}. Every request gets exactly one
 * reply: {@link Scored}, or {@link ScoreFailed} when the environment threw, timed out or the stash was full — an
 * explicit failure the learner excludes, never a silent reward.
 *
 * <p>A rollout with {@linkplain Rollout#counterfactuals() counterfactuals} ({@link Credit#WORD}) has them scored
 * with it, as one call: the reply carries every counterfactual's reward, or the rollout fails as a whole. Then
 * every completion of a prompt is retrieved once (the samples of one prompt share many counterfactuals; a rollout's own
 * completion may be another's counterfactual): later asks share its result.
 *
 * @param <T> the environment's task type
 */
public final class EnvironmentActor<T> {

    public sealed interface Command<T> {}

    /** Score one rollout of {@code task}. */
    public record Score<T>(Rollout rollout, T task, ActorRef<ScoreOutcome> replyTo) implements Command<T> {}

    private record Completed<T>(Score<T> request, Scoring result, Throwable failure) implements Command<T> {}

    /** The rollout's result and its counterfactuals' rewards, in order. */
    private record Scoring(EnvironmentResult result, double[] counterfactualRewards) {}

    /** Scores shared by the samples of a prompt (word credit), by prompt and completion: at most this many kept. */
    private static final int SHARED_SCORES = 16_384;

    /** The reply to {@link Score}. */
    public sealed interface ScoreOutcome {
        Rollout rollout();
    }

    /**
     * @param counterfactualRewards the reward of each of the rollout's {@link Rollout#counterfactuals()}, in order
     */
    public record Scored(Rollout rollout, EnvironmentResult result, double[] counterfactualRewards)
            implements ScoreOutcome {}

    /** @param timedOut the call exceeded its timeout (otherwise it threw or was refused) */
    public record ScoreFailed(Rollout rollout, String reason, boolean timedOut) implements ScoreOutcome {}

    private final ActorContext<Command<T>> context;
    private final StashBuffer<Command<T>> waiting;
    private final Environment<T> environment;
    private final int maxInFlight;
    private final Duration callTimeout;
    private int inFlight;
    // completed or in flight; touched only by the actor, completed by the environment's threads
    private final Map<String, CompletableFuture<EnvironmentResult>> sharedScores =
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<EnvironmentResult>> eldest) {
                    return size() > SHARED_SCORES;
                }
            };

    private EnvironmentActor(ActorContext<Command<T>> context, StashBuffer<Command<T>> waiting,
            Environment<T> environment, int maxInFlight, Duration callTimeout) {
        this.context = context;
        this.waiting = waiting;
        this.environment = environment;
        this.maxInFlight = maxInFlight;
        this.callTimeout = callTimeout;
    }

    /**
     * @param maxInFlight concurrent calls into the environment
     * @param maxWaiting requests held beyond those; more are refused with {@link ScoreFailed}
     */
    public static <T> Behavior<Command<T>> create(Environment<T> environment, int maxInFlight, int maxWaiting,
            Duration callTimeout) {
        if (maxInFlight < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("max in flight and max waiting must be >= 1");
        }
        return Behaviors.withStash(maxWaiting, stash -> Behaviors.setup(
                context -> new EnvironmentActor<>(context, stash, environment, maxInFlight, callTimeout).idle()));
    }

    private Behavior<Command<T>> idle() {
        return Behaviors.receive((ctx, message) -> switch (message) {
            case Score<T> request -> onScore(request);
            case Completed<T> done -> onCompleted(done);
        });
    }

    private Behavior<Command<T>> onScore(Score<T> request) {
        if (inFlight >= maxInFlight) {
            if (waiting.isFull()) {
                request.replyTo().tell(new ScoreFailed(request.rollout(), "environment " + environment.name()
                        + " overloaded: " + waiting.capacity() + " requests already waiting", false));
            } else {
                waiting.stash(request);
            }
            return Behaviors.same();
        }
        inFlight++;
        CompletionStage<Scoring> call;
        try {
            call = scoring(request);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(call.toCompletableFuture().orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS),
                (result, failure) -> new Completed<>(request, result, failure));
        return Behaviors.same();
    }

    /**
     * Scores the rollout's completion and its counterfactuals'. With counterfactuals (word credit) every completion
     * of a prompt is scored once, whichever sample asks first: the others share its result, in flight or done.
     */
    private CompletionStage<Scoring> scoring(Score<T> request) {
        Rollout rollout = request.rollout();
        List<Rollout.Counterfactual> counterfactuals = rollout.counterfactuals();
        if (counterfactuals.isEmpty()) {
            return environment.score(request.task(), rollout.completion())
                    .thenApply(result -> new Scoring(result, new double[0]));
        }
        CompletableFuture<EnvironmentResult> main = shared(request, rollout.completion());
        var others = new ArrayList<CompletableFuture<EnvironmentResult>>();
        for (Rollout.Counterfactual counterfactual : counterfactuals) {
            others.add(shared(request, counterfactual.completion()));
        }
        return CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).thenCombine(main, (ignored, result) ->
                new Scoring(result, others.stream().mapToDouble(f -> f.join().reward()).toArray()));
    }

    /** The score of {@code completion} for the request's prompt: the one already asked for, unless that failed. */
    private CompletableFuture<EnvironmentResult> shared(Score<T> request, String completion) {
        String key = request.rollout().promptId() + '\n' + completion;
        CompletableFuture<EnvironmentResult> known = sharedScores.get(key);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        CompletableFuture<EnvironmentResult> call = environment.score(request.task(), completion).toCompletableFuture();
        sharedScores.put(key, call);
        return call;
    }

    private Behavior<Command<T>> onCompleted(Completed<T> done) {
        inFlight--;
        Rollout rollout = done.request().rollout();
        if (done.failure() == null) {
            Scoring scoring = done.result();
            double[] counterfactualRewards = scoring.counterfactualRewards();
            done.request().replyTo().tell(new Scored(rollout, scoring.result(), counterfactualRewards));
        } else {
            Throwable cause = done.failure() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : done.failure();
            boolean timedOut = cause instanceof TimeoutException;
            String reason = timedOut ? "timed out after " + callTimeout.toMillis() + " ms"
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            context.getLog().warn("scoring failed ({}) for rollout {}/{} of prompt {}", reason, rollout.batchId(),
                    rollout.index(), rollout.promptId());
            done.request().replyTo().tell(new ScoreFailed(rollout, reason, timedOut));
        }
        if (!waiting.isEmpty()) {
            return waiting.unstash(idle(), 1, m -> m);
        }
        return Behaviors.same();
    }
}
