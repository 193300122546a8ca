package dev.deepretrieval.policy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class TorchThreadsTest {

    /** The intra-op threads a new thread sees after its first op. */
    private static int onNewThread(NDManager manager, Callable<Integer> before) throws Exception {
        var task = new FutureTask<>(() -> {
            int pinned = before.call();
            try (NDManager scratch = manager.newSubManager()) {
                scratch.ones(new Shape(4)).add(1f);
            }
            return pinned < 0 ? TorchThreads.ofCurrentThread() : pinned;
        });
        Thread thread = new Thread(task);
        thread.start();
        thread.join();
        return task.get();
    }

    @Test
    void aPinnedThreadKeepsItsCountAndLaterThreadsKeepTheProcesses() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int processWide = onNewThread(manager, () -> -1);
            int pinned = onNewThread(manager, () -> {
                TorchThreads.pinCurrentThread(manager, processWide + 1);
                try (NDManager scratch = manager.newSubManager()) {
                    scratch.ones(new Shape(4)).add(1f); // later ops do not reset it
                }
                return TorchThreads.ofCurrentThread();
            });
            assertEquals(processWide + 1, pinned);
            assertEquals(processWide, onNewThread(manager, () -> -1));
            assertEquals(processWide, onNewThread(manager, () -> {
                TorchThreads.pinCurrentThread(manager, 0); // 0 leaves the thread as it is
                return -1;
            }));
        }
    }

    @Test
    void pinsAtOnceOnTwoThreadsLeaveTheProcessWideCountAsItWas() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int processWide = onNewThread(manager, () -> -1);
            var start = new java.util.concurrent.CountDownLatch(1);
            var pinned = new java.util.ArrayList<FutureTask<Integer>>();
            for (int i = 0; i < 2; i++) {
                var task = new FutureTask<>(() -> {
                    start.await();
                    TorchThreads.pinCurrentThread(manager, processWide + 1);
                    return TorchThreads.ofCurrentThread();
                });
                pinned.add(task);
                new Thread(task).start();
            }
            start.countDown();
            for (FutureTask<Integer> task : pinned) {
                assertEquals(processWide + 1, task.get());
            }
            assertEquals(processWide, onNewThread(manager, () -> -1));
        }
    }

    @Test
    void aNegativeCountIsRefused() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThrows(IllegalArgumentException.class, () -> TorchThreads.pinCurrentThread(manager, -1));
        }
    }
}
