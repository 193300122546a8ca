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

    private static final Object PINNING = new Object();

    /**
     * Runs the calling thread's torch ops on {@code threads} intra-op threads from now on; 0 leaves it as it is.
     * Other threads, running or yet to start, keep the process-wide count — except one whose very first torch op
     * falls in the instant this call has the process-wide count changed (it would start with {@code threads}); pins
     * do not overlap one another.
     */
    public static void pinCurrentThread(NDManager manager, int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + threads);
        }
        if (threads == 0) {
            return;
        }
        synchronized (PINNING) {
            // the thread's own setting is fixed at its first op: run one, so that a later first op cannot reset it
            firstOp(manager);
            int[] processWide = new int[1];
            joinUninterruptibly(Thread.ofPlatform().name("torch-threads-read").start(() -> {
                firstOp(manager); // a new thread takes the process-wide count, which no other pin has changed now
                processWide[0] = JniUtils.getNumThreads();
            }));
            JniUtils.setNumThreads(threads);
            joinUninterruptibly(Thread.ofPlatform().name("torch-threads-restore").start(
                    () -> JniUtils.setNumThreads(processWide[0])));
        }
    }

    /** Fixes the calling thread's own count, if it is not yet, at the process-wide one. */
    private static void firstOp(NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            scratch.ones(new Shape(1)).add(1f);
        }
        JniUtils.getNumThreads(); // reading the count is what initialises it (a small op runs no parallel region)
    }

    /** Waits for {@code thread}: the count must be read, or put back, before anyone else pins or starts. */
    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The calling thread's intra-op threads. */
    public static int ofCurrentThread() {
        return JniUtils.getNumThreads();
    }
}
