package dev.deepretrieval.tasks;

import dev.deepretrieval.tasks.*;
import java.util.ArrayList;
import java.util.List;

/**
 * The held-out split of a dataset without splits (evidence QA, text-to-SQL, literature tasks): every
 * {@code every}-th item, counting from the first, is held out (at most {@code maxHeldOut} of them, 0 = all); the rest
 * is trained on.
 */
record EveryNth(int every, int maxHeldOut) {

    EveryNth {
        if (every < 2 || maxHeldOut < 0) {
            throw new IllegalArgumentException("every must be >= 2 and maxHeldOut >= 0, got " + every + ", " + maxHeldOut);
        }
    }

    /** From {@code deepretrieval.train.heldout.every} and {@code .max-queries}. */
    public static EveryNth of(Settings settings) {
        return new EveryNth(settings.positiveInt("deepretrieval.train.heldout.every"),
                settings.raw().getInt("deepretrieval.train.heldout.max-queries"));
    }

    <T> List<T> heldOut(List<T> items) {
        List<T> held = pick(items, true);
        return maxHeldOut > 0 && held.size() > maxHeldOut ? held.subList(0, maxHeldOut) : held;
    }

    <T> List<T> trainedOn(List<T> items) {
        return pick(items, false);
    }

    private <T> List<T> pick(List<T> items, boolean heldOut) {
        var picked = new ArrayList<T>();
        for (int i = 0; i < items.size(); i++) {
            if ((i % every == 0) == heldOut) {
                picked.add(items.get(i));
            }
        }
        return picked;
    }

    /** For reports, e.g. {@code "1 in 20 questions held out"}. */
    public String label(String items) {
        return "1 in " + every + " " + items + " held out";
    }
}
