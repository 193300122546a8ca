package dev.deepretrieval.tasks;

import dev.deepretrieval.policy.rl.KlEstimator;
import dev.deepretrieval.policy.rl.LearningRateSchedule;
import dev.deepretrieval.policy.rl.LossAggregation;
import dev.deepretrieval.policy.rl.RlSettings;
import java.util.Locale;
import java.util.Set;

/** {@code deepretrieval.train.rl} as {@link RlSettings}. */
public final class RlSettingsReader {

    private static final String PREFIX = "deepretrieval.train.rl.";

    private RlSettingsReader() {}

    public static RlSettings read(Settings settings, RlSettings.Algorithm algorithm, int samplesPerPrompt, double temperature,
            int maxNewTokens, int steps) {
        String p = PREFIX;
        try {
            return new RlSettings(algorithm, samplesPerPrompt, settings.number(p + "gamma"), settings.number(p + "lambda"),
                    settings.number(p + "clip-low"), settings.number(p + "clip-high"), settings.number(p + "dual-clip"),
                    settings.number(p + "value-clip"), settings.number(p + "entropy-coefficient"),
                    settings.parsed(p + "kl-mode", v -> RlSettings.KlMode.valueOf(constant(v))),
                    settings.parsed(p + "kl-estimator", v -> KlEstimator.valueOf(constant(v))),
                    settings.number(p + "kl-coefficient"), settings.number(p + "kl-target"), settings.number(p + "kl-horizon"),
                    settings.parsed(p + "critic", v -> RlSettings.CriticMode.valueOf(constant(v))),
                    settings.number(p + "value-coefficient"),
                    settings.parsed(p + "loss-aggregation", v -> LossAggregation.valueOf(constant(v))),
                    settings.positiveInt(p + "epochs"), settings.positiveInt(p + "mini-batches"),
                    settings.positiveInt(p + "micro-batches"), temperature, maxNewTokens, Set.of(),
                    schedule(settings, p + "actor-learning-rate", steps),
                    schedule(settings, p + "critic-learning-rate", steps),
                    settings.number(p + "weight-decay"), settings.number(p + "max-grad-norm"),
                    settings.parsed(p + "decision-objective", v -> RlSettings.DecisionObjective.valueOf(constant(v))));
        } catch (IllegalArgumentException e) {
            throw settings.bad("deepretrieval.train.rl", e.getMessage());
        }
    }

    /** A rate by step: warm-up, then {@code learning-rate-schedule} (constant, or cosine to the minimum ratio). */
    private static LearningRateSchedule schedule(Settings settings, String rate, int steps) {
        LearningRateSchedule.Shape shape = settings.parsed(PREFIX + "learning-rate-schedule",
                v -> LearningRateSchedule.Shape.valueOf(constant(v)));
        return new LearningRateSchedule(settings.number(rate), settings.raw().getInt(PREFIX + "warmup-steps"), steps,
                shape, shape == LearningRateSchedule.Shape.CONSTANT ? 1.0 : settings.number(PREFIX + "min-learning-rate-ratio"));
    }

    /** {@code reward-fixed} → {@code REWARD_FIXED}. */
    public static String constant(String value) {
        return value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
