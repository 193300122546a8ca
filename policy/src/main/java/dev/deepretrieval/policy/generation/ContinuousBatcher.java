package dev.deepretrieval.policy.generation;

import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.TorchThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Continuous batching, as vLLM serves: one decode loop shared by every request of one model. A request joins the
 * running batch at the next step (its prompt prefilled, its keys and values added to the cache), leaves it when it
 * ends (a stop, its token limit, a cancellation), and the batch goes on. Each request keeps its own sampling
 * settings, seed, constraint and listener; its tokens are those it would get generated alone.
 *
 * <p>Bounds: at most {@code maxBatch} requests decode at once and {@code maxQueued} wait; beyond both a request is
 * refused at once ({@link RejectedExecutionException}). The KV cache holds at most {@code maxCacheTokens} positions
 * (rows × width): a waiting request joins only when the batch, with it, fits even if every request runs to its token
 * limit.
 */
public final class ContinuousBatcher implements AutoCloseable {

    /**
     * @param maxCacheTokens the KV cache's bound in positions over all rows (its bytes: positions × per-position)
     * @param sharedPrefixes prompt prefixes whose keys and values are kept ({@link #sharePrefix}; 0 = none)
     * @param threads torch intra-op threads of the loop's own thread ({@link TorchThreads}; 0 = the process's)
     */
    public record Limits(int maxBatch, int maxQueued, long maxCacheTokens, int sharedPrefixes, int threads) {
        public Limits {
            if (maxBatch < 1 || maxQueued < 0 || maxCacheTokens < 1 || sharedPrefixes < 0 || threads < 0) {
                throw new IllegalArgumentException("need max batch >= 1, max queued >= 0, a cache bound >= 1,"
                        + " shared prefixes >= 0 and threads >= 0");
            }
        }
    }

    /**
     * What the loop has done since it started: peaks, the bytes held by the shared prefixes' keys and values (outside
     * the bound: one row per prefix), and where its time went. Two snapshots' differences describe the interval
     * between them.
     *
     * @param steps decode steps (one forward pass of the batch each)
     * @param rowSteps the batch sizes of those steps summed: rowSteps / steps is the mean batch
     * @param joins requests prefilled into the batch
     * @param prefillNanos time in joins' prefills (copying shared prefixes included)
     * @param forwardNanos time in the decode steps' forward passes
     * @param samplingNanos time choosing tokens from logits (and the cache work of leaving sequences)
     */
    public record Stats(int running, int queued, int peakBatch, long peakCacheBytes, long peakCacheTokens,
            long steps, long sharedPrefixBytes, long rowSteps, long joins, long prefillNanos, long forwardNanos,
            long samplingNanos) {}

    private record Pending(int[] prompt, SequenceDecoding decoding, TokenListener listener,
            CompletableFuture<GeneratedSequence> result) {}

    private final DecoderLm model;
    private final Function<int[], String> detokenizer;
    private final Limits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final SharedPrefixes prefixes;
    private final Thread loop;
    private volatile boolean closed;
    private volatile int running;
    private volatile int peakBatch;
    private volatile long peakCacheBytes;
    private volatile long peakCacheTokens;
    private volatile long steps;
    private volatile long sharedPrefixBytes;
    private volatile long rowSteps;
    private volatile long joins;
    private volatile long prefillNanos;
    private volatile long forwardNanos;
    private volatile long samplingNanos;

    public ContinuousBatcher(DecoderLm model, Function<int[], String> detokenizer, Limits limits, String name) {
        this.model = model;
        this.detokenizer = detokenizer;
        this.limits = limits;
        this.prefixes = limits.sharedPrefixes() == 0 ? null : new SharedPrefixes(model, limits.sharedPrefixes());
        this.loop = new Thread(this::run, name);
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /**
     * Queues one generation; the future completes when it ends. Refused at once when the batch and the queue are
     * full, or when its prompt and token limit alone exceed the cache bound.
     *
     * @param listener hears its tokens (as sequence 0) on the loop's thread and may cancel it
     */
    public CompletableFuture<GeneratedSequence> submit(int[] prompt, SamplingSettings settings,
            TokenConstraint constraint, TokenListener listener) {
        var result = new CompletableFuture<GeneratedSequence>();
        if (prompt.length == 0) {
            result.completeExceptionally(new IllegalArgumentException("a prompt needs at least one token (e.g. BOS)"));
            return result;
        }
        if ((long) prompt.length + settings.maxNewTokens() > limits.maxCacheTokens()) {
            result.completeExceptionally(new IllegalArgumentException("a prompt of " + prompt.length + " tokens and "
                    + settings.maxNewTokens() + " new ones exceed the KV cache bound of " + limits.maxCacheTokens()
                    + " positions"));
            return result;
        }
        lock.lock();
        try {
            if (closed) {
                result.completeExceptionally(new RejectedExecutionException("the decode loop is closed"));
            } else if (running + queue.size() >= limits.maxBatch() + limits.maxQueued()) {
                result.completeExceptionally(new RejectedExecutionException("all " + limits.maxBatch()
                        + " batch places and " + limits.maxQueued() + " queue places are taken"));
            } else {
                queue.add(new Pending(prompt, new SequenceDecoding(settings, constraint, 0, detokenizer), listener,
                        result));
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        return result;
    }

    /**
     * Names a prompt beginning many requests share (a template's fixed head): its keys and values are computed once
     * and every prompt that starts with it (and goes on after it) prefills only the rest. The latest
     * {@link Limits#sharedPrefixes()} named are kept; with none, nothing is shared.
     */
    public void sharePrefix(int[] prefix) {
        if (prefixes != null) {
            prefixes.share(prefix);
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(running, queue.size(), peakBatch, peakCacheBytes, peakCacheTokens, steps,
                    sharedPrefixBytes, rowSteps, joins, prefillNanos, forwardNanos, samplingNanos);
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        JniUtils.setGradMode(false);
        TorchThreads.pinCurrentThread(model.weights().manager(), limits.threads());
        while (!closed) {
            Map<DecodeBatch.Row, Pending> owners = new HashMap<>();
            try (DecodeBatch batch = new DecodeBatch(model)) {
                while (!closed) {
                    List<Pending> joining = admit(batch);
                    if (batch.size() == 0 && joining.isEmpty()) {
                        break; // idle: the cache's memory goes back with the batch
                    }
                    var rows = new ArrayList<DecodeBatch.Row>();
                    var prompts = new ArrayList<int[]>();
                    for (Pending p : joining) {
                        DecodeBatch.Row row = new DecodeBatch.Row(p.decoding(), p.listener(), 0);
                        rows.add(row);
                        prompts.add(p.prompt());
                        owners.put(row, p);
                    }
                    long started = System.nanoTime();
                    if (!joining.isEmpty()) {
                        batch.join(prompts, rows, prefixes);
                        joins += joining.size();
                    }
                    long joined = System.nanoTime();
                    prefillNanos += joined - started;
                    sharedPrefixBytes = prefixes == null ? 0 : prefixes.bytes();
                    running = batch.size();
                    peakBatch = Math.max(peakBatch, batch.size());
                    peakCacheTokens = Math.max(peakCacheTokens, batch.width() * batch.size());
                    List<DecodeBatch.Row> ended = batch.choose();
                    running = batch.size(); // before the results: whoever hears one sees it gone from the batch
                    long chosen = System.nanoTime();
                    samplingNanos += chosen - joined;
                    for (DecodeBatch.Row row : ended) {
                        owners.remove(row).result().complete(row.decoding.result());
                    }
                    long forward = System.nanoTime();
                    batch.step();
                    forwardNanos += System.nanoTime() - forward;
                    running = batch.size();
                    if (batch.size() > 0) {
                        steps++;
                        rowSteps += batch.size();
                    }
                    peakCacheBytes = Math.max(peakCacheBytes, batch.peakCacheBytes());
                    peakCacheTokens = Math.max(peakCacheTokens, batch.width() * batch.size());
                }
                owners.values().forEach(p -> p.result().completeExceptionally(
                        new CancellationException("the decode loop closed")));
            } catch (RuntimeException | Error e) {
                // the batch's requests cannot go on; the loop starts again with an empty batch for the others
                owners.values().forEach(p -> p.result().completeExceptionally(e));
                running = 0;
            }
            if (!closed) {
                awaitWork();
            }
        }
        failQueued();
        if (prefixes != null) {
            prefixes.close();
        }
    }

    /**
     * The waiting requests that join now: in arrival order while the batch has places and, with each, the cache
     * would stay within its bound were every request to run to its token limit.
     */
    private List<Pending> admit(DecodeBatch batch) {
        var joining = new ArrayList<Pending>();
        lock.lock();
        try {
            long widest = 0;
            for (DecodeBatch.Row row : batch.rows()) {
                widest = Math.max(widest, (long) row.promptLength + row.gap + row.decoding.maxNewTokens());
            }
            int size = batch.size();
            while (!queue.isEmpty() && size < limits.maxBatch()) {
                Pending next = queue.peek();
                long width = Math.max(widest, (long) next.prompt().length + next.decoding().maxNewTokens());
                if (size > 0 && width * (size + 1) > limits.maxCacheTokens()) {
                    break;
                }
                queue.poll();
                joining.add(next);
                widest = width;
                size++;
            }
        } finally {
            lock.unlock();
        }
        return joining;
    }

    private void awaitWork() {
        lock.lock();
        try {
            while (!closed && queue.isEmpty()) {
                work.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void failQueued() {
        lock.lock();
        try {
            for (Pending p : queue) {
                p.result().completeExceptionally(new CancellationException("the decode loop closed"));
            }
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the loop after its current step; running and waiting requests fail with a cancellation. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
