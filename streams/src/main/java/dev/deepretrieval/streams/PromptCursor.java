package dev.deepretrieval.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which prompts come next: each epoch is a seeded shuffle of all prompt indices, consumed in batches; the cursor
 * is two numbers (epoch, position), so a run resumes where its last checkpoint left it.
 */
public final class PromptCursor {

    /** A saved cursor. */
    public record Position(int epoch, int offset) {}

    private final int size;
    private final long seed;
    private int epoch;
    private int offset;
    private List<Integer> order;

    public PromptCursor(int size, long seed, Position start) {
        if (size < 1) {
            throw new IllegalArgumentException("no prompts to train on");
        }
        this.size = size;
        this.seed = seed;
        this.epoch = start.epoch();
        this.offset = start.offset();
        this.order = shuffle(epoch);
    }

    /** The next {@code count} prompt indices, moving into the next epoch when this one runs out. */
    public List<Integer> next(int count) {
        var batch = new ArrayList<Integer>(count);
        while (batch.size() < count) {
            if (offset == size) {
                epoch++;
                offset = 0;
                order = shuffle(epoch);
            }
            batch.add(order.get(offset++));
        }
        return batch;
    }

    public Position position() {
        return new Position(epoch, offset);
    }

    private List<Integer> shuffle(int e) {
        var indices = new ArrayList<Integer>(size);
        for (int i = 0; i < size; i++) {
            indices.add(i);
        }
        var random = new SplittableRandom(seed ^ (0x5DEECE66DL * (e + 1)));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = indices.get(i);
            indices.set(i, indices.get(j));
            indices.set(j, t);
        }
        return indices;
    }
}
