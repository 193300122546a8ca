package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, in a manager of their own. Each layer's are held in a
 * buffer {@code [rowCapacity, kvHeads, capacity, headDim]} of which rows {@code [0, rows)} and positions
 * {@code [start, end)} are live (the live window): a step writes its keys and values into the room after {@code end}
 * in place and attention reads a view of the window, so a decode step copies only its own new position.
 *
 * <p>Sequences join into spare rows, their positions right-aligned with the others' at {@code end}, and leave by
 * moving the last rows into their places, each copying only the rows concerned. {@link #reserve} sizes the buffers
 * for the rows and the span a batch may come to hold, so that joins, leaves and steps work in place: when the window
 * reaches the end of its buffer it is moved back, and a buffer is reallocated only when a join needs more rows or
 * positions than reserved. Allocation zeroes the buffers once; every position a row's attention may see outside its
 * own span (hidden by the attention bias) holds finite keys and values, zeros or an earlier sequence's.
 */
public final class KvCache implements AutoCloseable {

    /** Positions of room a buffer keeps after the widest span reserved: the window moves back once per this many steps. */
    public static final long HEADROOM = 32;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long maxRows;
    private final long maxPositions;
    private long start; // first live position in the buffers
    private long end; // one past the last live position
    private long liveRows; // sequences cached: rows [0, liveRows) of the buffers
    private long writing = -1; // end of the positions the forward pass under way is writing, layer by layer
    private long reservedRows;
    private long reservedSpan;
    private long longestJoin; // the longest span a sequence brought when joining: the window's end is kept at least there

    public KvCache(NDManager parent, int layers) {
        this(parent, layers, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param maxRows the most sequences it will hold at once: spare rows are never allocated beyond them
     * @param maxPositions the most positions, over all rows, its buffers are allocated to hold when they grow for
     *     spare rows (what the rows reserved need is allocated whatever the bound)
     */
    public KvCache(NDManager parent, int layers, long maxRows, long maxPositions) {
        if (maxRows < 1 || maxPositions < 1) {
            throw new IllegalArgumentException("a KV cache holds at least one sequence of one position, not "
                    + maxRows + " rows and " + maxPositions + " positions");
        }
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.maxRows = maxRows;
        this.maxPositions = maxPositions;
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
                liveRows = key.getShape().get(0);
                start = 0;
                end = 0;
                allocate(key.getShape(), key.getDataType(), Math.max(liveRows, reservedRows),
                        Math.max(tokens, reservedSpan) + HEADROOM);
            } else if (end + tokens > capacity()) {
                if (length() + tokens <= capacity()) {
                    moveWindow(Math.min(windowEnd(), capacity() - tokens));
                } else {
                    resize(rowCapacity(), length() + tokens + HEADROOM, tokens);
                }
            }
            writing = end + tokens;
        }
        NDIndex written = window(0, liveRows, end, writing);
        keys[layer].set(written, key);
        values[layer].set(written, value);
        NDIndex live = window(0, liveRows, start, writing);
        NDArray[] full = {Scopes.into(scope, keys[layer].get(live)), Scopes.into(scope, values[layer].get(live))};
        if (layer == keys.length - 1) {
            end = writing;
            writing = -1;
        }
        return full;
    }

    /**
     * Sizes the buffers for {@code rows} sequences, each spanning up to {@code span} positions (its prompt, padding
     * and token limit): the joins and steps that stay within it work in place. Buffers already allocated are
     * reallocated (the live window copied) only when smaller; spare rows grow by doubling, within the row limit and
     * the position bound.
     */
    public void reserve(long rows, long span) {
        reservedRows = Math.max(reservedRows, rows);
        reservedSpan = Math.max(reservedSpan, span);
        if (keys[0] == null || (reservedRows <= rowCapacity() && reservedSpan + HEADROOM <= capacity())) {
            return;
        }
        long positions = Math.max(capacity(), reservedSpan + HEADROOM);
        long rowCapacity = reservedRows <= rowCapacity() ? rowCapacity()
                : Math.min(maxRows, Math.max(reservedRows, 2 * rowCapacity()));
        resize(Math.max(reservedRows, Math.min(rowCapacity, maxPositions / positions)), positions, 0);
    }

    /**
     * The rows now need at most {@code span} positions each (the widest ones have left): the reservation falls to it,
     * and buffers holding more than twice it with its room are reallocated to it.
     */
    public void release(long span) {
        if (span < length()) {
            throw new IllegalArgumentException("the live window spans " + length() + " positions, more than " + span);
        }
        reservedSpan = span;
        longestJoin = Math.min(longestJoin, span);
        if (keys[0] != null && capacity() > 2 * (span + HEADROOM)) {
            resize(rowCapacity(), span + HEADROOM, 0);
        }
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

    /** Frees every cached key and value (no sequences left); the reservation stays. */
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
                keys[l] = zeros(key.getShape(), key.getDataType(), rows, Math.max(length, reservedSpan) + HEADROOM);
                values[l] = zeros(value.getShape(), value.getDataType(), rows, Math.max(length, reservedSpan) + HEADROOM);
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
            long length = length();
            replaceBuffers(liveRows, length, length);
        }
    }

    /**
     * Moves row {@code from[i]} into row {@code to[i]} for every i (live positions only), then keeps the first
     * {@code remaining} rows: sequences leave by the last ones taking their places. The buffers keep their size.
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
     * Appends {@code other}'s sequences after these (the batch axis), right-aligned with them at the newest position;
     * positions before a sequence's own hold earlier keys and values, which the attention bias hides. {@code other} is
     * emptied.
     */
    public void appendRows(KvCache other) {
        appendRows(other, 0);
    }

    /**
     * As {@link #appendRows(KvCache)}, leaving out the first {@code skipped} live positions of {@code other}'s
     * sequences (a prefix they share, attended apart: {@link CascadePrefix}).
     */
    public void appendRows(KvCache other, long skipped) {
        if (other.keys[0] == null) {
            return;
        }
        if (skipped < 0 || skipped >= other.length()) {
            throw new IllegalArgumentException("cannot leave out " + skipped + " of " + other.length() + " positions");
        }
        long theirs = other.rows();
        long length = other.length() - skipped;
        other.start += skipped;
        longestJoin = Math.max(longestJoin, length);
        if (keys[0] == null && skipped == 0) {
            adopt(other);
            reserve(liveRows, length);
            return;
        }
        if (keys[0] == null) { // buffers for the part kept, not the whole of other's
            allocate(other.keys[0].getShape(), other.keys[0].getDataType(), Math.max(theirs, reservedRows),
                    Math.max(length, reservedSpan) + HEADROOM);
            liveRows = 0;
            start = length;
            end = length;
        } else {
            reserve(liveRows + theirs, length);
            if (end < length) {
                if (Math.max(length(), length) > capacity()) {
                    resize(rowCapacity(), Math.max(length(), length) + HEADROOM, 0);
                }
                moveWindow(length);
            }
        }
        long theirStart = end - length;
        try (NDManager scratch = manager.newSubManager()) {
            NDIndex into = new NDIndex("{}:{}, :, {}:{}, :", liveRows, liveRows + theirs, theirStart, end);
            for (int l = 0; l < keys.length; l++) {
                keys[l].set(into, other.live(scratch, other.keys[l]));
                values[l].set(into, other.live(scratch, other.values[l]));
            }
        }
        start = Math.min(start, theirStart);
        liveRows += theirs;
        other.clear();
    }

    /** A new cache under {@code parent} holding the first {@code positions} live positions of the first sequence. */
    public KvCache firstRowPrefix(NDManager parent, long positions) {
        if (keys[0] == null || positions < 1 || positions > length()) {
            throw new IllegalArgumentException("cannot take " + positions + " of " + length() + " positions");
        }
        var copy = new KvCache(parent, keys.length);
        NDIndex taken = new NDIndex("0:1, :, {}:{}, :", start, start + positions);
        for (int l = 0; l < keys.length; l++) {
            copy.keys[l] = copy.adopted(keys[l].get(taken).duplicate());
            copy.values[l] = copy.adopted(values[l].get(taken).duplicate());
        }
        copy.end = positions;
        copy.liveRows = 1;
        return copy;
    }

    /** Views of one layer's live keys and values, {@code [keys, values]}, in {@code scope}. */
    NDArray[] layer(NDManager scope, int layer) {
        return new NDArray[] {live(scope, keys[layer]), live(scope, values[layer])};
    }

    private NDArray adopted(NDArray array) {
        array.attach(manager);
        return array;
    }

    /** Takes over {@code other}'s buffers (this cache being empty). */
    private void adopt(KvCache other) {
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
    }

    /** Where the window's end goes when it moves: far enough for any sequence seen joining to join again. */
    private long windowEnd() {
        return Math.max(length(), longestJoin);
    }

    /** Moves the live window so that it ends at {@code newEnd} (through a copy, so any overlap is safe). */
    private void moveWindow(long newEnd) {
        if (newEnd == end) {
            return;
        }
        long length = length();
        NDIndex target = new NDIndex("0:{}, :, {}:{}, :", liveRows, newEnd - length, newEnd);
        try (NDManager scratch = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                NDArray key = Scopes.into(scratch, live(scratch, keys[l]).duplicate());
                NDArray value = Scopes.into(scratch, live(scratch, values[l]).duplicate());
                keys[l].set(target, key);
                values[l].set(target, value);
            }
        }
        start = newEnd - length;
        end = newEnd;
    }

    /**
     * New zeroed buffers of {@code rowCapacity} rows and {@code capacity} positions holding the live window, with at
     * least {@code room} positions after it.
     */
    private void resize(long rowCapacity, long capacity, long room) {
        replaceBuffers(rowCapacity, capacity, Math.min(capacity - room, windowEnd()));
    }

    private void replaceBuffers(long rowCapacity, long capacity, long newEnd) {
        long length = length();
        try (NDManager scratch = manager.newSubManager()) {
            NDIndex target = new NDIndex("0:{}, :, {}:{}, :", liveRows, newEnd - length, newEnd);
            for (int l = 0; l < keys.length; l++) {
                NDArray key = zeros(keys[l].getShape(), keys[l].getDataType(), rowCapacity, capacity);
                NDArray value = zeros(values[l].getShape(), values[l].getDataType(), rowCapacity, capacity);
                key.set(target, live(scratch, keys[l]));
                value.set(target, live(scratch, values[l]));
                keys[l].close();
                values[l].close();
                keys[l] = key;
                values[l] = value;
            }
        }
        start = newEnd - length;
        end = newEnd;
    }

    private void allocate(Shape like, DataType type, long rows, long capacity) {
        for (int l = 0; l < keys.length; l++) {
            keys[l] = zeros(like, type, rows, capacity);
            values[l] = zeros(like, type, rows, capacity);
        }
    }

    /** A view of {@code buffer}'s live rows and positions, in {@code scratch}. */
    private NDArray live(NDManager scratch, NDArray buffer) {
        return Scopes.into(scratch, buffer.get(window(0, liveRows, start, end)));
    }

    private long rowCapacity() {
        return keys[0].getShape().get(0);
    }

    private long capacity() {
        return keys[0].getShape().get(2);
    }

    /** Zeros of {@code rows} rows and {@code capacity} positions, heads and head size as {@code like}'s. */
    private NDArray zeros(Shape like, DataType type, long rows, long capacity) {
        NDArray buffer = manager.zeros(new Shape(rows, like.get(1), capacity, like.get(3)), type);
        buffer.attach(manager);
        return buffer;
    }

    /**
     * Rows {@code [fromRow, toRow)} and positions {@code [from, to)} of a {@code [rows, kvHeads, positions, headDim]}
     * buffer, built rather than parsed from text (a parse costs about 10 µs, and decoding steps take several per layer).
     */
    private static NDIndex window(long fromRow, long toRow, long from, long to) {
        return new NDIndex().addSliceDim(fromRow, toRow).addAllDim().addSliceDim(from, to).addAllDim();
    }
}
