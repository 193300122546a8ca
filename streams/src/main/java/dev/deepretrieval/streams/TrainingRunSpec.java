package dev.deepretrieval.streams;

import dev.deepretrieval.actors.Learner;
import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.Decoding;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything one training run is made of.
 *
 * @param policyLoader loads the rollout copy of the policy (again when the policy actor restarts)
 * @param decoding what the policy may write in a rollout
 * @param generationBatch sequences the policy actor generates together
 * @param environment scores rollouts (one environment per retriever type)
 * @param environmentMaxInFlight concurrent calls into the environment
 * @param environmentCallTimeout the longest one call may take before it counts as failed
 * @param learnerFactory builds the learner, restoring the run's newest checkpoint
 * @param firstStep the step the run continues from (0 for a new run)
 * @param cursor where the prompt cursor continues
 * @param checkpointState saved with every checkpoint (run id, resolved config)
 * @param restartBackoff the first restart delay of a failed child (doubling up to 30×)
 */
public record TrainingRunSpec<T>(TrainingTasks<T> tasks, TrainingSettings settings, Supplier<Policy> policyLoader,
        PromptTemplate template, Decoding decoding, SamplingSettings sampling, int generationBatch, Environment<T> environment,
        int environmentMaxInFlight, Duration environmentCallTimeout, Supplier<Learner> learnerFactory,
        long firstStep, PromptCursor.Position cursor, Map<String, Object> checkpointState,
        Duration restartBackoff) {}
