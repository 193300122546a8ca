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

    /** Sequences cached (the batch axis). */
    public long rows() {
        return keys[0] == null ? 0 : keys[0].getShape().get(0);
    }

    /** Bytes the cached keys and values hold now. */
    public long bytes() {
        long total = 0;
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                total += (keys[l].size() + values[l].size()) * keys[l].getDataType().getNumOfBytes();
            }
        }
        return total;
    }

    /** Frees every cached key and value (no sequences left). */
    public void clear() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l].close();
                values[l].close();
                keys[l] = null;
                values[l] = null;
            }
        }
    }

    /** Fills this empty cache with {@code rows} copies of {@code source}'s one sequence (a shared prefix). */
    public void fillRepeated(KvCache source, int rows) {
        if (keys[0] != null || source.keys[0] == null || source.rows() != 1) {
            throw new IllegalStateException("need an empty cache and a source of one sequence");
        }
        for (int l = 0; l < keys.length; l++) {
            keys[l] = source.keys[l].repeat(0, rows);
            values[l] = source.values[l].repeat(0, rows);
            keys[l].attach(manager);
            values[l].attach(manager);
        }
    }

    /** Keeps only sequences {@code rows} (batch indices, in the order given); the others' memory is freed. */
    public void keepRows(long[] rows) {
        if (keys[0] == null) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray index = scratch.create(rows);
            for (int l = 0; l < keys.length; l++) {
                keys[l] = replace(keys[l], keys[l].get(index));
                values[l] = replace(values[l], values[l].get(index));
            }
        }
    }

    /** Drops the first {@code positions} cached positions of every sequence (padding no sequence reads any more). */
    public void dropLeading(long positions) {
        if (keys[0] == null || positions == 0) {
            return;
        }
        for (int l = 0; l < keys.length; l++) {
            keys[l] = replace(keys[l], copied(keys[l].get(":, :, " + positions + ":, :")));
            values[l] = replace(values[l], copied(values[l].get(":, :, " + positions + ":, :")));
        }
    }

    /**
     * Appends {@code other}'s sequences after these (the batch axis), the shorter side left-padded with zero keys and
     * values to the longer's length (positions the attention bias hides); {@code other} is emptied.
     */
    public void appendRows(KvCache other) {
        if (other.keys[0] == null) {
            return;
        }
        if (keys[0] == null) {
            for (int l = 0; l < keys.length; l++) {
                keys[l] = other.keys[l];
                values[l] = other.values[l];
                keys[l].attach(manager);
                values[l].attach(manager);
                other.keys[l] = null;
                other.values[l] = null;
            }
            return;
        }
        long length = Math.max(length(), other.length());
        for (int l = 0; l < keys.length; l++) {
            keys[l] = replace(keys[l], stacked(keys[l], other.keys[l], length));
            values[l] = replace(values[l], stacked(values[l], other.values[l], length));
            other.keys[l].close();
            other.values[l].close();
            other.keys[l] = null;
            other.values[l] = null;
        }
    }

    /** {@code first}'s sequences then {@code second}'s, each left-padded with zeros to {@code length} positions. */
    private NDArray stacked(NDArray first, NDArray second, long length) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray joined = leftPadded(scratch, first, length).concat(leftPadded(scratch, second, length), 0);
            joined.attach(manager);
            return joined;
        }
    }

    /** {@code array} with zero positions in front up to {@code length}; padding is made in {@code scratch}. */
    private static NDArray leftPadded(NDManager scratch, NDArray array, long length) {
        long missing = length - array.getShape().get(2);
        if (missing == 0) {
            return array;
        }
        ai.djl.ndarray.types.Shape shape = array.getShape();
        NDArray zeros = scratch.zeros(new ai.djl.ndarray.types.Shape(shape.get(0), shape.get(1), missing, shape.get(3)),
                array.getDataType());
        NDArray padded = zeros.concat(array, 2);
        padded.attach(scratch);
        return padded;
    }

    /** A copy of a slice (a slice shares, and so keeps alive, the whole of its source's memory). */
    private static NDArray copied(NDArray view) {
        NDArray copy = view.duplicate();
        view.close();
        return copy;
    }

    /** Swaps {@code old} for {@code replacement} (kept in this cache's manager) and frees {@code old}. */
    private NDArray replace(NDArray old, NDArray replacement) {
        if (replacement == old) {
            return old;
        }
        replacement.attach(manager);
        old.close();
        return replacement;
    }
}
