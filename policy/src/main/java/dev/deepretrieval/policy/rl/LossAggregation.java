package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/** How per-token losses {@code [batch, tokens]} become one scalar (verl's {@code loss_agg_mode}). */
public enum LossAggregation {
    /** Mean over every real token of the batch (the default). */
    TOKEN_MEAN,
    /** Sum over each sequence's tokens, then mean over sequences. */
    SEQ_MEAN_TOKEN_SUM,
    /** Mean over each sequence's tokens, then mean over sequences. */
    SEQ_MEAN_TOKEN_MEAN;

    /** Aggregates {@code losses} with {@code mask} (1 = real token); sequences without tokens are skipped. */
    public NDArray aggregate(NDArray losses, NDArray mask) {
        NDArray masked = losses.mul(mask);
        return switch (this) {
            case TOKEN_MEAN -> masked.sum().div(mask.sum().maximum(1f));
            case SEQ_MEAN_TOKEN_SUM, SEQ_MEAN_TOKEN_MEAN -> {
                NDArray tokens = mask.sum(new int[] {1});
                NDArray perSequence = masked.sum(new int[] {1});
                if (this == SEQ_MEAN_TOKEN_MEAN) {
                    perSequence = perSequence.div(tokens.maximum(1f));
                }
                NDArray present = tokens.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                yield perSequence.mul(present).sum().div(present.sum().maximum(1f));
            }
        };
    }

    public static LossAggregation parse(String text) {
        String normalised = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (LossAggregation mode : values()) {
            if (mode.name().equals(normalised)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown loss aggregation '" + text
                + "' (expected token-mean, seq-mean-token-sum or seq-mean-token-mean)");
    }
}
