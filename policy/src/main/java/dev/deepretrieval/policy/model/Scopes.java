package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DJL puts an operation's result in the manager of its first operand. When that operand is a long-lived array (a
 * weight, the KV cache), the result must be moved to the caller's scope at once, or it would live as long as the
 * model does.
 */
public final class Scopes {

    private Scopes() {}

    public static NDArray into(NDManager scope, NDArray array) {
        array.attach(scope);
        return array;
    }
}
