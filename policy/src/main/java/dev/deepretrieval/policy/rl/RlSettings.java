package dev.deepretrieval.policy.rl;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every knob of one RL step. Paper defaults for PPO: γ = λ = 1, clip 0.2/0.2, dual clip 3, value clip 0.5, entropy
 * 0.001, KL in the reward with k1 and a fixed 0.001, token-mean aggregation, a separate critic.
 */
public record RlSettings(
        Algorithm algorithm,
        int samplesPerPrompt,
        double gamma,
        double lambda,
        double clipLow,
        double clipHigh,
        double dualClip,
        double valueClip,
        double entropyCoefficient,
        KlMode klMode,
        KlEstimator klEstimator,
        double klCoefficient,
        double klTarget,
        double klHorizon,
        CriticMode criticMode,
        double valueCoefficient,
        LossAggregation aggregation,
        int epochs,
        int miniBatches,
        int microBatches,
        double temperature,
        int maxNewTokens,
        Set<Integer> stopTokenIds,
        LearningRateSchedule actorLearningRate,
        LearningRateSchedule criticLearningRate,
        double weightDecay,
        double maxGradNorm,
        DecisionObjective decisionObjective) {

    /** How per-decision advantages (word credit) are followed; outcome advantages always by the surrogate. */
    public enum DecisionObjective {
        /** The clipped surrogate: each choice's log-prob times its effect (a policy gradient). */
        SURROGATE,
        /** {@link DecisionCrossEntropy}: each choice moved toward its better side, weighted by its effect. */
        CROSS_ENTROPY
    }

    /** How advantages are estimated. */
    public enum Algorithm {
        /** GAE over a learned critic's values (the paper). */
        PPO,
        /** Group-normalised outcome rewards. */
        GRPO,
        /** Group-centred outcome rewards without the std division. */
        DR_GRPO,
        /** Leave-one-out group baseline. */
        RLOO;

        boolean usesCritic() {
            return this == PPO;
        }

        /** The name users write: {@code ppo}, {@code grpo}, {@code dr-grpo}, {@code rloo}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses a {@link #label()} (any case; {@code _} for {@code -}); unknown names fail listing the known ones. */
        public static Algorithm parse(String text) {
            for (Algorithm algorithm : values()) {
                if (algorithm.label().equals(text.strip().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                    return algorithm;
                }
            }
            throw new IllegalArgumentException("unknown algorithm '" + text + "' (known: " + Arrays.stream(values())
                    .map(Algorithm::label).collect(Collectors.joining(", ")) + ")");
        }

        Advantages.GroupBaseline baseline() {
            return switch (this) {
                case GRPO -> Advantages.GroupBaseline.GRPO;
                case DR_GRPO -> Advantages.GroupBaseline.DR_GRPO;
                case RLOO -> Advantages.GroupBaseline.RLOO;
                case PPO -> throw new IllegalStateException("PPO has no group baseline");
            };
        }
    }

    /** Where the KL to the reference policy enters. */
    public enum KlMode {
        NONE,
        /** {@code −β·KL} per token in the reward, β fixed (the paper: k1, 0.001). */
        REWARD_FIXED,
        /** As above with Ziegler's adaptive β (target, horizon). */
        REWARD_ADAPTIVE,
        /** {@code β·KL} added to the actor loss (GRPO's choice, usually k3). */
        LOSS
    }

    /** Where the critic's values come from. */
    public enum CriticMode {
        /** A separate value model initialised from the policy, plus a value head (the paper). */
        SEPARATE,
        /** A value head on the policy's own final hidden state, trained through the actor's loss. */
        SHARED_TRUNK
    }

    public RlSettings {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(klMode, "klMode");
        Objects.requireNonNull(klEstimator, "klEstimator");
        Objects.requireNonNull(criticMode, "criticMode");
        Objects.requireNonNull(aggregation, "aggregation");
        stopTokenIds = Set.copyOf(stopTokenIds);
        if (samplesPerPrompt < 1 || (!algorithm.usesCritic() && samplesPerPrompt < 2)) {
            throw new IllegalArgumentException("samples per prompt must be >= 1 (>= 2 for group baselines), got "
                    + samplesPerPrompt);
        }
        if (!(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("gamma and lambda must be in [0, 1]");
        }
        if (klCoefficient < 0 || entropyCoefficient < 0 || valueCoefficient < 0) {
            throw new IllegalArgumentException("coefficients must be >= 0");
        }
    }
}
