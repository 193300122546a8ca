package dev.deepretrieval.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One layer, one head of size one: each cached key is a number naming its sequence and position. */
class KvCacheTest {

    /** Appends one forward pass of {@code tokens} positions per row; returns the live keys, row by row. */
    private static float[][] append(NDManager manager, KvCache cache, List<List<Float>> expected, int tokens) {
        int rows = expected.size();
        float[] keys = new float[rows * tokens];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < tokens; t++) {
                float key = expected.get(r).isEmpty() ? 1000f * (r + 1) : expected.get(r).getLast() + 1;
                expected.get(r).add(key);
                keys[r * tokens + t] = key;
            }
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray key = step.create(keys, new Shape(rows, 1, tokens, 1));
            NDArray[] live = cache.append(step, 0, key, key.neg());
            // (+ 0 makes the zeros of unwritten positions and their negations the same)
            assertArrayEquals(live[0].neg().add(0f).toFloatArray(), live[1].add(0f).toFloatArray(),
                    "values follow their keys");
            return rowsOf(live[0]);
        }
    }

    private static float[][] rowsOf(NDArray live) {
        int rows = (int) live.getShape().get(0);
        int length = (int) live.getShape().get(2);
        float[] all = live.toFloatArray();
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(all, r * length, (r + 1) * length);
        }
        return out;
    }

    /** Every row's own keys are the newest positions of its row of the window; the window is the longest row's. */
    private static void assertRightAligned(List<List<Float>> expected, float[][] live) {
        assertEquals(expected.size(), live.length);
        int longest = expected.stream().mapToInt(List::size).max().orElseThrow();
        for (int r = 0; r < live.length; r++) {
            assertEquals(longest, live[r].length);
            List<Float> own = expected.get(r);
            float[] tail = Arrays.copyOfRange(live[r], longest - own.size(), longest);
            float[] want = new float[own.size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = own.get(i);
            }
            assertArrayEquals(want, tail, "row " + r);
        }
    }

    /**
     * Prefills {@code sequences} sequences of {@code tokens} positions apart and joins them to {@code batch}, after
     * raising its reservation to {@code rows} rows of {@code span} positions; the prefill cache is emptied by the join.
     */
    private static void join(NDManager manager, KvCache batch, List<List<Float>> expected, int sequences, int tokens,
            long rows, long span) {
        List<List<Float>> joining = rows(sequences);
        try (KvCache prefill = new KvCache(manager, 1)) {
            append(manager, prefill, joining, tokens);
            batch.reserve(rows, span);
            batch.appendRows(prefill);
            assertEquals(0, prefill.rows());
        }
        expected.addAll(joining);
    }

    private static List<List<Float>> rows(int n) {
        var rows = new ArrayList<List<Float>>();
        for (int r = 0; r < n; r++) {
            rows.add(new ArrayList<>());
        }
        return rows;
    }

    @Test
    void sequencesJoiningStepsAndLeavingWithinTheReservationKeepTheBuffersAndEveryRowsKeys() {
        int span = 12;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                KvCache batch = new KvCache(manager, 1, 8, 1000)) {
            List<List<Float>> expected = rows(0);
            join(manager, batch, expected, 2, 3, 4, span);
            // 4 rows (doubling from the 2 joined, within the reservation) x (12 + 32) positions x key and value
            long bytes = 4 * (span + KvCache.HEADROOM) * 2 * Float.BYTES;
            assertEquals(bytes, batch.bytes());
            int joined = 0;
            for (int s = 0; s < 4 * (int) KvCache.HEADROOM; s++) { // the window reaches the buffer's end and moves back
                assertRightAligned(expected, append(manager, batch, expected, 1));
                // a row at its span leaves, the last row taking its place, and a new one of 2 to 5 tokens joins
                for (int r = expected.size() - 1; r >= 0; r--) { // from the end: a row moved in has been looked at
                    if (expected.get(r).size() == span) {
                        int last = expected.size() - 1;
                        expected.set(r, expected.get(last));
                        expected.removeLast();
                        batch.moveRows(new long[] {last}, new long[] {r}, last);
                        int longest = expected.stream().mapToInt(List::size).max().orElse(0);
                        batch.dropLeading(batch.length() - longest);
                    }
                }
                if (expected.size() < 4) {
                    join(manager, batch, expected, 1, 2 + joined++ % 4, expected.size() + 1, span);
                }
            }
            assertEquals(bytes, batch.bytes(), "no reallocation within the reservation");
            assertEquals(4, batch.rows());
            assertTrue(joined > 10, "sequences kept joining: " + joined);
        }
    }

    @Test
    void aJoinerLongerThanTheWindowMovesItAndOneBeyondTheReservationGrowsTheBuffers() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                KvCache batch = new KvCache(manager, 1, 8, 1000)) {
            List<List<Float>> expected = rows(0);
            join(manager, batch, expected, 1, 2, 1, 20);
            append(manager, batch, expected, 1);
            join(manager, batch, expected, 2, 6, 3, 20); // longer than the 3 positions of the window
            assertRightAligned(expected, append(manager, batch, expected, 1));
            // 3 rows, more than double the 1 reserved before: 3 rows of 20 + 32 positions
            assertEquals(3 * (20 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());

            join(manager, batch, expected, 1, 60, 4, 70); // beyond the reserved span
            assertRightAligned(expected, append(manager, batch, expected, 1));
            // 4 rows needed: the 3 doubled to 6, within the bound (1000 / 102 positions = 9 rows)
            assertEquals(6 * (70 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());
        }
    }

    @Test
    void releasingTheWidestSpanGivesBackBuffersTwiceTheNeed() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                KvCache batch = new KvCache(manager, 1, 8, 10_000)) {
            List<List<Float>> expected = rows(0);
            join(manager, batch, expected, 2, 5, 2, 300);
            append(manager, batch, expected, 1);
            assertEquals(2 * (300 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());
            batch.release(150); // 332 positions, not more than twice 150 + 32: kept
            assertEquals(2 * (300 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());
            batch.release(20);
            assertEquals(2 * (20 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());
            for (int s = 0; s < 10; s++) {
                assertRightAligned(expected, append(manager, batch, expected, 1));
            }
        }
    }

    @Test
    void spareRowsStopAtThePositionBound() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                KvCache batch = new KvCache(manager, 1, 32, 3 * (8 + KvCache.HEADROOM))) {
            List<List<Float>> expected = rows(0);
            join(manager, batch, expected, 2, 4, 2, 8);
            join(manager, batch, expected, 1, 4, 3, 8);
            assertRightAligned(expected, append(manager, batch, expected, 1));
            // doubling would give 4 rows; the bound holds 3
            assertEquals(3 * (8 + KvCache.HEADROOM) * 2 * Float.BYTES, batch.bytes());
        }
    }
}
