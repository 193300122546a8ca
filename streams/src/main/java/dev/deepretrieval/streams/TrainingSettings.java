package dev.deepretrieval.streams;

import java.time.Duration;

/**
 * How the training graph runs.
 *
 * @param steps the step to stop after (a resumed run continues up to it)
 * @param staleness batches the policy may generate ahead of the learner (0 = strictly on-policy)
 * @param scoringParallelism rollouts being scored at once
 * @param scoreTimeout the longest the graph waits for one rollout's score (then it counts as failed)
 * @param generateTimeout the longest one rollout batch may take
 * @param learnTimeout the longest one update may take
 * @param samplesStored rollouts per step kept in the report
 * @param metricName the environment metric reported as the step's metric (e.g. {@code ndcg@10})
 * @param checkpointEvery a checkpoint after every this many steps, and after the last
 */
public record TrainingSettings(int promptsPerStep, int samplesPerPrompt, long steps, int staleness,
        int scoringParallelism, Duration scoreTimeout, Duration generateTimeout, Duration learnTimeout, long seed,
        int samplesStored, String metricName, int checkpointEvery) {

    public TrainingSettings {
        if (promptsPerStep < 1 || samplesPerPrompt < 1 || steps < 1 || staleness < 0 || scoringParallelism < 1
                || samplesStored < 0 || checkpointEvery < 1) {
            throw new IllegalArgumentException("need prompts, samples, steps and parallelism >= 1 and staleness >= 0");
        }
    }

    public int batchSize() {
        return promptsPerStep * samplesPerPrompt;
    }
}
