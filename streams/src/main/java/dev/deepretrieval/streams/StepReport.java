package dev.deepretrieval.streams;

import java.util.List;
import java.util.Map;

/**
 * What one training step did.
 *
 * @param step the step number (1-based, counting from the run's start, resumed steps included)
 * @param rolloutVersion the policy version that generated the batch
 * @param policyVersion the version after the update
 * @param rewardMean mean reward over the scored samples
 * @param metricMean mean of the task's retrieval metric (nDCG@10, Hits, execution match) over the scored samples
 * @param formatValidRate share of scored samples whose answer had a valid format
 * @param scored samples scored
 * @param failed samples whose scoring failed or timed out (excluded from the update)
 * @param metrics the learner's verl-named metrics and the phase timings ({@code timing_s/generate},
 *     {@code timing_s/reward}, {@code timing_s/learn}, {@code timing_s/swap})
 * @param samples a few of the step's rollouts, for the run store and the dashboard
 * @param rolloutVersions the policy versions that generated the batch's rollouts, ascending (one on a single node; a
 *     cluster's rollout workers may still be on an older one); {@code rolloutVersion} is the oldest
 */
public record StepReport(long step, long rolloutVersion, long policyVersion, double rewardMean, double rewardStdErr,
        double metricMean, double formatValidRate, int scored, int failed, Map<String, Double> metrics,
        List<SampleRecord> samples, List<Long> rolloutVersions) {

    public StepReport {
        rolloutVersions = List.copyOf(rolloutVersions);
    }

    /** A step whose rollouts all came from {@code rolloutVersion}. */
    public StepReport(long step, long rolloutVersion, long policyVersion, double rewardMean, double rewardStdErr,
            double metricMean, double formatValidRate, int scored, int failed, Map<String, Double> metrics,
            List<SampleRecord> samples) {
        this(step, rolloutVersion, policyVersion, rewardMean, rewardStdErr, metricMean, formatValidRate, scored, failed,
                metrics, samples, List.of(rolloutVersion));
    }

    /** One rollout as stored: what was asked, what the model wrote, and what it earned. */
    public record SampleRecord(String promptId, String original, String completion, String parsedQuery,
            double reward, double metric, long policyVersion) {}
}
