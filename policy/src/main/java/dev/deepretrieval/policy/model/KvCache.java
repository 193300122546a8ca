package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, in a manager of their own. Each layer's are held in a
 * buffer {@code [batch, kvHeads, capacity, headDim]} of which positions {@code [start, end)} are live: a step writes
 * its keys and values into the room after {@code end} in place and attention reads a view of the live positions, so
 * a decode step copies only its own new position, not the cache (a buffer is rebuilt, live positions only, when it
 * runs out of room, when sequences leave or join, or when leading positions are dropped at a rebuild).
 */
public final class KvCache implements AutoCloseable {

    /** Positions of room a rebuilt buffer keeps after its live ones: one rebuild per this many decode steps. */
    static final long HEADROOM = 32;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long start; // first live position in the buffers
    private long end; // one past the last live position
    private long writing = -1; // end of the positions the forward pass under way is writing, layer by layer

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /**
     * Writes this forward pass's keys and values {@code [batch, kvHeads, tokens, headDim]} for a layer after the live
     * positions and returns views of every live position with them, {@code [keys, values]}, in {@code scope}. A
     * forward pass appends to every layer in order; the new positions are live once the last layer has them.
     */
    NDArray[] append(NDManager scope, int layer, NDArray key, NDArray value) {
        long tokens = key.getShape().get(2);
        if (layer == 0) {
            if (keys[0] == null) {
                for (int l = 0; l < keys.length; l++) {
                    keys[l] = allocated(key.getShape(), key.getDataType(), tokens + HEADROOM);
                    values[l] = allocated(value.getShape(), value.getDataType(), tokens + HEADROOM);
                }
                start = 0;
                end = 0;
            } else if (end + tokens > capacity()) {
                rebuild(rows(), tokens + HEADROOM, null);
            }
            writing = end + tokens;
        }
        NDIndex written = new NDIndex(":, :, {}:{}, :", end, writing);
        keys[layer].set(written, key);
        values[layer].set(written, value);
        NDIndex live = new NDIndex(":, :, {}:{}, :", start, writing);
        NDArray[] full = {Scopes.into(scope, keys[layer].get(live)), Scopes.into(scope, values[layer].get(live))};
        if (layer == keys.length - 1) {
            end = writing;
            writing = -1;
        }
        return full;
    }

    /** Number of live positions. */
    public long length() {
        return keys[0] == null ? 0 : end - start;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Sequences cached (the batch axis). */
    public long rows() {
        return keys[0] == null ? 0 : keys[0].getShape().get(0);
    }

    /** Bytes the cache's buffers hold now (live positions and the room around them). */
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
        start = 0;
        end = 0;
    }

    /** Fills this empty cache with {@code rows} copies of {@code source}'s one sequence (a shared prefix). */
    public void fillRepeated(KvCache source, int rows) {
        if (keys[0] != null || source.keys[0] == null || source.rows() != 1) {
            throw new IllegalStateException("need an empty cache and a source of one sequence");
        }
        long length = source.length();
        try (NDManager scratch = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                NDArray key = source.live(scratch, source.keys[l]);
                NDArray value = source.live(scratch, source.values[l]);
                keys[l] = allocated(key.getShape(), key.getDataType(), length + HEADROOM, rows);
                values[l] = allocated(value.getShape(), value.getDataType(), length + HEADROOM, rows);
                NDIndex at = new NDIndex(":, :, 0:{}, :", length);
                keys[l].set(at, key.repeat(0, rows));
                values[l].set(at, value.repeat(0, rows));
            }
        }
        start = 0;
        end = length;
    }

    /** Frees the room around the live positions (a cache nothing will extend, such as a shared prefix's). */
    public void compact() {
        if (keys[0] != null && capacity() > length()) {
            rebuild(rows(), 0, null);
        }
    }

    /** Keeps only sequences {@code rows} (batch indices, in the order given); the others' memory is freed. */
    public void keepRows(long[] rows) {
        if (keys[0] == null) {
            return;
        }
        rebuild(rows.length, HEADROOM, rows);
    }

    /** Drops the first {@code positions} live positions of every sequence (padding no sequence reads any more). */
    public void dropLeading(long positions) {
        if (keys[0] == null || positions == 0) {
            return;
        }
        if (positions > length()) {
            throw new IllegalArgumentException("cannot drop " + positions + " of " + length() + " positions");
        }
        start += positions;
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
            start = other.start;
            end = other.end;
            other.clear();
            return;
        }
        long length = Math.max(length(), other.length());
        long mine = rows();
        long theirs = other.rows();
        try (NDManager scratch = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                keys[l] = replace(keys[l], joined(scratch, keys[l], other, other.keys[l], mine, theirs, length));
                values[l] = replace(values[l], joined(scratch, values[l], other, other.values[l], mine, theirs, length));
            }
        }
        start = 0;
        end = length;
        other.clear();
    }

    /** A buffer of {@code mine + theirs} rows: both sides' live positions right-aligned at {@code length}. */
    private NDArray joined(NDManager scratch, NDArray buffer, KvCache other, NDArray otherBuffer, long mine,
            long theirs, long length) {
        NDArray target = allocated(buffer.getShape(), buffer.getDataType(), length + HEADROOM, mine + theirs);
        target.set(new NDIndex("0:{}, :, {}:{}, :", mine, length - length(), length), live(scratch, buffer));
        target.set(new NDIndex("{}:, :, {}:{}, :", mine, length - other.length(), length),
                other.live(scratch, otherBuffer));
        return target;
    }

    /**
     * Copies the live positions (of {@code rows} only, in that order, when given) into new buffers with {@code room}
     * positions after them.
     */
    private void rebuild(long rowCount, long room, long[] rows) {
        long length = length();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray index = rows == null ? null : scratch.create(rows);
            for (int l = 0; l < keys.length; l++) {
                keys[l] = replace(keys[l], copyLive(scratch, keys[l], index, rowCount, length + room));
                values[l] = replace(values[l], copyLive(scratch, values[l], index, rowCount, length + room));
            }
        }
        start = 0;
        end = length;
    }

    private NDArray copyLive(NDManager scratch, NDArray buffer, NDArray rowIndex, long rowCount, long capacity) {
        NDArray live = live(scratch, buffer);
        if (rowIndex != null) {
            live = Scopes.into(scratch, live.get(rowIndex));
        }
        NDArray target = allocated(buffer.getShape(), buffer.getDataType(), capacity, rowCount);
        target.set(new NDIndex(":, :, 0:{}, :", length()), live);
        return target;
    }

    /** A view of {@code buffer}'s live positions, in {@code scratch}. */
    private NDArray live(NDManager scratch, NDArray buffer) {
        return Scopes.into(scratch, buffer.get(new NDIndex(":, :, {}:{}, :", start, end)));
    }

    private long capacity() {
        return keys[0].getShape().get(2);
    }

    /** Zeros shaped as {@code like} with {@code capacity} positions (and {@code like}'s rows). */
    private NDArray allocated(Shape like, ai.djl.ndarray.types.DataType type, long capacity) {
        return allocated(like, type, capacity, like.get(0));
    }

    private NDArray allocated(Shape like, ai.djl.ndarray.types.DataType type, long capacity, long rows) {
        NDArray buffer = manager.zeros(new Shape(rows, like.get(1), capacity, like.get(3)), type);
        buffer.attach(manager);
        return buffer;
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
