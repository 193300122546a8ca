package dev.deepretrieval.runs;

import dev.deepretrieval.policy.lm.LmTrainer;

/** Hears a supervised run (pretrain, cold start) as it goes; the CLI shows it, a service would log it. */
public interface SupervisedListener {

    /** Something worth saying once (one line). */
    default void say(String line) {}

    /** Training starts at {@code startStep} (above 0 when resuming) of {@code totalSteps}. */
    default void started(int startStep, int totalSteps) {}

    /** @param heldOutLoss the last held-out loss, NaN before the first evaluation */
    default void step(LmTrainer.StepReport report, double tokensPerSecond, double heldOutLoss) {}

    /** A stop was asked for: the run checkpointed at {@code reached} of {@code totalSteps} and ends. */
    default void stopped(int reached, int totalSteps) {}
}
