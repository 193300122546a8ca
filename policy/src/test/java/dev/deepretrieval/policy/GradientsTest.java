package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GradientsTest {

    @Test
    void aSecondCollectorWaitsForTheFirstInsteadOfFailing() throws Exception {
        // DJL alone throws "A PtGradientCollector is already collecting" at the second (two learners in one JVM)
        var events = new CopyOnWriteArrayList<String>();
        var failure = new AtomicReference<Throwable>();
        Thread second;
        try (GradientCollector first = Gradients.collector()) {
            events.add("first open");
            second = new Thread(() -> {
                try (GradientCollector c = Gradients.collector()) {
                    events.add("second open");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            second.start();
            while (!Gradients.waiting()) {
                Thread.onSpinWait(); // until the second thread is queued behind the first collector
            }
            events.add("first closing");
        }
        second.join();
        assertEquals(null, failure.get());
        assertEquals(List.of("first open", "first closing", "second open"), events);
    }
}
