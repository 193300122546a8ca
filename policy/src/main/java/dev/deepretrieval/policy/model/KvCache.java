package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, in a manager of their own. Each layer's are held in a
 * buffer {@code [rowCapacity, kvHeads, capacity, headDim]} of which rows {@code [0, rows)} and positions
 * {@code [start, end)} are live: a step writes its keys and values into the room after {@code end} in place and
 * attention reads a view of the live rows and positions, so a decode step copies only its own new position, not the
 * cache. Sequences join into spare rows (their positions right-aligned with the others') and leave by moving the last
 * rows into their places, each copying only the rows concerned; a buffer is rebuilt (live rows and positions only)
 * when it runs out of rows or room, and when its live rows fall to under half of it.
 */
public final class KvCache implements AutoCloseable {

    /** Positions of room a rebuilt buffer keeps after its live ones: one rebuild per this many decode steps. */
    static final long HEADROOM = 32;

    /**
     * Spare rows a buffer rebuilt for joining sequences keeps at least (and as many as joined, for joins come in
     * waves), so that the next joins copy only their own rows.
     */
    static final long ROW_HEADROOM = 4;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long start; // first live position in the buffers
    private long end; // one past the last live position
    private long liveRows; // sequences cached: rows [0, liveRows) of the buffers
    private long writing = -1; // end of the positions the forward pass under way is writing, layer by layer
    private final long maxRows;

    public KvCache(NDManager parent, int layers) {
        this(parent, layers, Long.MAX_VALUE);
    }

    /** @param maxRows the most sequences it will hold at once: spare rows are never allocated beyond them */
    public KvCache(NDManager parent, int layers, long maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a KV cache holds at least one sequence, not " + maxRows);
        }
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.maxRows = maxRows;
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
                liveRows = key.getShape().get(0);
            } else if (end + tokens > capacity()) {
                rebuild(tokens + HEADROOM, rowCapacity());
            }
            writing = end + tokens;
        }
        NDIndex written = new NDIndex("0:{}, :, {}:{}, :", liveRows, end, writing);
        keys[layer].set(written, key);
        values[layer].set(written, value);
        NDIndex live = new NDIndex("0:{}, :, {}:{}, :", liveRows, start, writing);
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
        return keys[0] == null ? 0 : liveRows;
    }

    private long rowCapacity() {
        return keys[0].getShape().get(0);
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
        liveRows = 0;
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
        liveRows = rows;
    }

    /** Frees the room around the live positions (a cache nothing will extend, such as a shared prefix's). */
    public void compact() {
        if (keys[0] != null && (capacity() > length() || rowCapacity() > liveRows)) {
            rebuild(0, rows());
        }
    }

    /**
     * Moves row {@code from[i]} into row {@code to[i]} for every i (live positions only), then keeps the first
     * {@code remaining} rows: sequences leave by the last ones taking their places. Buffers whose live rows fall to
     * under half of them are rebuilt smaller.
     */
    public void moveRows(long[] from, long[] to, long remaining) {
        if (keys[0] == null) {
            return;
        }
        if (remaining == 0) {
            clear();
            return;
        }
        for (int i = 0; i < from.length; i++) {
            NDIndex source = new NDIndex("{}:{}, :, {}:{}, :", from[i], from[i] + 1, start, end);
            NDIndex target = new NDIndex("{}:{}, :, {}:{}, :", to[i], to[i] + 1, start, end);
            for (int l = 0; l < keys.length; l++) {
                try (NDArray key = keys[l].get(source); NDArray value = values[l].get(source)) {
                    keys[l].set(target, key);
                    values[l].set(target, value);
                }
            }
        }
        liveRows = remaining;
        if (liveRows * 2 < rowCapacity() && rowCapacity() > liveRows + ROW_HEADROOM) {
            rebuild(HEADROOM, Math.min(maxRows, liveRows + ROW_HEADROOM));
        }
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
            liveRows = other.liveRows;
            other.clear();
            return;
        }
        long mine = rows();
        long theirs = other.rows();
        long theirStart = end - other.length();
        try (NDManager scratch = manager.newSubManager()) {
            if (mine + theirs <= rowCapacity() && theirStart >= 0) {
                // into the spare rows, right-aligned at the live end; positions before theirs (and, when they are the
                // longer, the others' newly uncovered ones) hold earlier keys the attention bias hides
                NDIndex into = new NDIndex("{}:{}, :, {}:{}, :", mine, mine + theirs, theirStart, end);
                for (int l = 0; l < keys.length; l++) {
                    keys[l].set(into, other.live(scratch, other.keys[l]));
                    values[l].set(into, other.live(scratch, other.values[l]));
                }
                start = Math.min(start, theirStart);
            } else {
                long length = Math.max(length(), other.length());
                for (int l = 0; l < keys.length; l++) {
                    keys[l] = replace(keys[l], joined(scratch, keys[l], other, other.keys[l], mine, theirs, length));
                    values[l] = replace(values[l], joined(scratch, values[l], other, other.values[l], mine, theirs,
                            length));
                }
                start = 0;
                end = length;
            }
        }
        liveRows = mine + theirs;
        other.clear();
    }

    /**
     * A buffer of {@code mine + theirs} rows and as many spare as joined (at least {@link #ROW_HEADROOM}, at most up
     * to the row limit): both sides' live positions right-aligned at {@code length}.
     */
    private NDArray joined(NDManager scratch, NDArray buffer, KvCache other, NDArray otherBuffer, long mine,
            long theirs, long length) {
        NDArray target = allocated(buffer.getShape(), buffer.getDataType(), length + HEADROOM,
                Math.max(mine + theirs, Math.min(maxRows, mine + theirs + Math.max(ROW_HEADROOM, theirs))));
        target.set(new NDIndex("0:{}, :, {}:{}, :", mine, length - length(), length), live(scratch, buffer));
        target.set(new NDIndex("{}:{}, :, {}:{}, :", mine, mine + theirs, length - other.length(), length),
                other.live(scratch, otherBuffer));
        return target;
    }

    /** Copies the live rows and positions into new buffers of {@code rowCapacity} rows, {@code room} positions after them. */
    private void rebuild(long room, long rowCapacity) {
        long length = length();
        try (NDManager scratch = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                keys[l] = replace(keys[l], copyLive(scratch, keys[l], rowCapacity, length + room));
                values[l] = replace(values[l], copyLive(scratch, values[l], rowCapacity, length + room));
            }
        }
        start = 0;
        end = length;
    }

    private NDArray copyLive(NDManager scratch, NDArray buffer, long rowCapacity, long capacity) {
        NDArray target = allocated(buffer.getShape(), buffer.getDataType(), capacity, rowCapacity);
        target.set(new NDIndex("0:{}, :, 0:{}, :", liveRows, length()), live(scratch, buffer));
        return target;
    }

    /** A view of {@code buffer}'s live rows and positions, in {@code scratch}. */
    private NDArray live(NDManager scratch, NDArray buffer) {
        return Scopes.into(scratch, buffer.get(new NDIndex("0:{}, :, {}:{}, :", liveRows, start, end)));
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
