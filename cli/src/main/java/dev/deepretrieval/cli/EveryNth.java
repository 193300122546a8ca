package dev.deepretrieval.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The held-out split of a dataset without splits (evidence QA, text-to-SQL): every {@code every}-th item, counting
 * from the first, is held out; the rest is trained on.
 */
record EveryNth(int every) {

    EveryNth {
        if (every < 2) {
            throw new IllegalArgumentException("every must be >= 2, got " + every);
        }
    }

    <T> List<T> heldOut(List<T> items) {
        return pick(items, true);
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

    String label() {
        return "1 in " + every + " questions held out";
    }
}
