package dev.deepretrieval.policy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gradient collection, one at a time in the process. DJL's PyTorch engine records gradients process-wide and refuses
 * a second collector while one is open ("A PtGradientCollector is already collecting"), so two learners updating at
 * once (two runs in one service, a learner and a benchmark) would fail each other's update. Every backward pass takes
 * its collector from here: a second waits until the first is closed.
 */
public final class Gradients {

    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    private Gradients() {}

    /** Whether a thread is waiting for a collector (for tests). */
    static boolean waiting() {
        return ONE_AT_A_TIME.hasQueuedThreads();
    }

    /** A collector, once no other thread holds one; closing it lets the next in. */
    public static GradientCollector collector() {
        ONE_AT_A_TIME.lock();
        GradientCollector engine;
        try {
            engine = Engine.getInstance().newGradientCollector();
        } catch (RuntimeException | Error e) {
            ONE_AT_A_TIME.unlock();
            throw e;
        }
        return new GradientCollector() {
            private boolean closed;

            @Override
            public void backward(NDArray target) {
                engine.backward(target);
            }

            @Override
            public void zeroGradients() {
                engine.zeroGradients();
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    engine.close();
                } finally {
                    ONE_AT_A_TIME.unlock();
                }
            }
        };
    }
}
