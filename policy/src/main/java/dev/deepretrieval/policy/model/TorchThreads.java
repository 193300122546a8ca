package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Torch's intra-op threads for one Java thread. PyTorch keeps an intra-op thread count per native thread (OpenMP's
 * per-thread setting, fixed when the thread first runs an op) and a process-wide count that threads starting later
 * take. {@link #pinCurrentThread} sets the calling thread's own count and puts the process-wide one back, so a
 * latency-bound loop (a decode step at small batch: ~140 small ops, where waking a second core costs more than it
 * saves) can run on one core while training threads keep theirs.
 */
public final class TorchThreads {

    private TorchThreads() {}

    /**
     * Runs the calling thread's torch ops on {@code threads} intra-op threads from now on; 0 leaves it as it is.
     * Other threads, running or yet to start, keep the process-wide count.
     */
    public static void pinCurrentThread(NDManager manager, int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + threads);
        }
        if (threads == 0) {
            return;
        }
        // the thread's own setting is fixed at its first op: run one, so that a later first op cannot reset it
        try (NDManager scratch = manager.newSubManager()) {
            scratch.ones(new Shape(1)).add(1f);
        }
        int processWide = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        Thread restore = Thread.ofPlatform().name("torch-threads-restore").start(
                () -> JniUtils.setNumThreads(processWide));
        try {
            restore.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The calling thread's intra-op threads. */
    public static int ofCurrentThread() {
        return JniUtils.getNumThreads();
    }
}
