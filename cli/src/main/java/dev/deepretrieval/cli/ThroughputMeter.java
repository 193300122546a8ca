package dev.deepretrieval.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Measures operations per second of a task run by N threads for a fixed wall-clock time. Each thread walks the
 * work items from its own offset, so threads do not all hit the same item at once.
 */
final class ThroughputMeter {

    private ThroughputMeter() {}

    /**
     * Runs {@code operation(itemIndex)} on {@code threads} threads for {@code seconds} and returns operations/s.
     */
    static double measure(int threads, int items, double seconds, IntConsumer operation) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            long start = System.nanoTime();
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = (int) ((long) t * items / threads);
                counts.add(pool.submit(() -> {
                    long done = 0;
                    int index = offset;
                    while (System.nanoTime() < deadline) {
                        operation.accept(index);
                        done++;
                        index = index + 1 == items ? 0 : index + 1;
                    }
                    return done;
                }));
            }
            long total = 0;
            for (Future<Long> count : counts) {
                total += count.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
