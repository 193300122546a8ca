package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.retrieval.RetrievalTask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The validation queries carved from a training split: a fixed seeded share, whatever order the split comes in. */
class ValidationSplitTest {

    private static List<RetrievalTask> tasks(int n) {
        var list = new ArrayList<RetrievalTask>();
        for (int i = 0; i < n; i++) {
            list.add(new RetrievalTask("q" + i, "claim " + i, Map.of("d" + i, 1)));
        }
        return list;
    }

    @Test
    void oneInEightFixedBySeedAndIndependentOfOrder() {
        List<RetrievalTask> judged = tasks(809);
        Set<String> validation = BeirTrainingProblem.validationIds(judged, 8, 0);
        assertEquals(101, validation.size());
        var shuffled = new ArrayList<>(judged);
        Collections.shuffle(shuffled, new Random(42));
        assertEquals(validation, BeirTrainingProblem.validationIds(shuffled, 8, 0));
        assertNotEquals(validation, BeirTrainingProblem.validationIds(judged, 8, 1));
        assertTrue(judged.stream().map(RetrievalTask::queryId).toList().containsAll(validation));
        assertEquals(Set.of(), BeirTrainingProblem.validationIds(judged, 1, 0), "one-in 1: nothing carved out");
    }
}
