package dev.deepretrieval.actors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Scores one rollout of a task wherever its environment runs: an {@link EnvironmentActor} of this node, or the
 * environments of a cluster's env nodes. The stage always completes normally, with exactly one outcome per call:
 * {@link EnvironmentActor.Scored} or an explicit {@link EnvironmentActor.ScoreFailed}.
 *
 * @param <T> the environment's task type
 */
@FunctionalInterface
public interface RolloutScorer<T> {

    CompletionStage<EnvironmentActor.ScoreOutcome> score(Rollout rollout, T task);

    /** Asks a local environment actor, waiting at most {@code timeout} for its reply (then the rollout failed). */
    static <T> RolloutScorer<T> asking(ActorRef<EnvironmentActor.Command<T>> environment, Duration timeout,
            Scheduler scheduler) {
        return (rollout, task) -> AskPattern.<EnvironmentActor.Command<T>, EnvironmentActor.ScoreOutcome>ask(
                        environment, replyTo -> new EnvironmentActor.Score<>(rollout, task, replyTo), timeout, scheduler)
                .handle((outcome, failure) -> failure == null ? outcome
                        : new EnvironmentActor.ScoreFailed(rollout, "no reply within " + timeout.toMillis() + " ms",
                                failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException));
    }
}
