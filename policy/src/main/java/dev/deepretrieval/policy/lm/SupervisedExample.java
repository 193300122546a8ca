package dev.deepretrieval.policy.lm;

/**
 * One training sequence: the model is conditioned on {@code context} and learns to predict every token of
 * {@code target}. Pretraining chunks have a one-token context; cold-start pairs have the whole prompt.
 */
public record SupervisedExample(int[] context, int[] target) {

    public SupervisedExample {
        if (context.length == 0 || target.length == 0) {
            throw new IllegalArgumentException("an example needs at least one context and one target token");
        }
    }

    public int length() {
        return context.length + target.length;
    }
}
