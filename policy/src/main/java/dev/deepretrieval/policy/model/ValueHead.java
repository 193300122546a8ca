package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The PPO critic's head: one scalar per position from the final hidden state, {@code value = h · w + b}.
 * Stored as {@code value_head.weight} {@code [1, hidden]} and {@code value_head.bias} {@code [1]}; a fresh head
 * starts at zero, so initial values are 0 everywhere.
 */
public final class ValueHead implements AutoCloseable {

    public static final String WEIGHT = "value_head.weight";
    public static final String BIAS = "value_head.bias";

    private final NDManager manager;
    private final NDArray weight;
    private final NDArray bias;

    private ValueHead(NDManager manager, NDArray weight, NDArray bias) {
        this.manager = manager;
        this.weight = weight;
        this.bias = bias;
    }

    /** A zero-initialised head for {@code hidden}-wide states. */
    public static ValueHead zeros(NDManager parent, int hidden) {
        NDManager manager = parent.newSubManager();
        NDArray weight = manager.zeros(new Shape(1, hidden));
        weight.setName(WEIGHT);
        NDArray bias = manager.zeros(new Shape(1));
        bias.setName(BIAS);
        return new ValueHead(manager, weight, bias);
    }

    /** Values {@code [...]} for hidden states {@code [..., hidden]}. */
    public NDArray values(NDManager scope, NDArray hidden) {
        NDArray projected = hidden.matMul(Scopes.into(scope, weight.transpose())).add(bias);
        return projected.squeeze(-1);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    @Override
    public void close() {
        manager.close();
    }
}
