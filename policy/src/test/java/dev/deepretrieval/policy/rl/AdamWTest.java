package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    @Test
    void firstStepWithDecoupledWeightDecay() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray p = manager.create(new float[] {1f});
            p.setRequiresGradient(true);
            try (AdamW adam = new AdamW(Map.of("p", p), manager, 0.9, 0.999, 1e-8, 0.01, 0)) {
                backward(() -> p.mul(0.5f).sum()); // gradient 0.5
                // decay: 1 * (1 - 0.1 * 0.01) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; step 0.1 * 0.5 / 0.5
                assertEquals(0.5, adam.step(0.1), 1e-7);
                assertEquals(0.899f, p.getFloat(0), 1e-6f);
                assertEquals(0.05f, adam.firstMoments().get("p").getFloat(0), 1e-7f);
                assertEquals(0.00025f, adam.secondMoments().get("p").getFloat(0), 1e-9f);
                assertEquals(0f, p.getGradient().getFloat(0), "gradients are zeroed after the step");
            }
        }
    }

    @Test
    void globalGradientNormIsClipped() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray a = manager.create(new float[] {0f});
            NDArray b = manager.create(new float[] {0f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (AdamW adam = new AdamW(Map.of("a", a, "b", b), manager, 0.9, 0.999, 1e-8, 0, 1.0)) {
                backward(() -> a.mul(3f).add(b.mul(4f)).sum()); // gradients 3 and 4: norm 5, clipped to 1 -> 0.6, 0.8
                assertEquals(5.0, adam.step(0.01), 1e-6);
                assertArrayEquals(new float[] {0.06f}, adam.firstMoments().get("a").toFloatArray(), 1e-6f);
                assertArrayEquals(new float[] {0.08f}, adam.firstMoments().get("b").toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void aNonFiniteGradientIsDroppedNotApplied() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray a = manager.create(new float[] {1f});
            NDArray b = manager.create(new float[] {2f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (AdamW adam = new AdamW(Map.of("a", a, "b", b), manager, 0.9, 0.999, 1e-8, 0, 1.0)) {
                backward(() -> a.mul(Float.NaN).add(b.mul(4f)).sum()); // a's gradient is NaN
                assertEquals(Double.NaN, adam.step(0.01));
                assertEquals(1, adam.skippedSteps());
                assertEquals(0, adam.steps(), "no update counted");
                assertEquals(1f, a.getFloat(0));
                assertEquals(2f, b.getFloat(0));
                assertEquals(0f, adam.firstMoments().get("b").getFloat(0), "moments untouched");
                assertEquals(0f, a.getGradient().getFloat(0), "the bad gradients are cleared");
                backward(() -> a.mul(3f).add(b.mul(4f)).sum());
                assertEquals(5.0, adam.step(0.01), 1e-6, "the next good batch updates as usual");
                assertEquals(1, adam.steps());
            }
        }
    }

    @Test
    void learningRateSchedules() {
        var constant = new LearningRateSchedule(1e-3, 4, 100, LearningRateSchedule.Shape.CONSTANT, 0);
        assertEquals(0.25e-3, constant.at(0), 1e-15);
        assertEquals(1e-3, constant.at(3), 1e-15);
        assertEquals(1e-3, constant.at(99), 1e-15);
        var cosine = new LearningRateSchedule(1e-3, 0, 10, LearningRateSchedule.Shape.COSINE, 0.1);
        assertEquals(1e-3, cosine.at(0), 1e-15);
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5), cosine.at(5), 1e-15);
        assertEquals(1e-4, cosine.at(10), 1e-15);
        assertEquals(1e-4, cosine.at(50), 1e-15);
    }

    /** The loss is built inside the collector: DJL records operations only there. */
    private static void backward(java.util.function.Supplier<NDArray> loss) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.get());
        }
    }
}
