package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for the tokens seen so far, {@code [batch, kvHeads, length, headDim]}, in a manager
 * of their own: each step appends and frees the previous arrays, so memory holds one copy at a time.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Appends this step's keys and values for a layer and returns the full ones, {@code [keys, values]}. */
    NDArray[] append(int layer, NDArray key, NDArray value) {
        NDArray oldKey = keys[layer];
        NDArray oldValue = values[layer];
        if (oldKey == null) {
            keys[layer] = key.duplicate();
            values[layer] = value.duplicate();
            keys[layer].attach(manager);
            values[layer].attach(manager);
        } else {
            keys[layer] = oldKey.concat(key, 2);
            values[layer] = oldValue.concat(value, 2);
            oldKey.close();
            oldValue.close();
        }
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Number of positions cached. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    @Override
    public void close() {
        manager.close();
    }
}
