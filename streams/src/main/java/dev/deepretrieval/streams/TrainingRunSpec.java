package dev.deepretrieval.streams;

import dev.deepretrieval.tasks.TrainingTasks;
import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.RolloutModel;
import dev.deepretrieval.actors.RolloutScorer;
import dev.deepretrieval.actors.Updater;
import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.policy.generation.SamplingSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything one training run is made of.
 *
 * @param rolloutModel loads the rollout copy of the policy under the task's template and decoding (again when the
 *     policy actor restarts)
 * @param generationBatch sequences the policy actor generates together
 * @param environment scores rollouts (one environment per retriever type)
 * @param environmentMaxInFlight concurrent calls into the environment
 * @param environmentCallTimeout the longest one call may take before it counts as failed
 * @param learnerFactory builds the learner (again when the learner actor restarts)
 * @param firstStep the step the run continues from (0 for a new run)
 * @param cursor where the prompt cursor continues
 * @param checkpointState saved with every checkpoint (run id, resolved config)
 * @param restartBackoff the first restart delay of a failed child (doubling up to 30×)
 * @param scorer scores the rollouts elsewhere (a cluster's env nodes); empty: an environment actor of the run's own,
 *     over {@code environment}
 * @param generator generates the rollouts elsewhere (a cluster's rollout workers); empty: a policy actor of the run's
 *     own, over {@code rolloutModel}
 */
public record TrainingRunSpec<T>(TrainingTasks<T> tasks, TrainingSettings settings, 
        Supplier<? extends RolloutModel> rolloutModel, SamplingSettings sampling, int generationBatch, Credit credit,
        Environment<T> environment, int environmentMaxInFlight, Duration environmentCallTimeout,
        Supplier<? extends Updater> learnerFactory,
        long firstStep, PromptCursor.Position cursor, Map<String, Object> checkpointState,
        Duration restartBackoff, Optional<RolloutScorer<T>> scorer, Optional<RolloutGenerator> generator) {

    /** A run generating with a policy actor of its own and scored by an environment actor of its own. */
    public TrainingRunSpec(TrainingTasks<T> tasks, TrainingSettings settings,
            Supplier<? extends RolloutModel> rolloutModel, SamplingSettings sampling, int generationBatch,
            Credit credit, Environment<T> environment, int environmentMaxInFlight, Duration environmentCallTimeout,
            Supplier<? extends Updater> learnerFactory, long firstStep, PromptCursor.Position cursor,
            Map<String, Object> checkpointState, Duration restartBackoff) {
        this(tasks, settings, rolloutModel, sampling, generationBatch, credit, environment, environmentMaxInFlight,
                environmentCallTimeout, learnerFactory, firstStep, cursor, checkpointState, restartBackoff,
                Optional.empty(), Optional.empty());
    }
}
