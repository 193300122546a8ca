package dev.deepretrieval.policy.lm;

import dev.deepretrieval.policy.rl.LearningRateSchedule;

/**
 * Settings of a supervised training run.
 *
 * @param batchSize sequences per optimizer step
 * @param epochs passes over the training examples (the run has {@code epochs · ⌊examples / batch⌋} steps)
 * @param peakLearningRate AdamW's rate after warm-up; cosine decay to {@code minLearningRatio · peak}
 * @param warmupSteps linear warm-up steps
 * @param evalEvery held-out loss every this many steps (and at the end)
 * @param checkpointEvery a checkpoint every this many steps (and at the end)
 * @param seed shuffling seed; the order of epoch {@code e} depends only on {@code seed} and {@code e}
 */
public record LmTrainingSettings(int batchSize, int epochs, double peakLearningRate, int warmupSteps,
        double minLearningRatio, double weightDecay, double maxGradNorm, int evalEvery, int checkpointEvery,
        long seed) {

    public LmTrainingSettings {
        if (batchSize < 1 || epochs < 1 || evalEvery < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("batch size, epochs, eval-every and checkpoint-every must be >= 1");
        }
        if (!(peakLearningRate > 0) || warmupSteps < 0 || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("need learning rate > 0, warm-up >= 0 and weight decay >= 0");
        }
    }

    LearningRateSchedule schedule(int totalSteps) {
        return new LearningRateSchedule(peakLearningRate, warmupSteps, totalSteps, LearningRateSchedule.Shape.COSINE,
                minLearningRatio);
    }
}
