package dev.deepretrieval.policy.generation;

import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.model.DecodeWeights;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.KvCache;
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
 * <p>Two threads: the decode loop steps the batch, and a prefill thread admits waiting requests and prefills them
 * while the batch decodes (prefill and decode disaggregated onto two cores, as DistServe and vLLM's disaggregated
 * prefill place them on separate GPUs): a join costs the loop only copying the joiners' keys and values into spare
 * cache rows, not their prompts' forward pass.
 *
 * <p>Bounds: at most {@code maxBatch} requests decode at once and {@code maxQueued} wait; beyond both a request is
 * refused at once ({@link RejectedExecutionException}). The KV cache holds at most {@code maxCacheTokens} positions
 * (rows × (span + {@link KvCache#HEADROOM})): a waiting request joins only when the batch, with it, fits even if every
 * request runs to its token limit, the span being the widest any row has reserved while the batch lives.
 */
public final class ContinuousBatcher implements AutoCloseable {

    /**
     * @param maxCacheTokens the KV cache's bound in positions over all rows (its bytes: positions × per-position)
     * @param sharedPrefixes prompt prefixes whose keys and values are kept ({@link #sharePrefix}; 0 = none)
     * @param threads torch intra-op threads of each of the loop's two threads ({@link TorchThreads}; 0 = the
     *     process's)
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
     * @param cascadedRowSteps of those rows, the ones that attended their template head apart (cascade attention: the
     *     head's keys and values held once for the batch, not in every row)
     * @param joins requests prefilled into the batch
     * @param prefillNanos time in joins' prefills (copying shared prefixes included), on the prefill thread
     * @param appendNanos time the decode loop spent adding prefilled requests' keys and values to its cache
     * @param forwardNanos time in the decode steps' forward passes
     * @param samplingNanos time choosing tokens from logits (and the cache work of leaving sequences)
     */
    public record Stats(int running, int queued, int peakBatch, long peakCacheBytes, long peakCacheTokens,
            long steps, long sharedPrefixBytes, long rowSteps, long cascadedRowSteps, long joins, long prefillNanos,
            long appendNanos, long forwardNanos, long samplingNanos) {}

    private record Pending(int[] prompt, SequenceDecoding decoding, TokenListener listener,
            CompletableFuture<GeneratedSequence> result) {

        long width() {
            return (long) prompt.length + decoding.maxNewTokens();
        }
    }

    /** Requests prefilled together, waiting for the decode loop to add them to its batch. */
    private record Ready(DecodeBatch.Prefilled prefilled, Map<DecodeBatch.Row, Pending> owners) {}

    private final DecoderLm model;
    private final DecodeWeights weights; // as they were when the loop started: a served policy's do not change
    private final Function<int[], String> detokenizer;
    private final Limits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition prefillWork = lock.newCondition(); // a request queued, or the batch made room
    private final Condition decodeWork = lock.newCondition(); // prefilled requests ready to join
    // under the lock: requests waiting, requests admitted and prefilling or ready (not yet in the batch), the batch
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<Pending> admitted = new ArrayList<>();
    private final ArrayDeque<Ready> ready = new ArrayDeque<>();
    private int batchRows;
    private long batchWidest; // the most positions a batch row may come to hold (prompt, gap, token limit)
    private final SharedPrefixes prefixes; // prefill thread only
    private final Thread loop;
    private final Thread prefiller;
    private volatile boolean closed;
    private volatile int peakBatch;
    private volatile long peakCacheBytes;
    private volatile long peakCacheTokens;
    private volatile long steps;
    private volatile long sharedPrefixBytes;
    private volatile long rowSteps;
    private volatile long cascadedRowSteps;
    private volatile long joins;
    private volatile long prefillNanos;
    private volatile long appendNanos;
    private volatile long forwardNanos;
    private volatile long samplingNanos;

    public ContinuousBatcher(DecoderLm model, Function<int[], String> detokenizer, Limits limits, String name) {
        this.model = model;
        this.weights = DecodeWeights.copyIfOnCpu(model.weights());
        this.detokenizer = detokenizer;
        this.limits = limits;
        this.prefixes = limits.sharedPrefixes() == 0 ? null : new SharedPrefixes(model, limits.sharedPrefixes());
        this.loop = new Thread(this::decode, name);
        this.loop.setDaemon(true);
        this.prefiller = new Thread(this::prefill, name + "-prefill");
        this.prefiller.setDaemon(true);
        this.loop.start();
        this.prefiller.start();
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
        if ((long) prompt.length + settings.maxNewTokens() + KvCache.HEADROOM > limits.maxCacheTokens()) {
            result.completeExceptionally(new IllegalArgumentException("a prompt of " + prompt.length + " tokens and "
                    + settings.maxNewTokens() + " new ones (and " + KvCache.HEADROOM + " positions of room) exceed the KV"
                    + " cache bound of " + limits.maxCacheTokens() + " positions"));
            return result;
        }
        lock.lock();
        try {
            if (closed) {
                result.completeExceptionally(new RejectedExecutionException("the decode loop is closed"));
            } else if (batchRows + admitted.size() + queue.size() >= limits.maxBatch() + limits.maxQueued()) {
                result.completeExceptionally(new RejectedExecutionException("all " + limits.maxBatch()
                        + " batch places and " + limits.maxQueued() + " queue places are taken"));
            } else {
                queue.add(new Pending(prompt, new SequenceDecoding(settings, constraint, 0, detokenizer), listener,
                        result));
                prefillWork.signal();
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
            return new Stats(batchRows, queue.size() + admitted.size(), peakBatch, peakCacheBytes, peakCacheTokens, steps,
                    sharedPrefixBytes, rowSteps, cascadedRowSteps, joins, prefillNanos, appendNanos, forwardNanos,
                    samplingNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The decode loop: adds the prefilled requests to the batch, lets every sequence choose its next token (those that
     * end leave), and steps the batch forward; an empty batch is closed (its cache's memory goes back) until requests
     * are ready again.
     */
    private void decode() {
        JniUtils.setGradMode(false);
        TorchThreads.pinCurrentThread(model.weights().manager(), limits.threads());
        while (awaitReady()) {
            Map<DecodeBatch.Row, Pending> owners = new HashMap<>();
            try (DecodeBatch batch = new DecodeBatch(model, weights, limits.maxBatch(), limits.maxCacheTokens())) {
                while (!closed) {
                    long appending = System.nanoTime();
                    for (Ready arrived : takeReady()) {
                        owners.putAll(arrived.owners());
                        batch.join(arrived.prefilled());
                    }
                    appendNanos += System.nanoTime() - appending;
                    if (batch.size() == 0) {
                        break;
                    }
                    peakBatch = Math.max(peakBatch, batch.size()); // the joiners are counted since takeReady
                    peakCacheTokens = Math.max(peakCacheTokens, batch.width() * batch.size());
                    long choosing = System.nanoTime();
                    List<DecodeBatch.Row> ended = batch.choose();
                    publish(batch); // before the results: whoever hears one sees it gone from the batch
                    long chosen = System.nanoTime();
                    samplingNanos += chosen - choosing;
                    for (DecodeBatch.Row row : ended) {
                        owners.remove(row).result().complete(row.decoding.result());
                    }
                    if (batch.size() > 0) {
                        long forward = System.nanoTime();
                        batch.step();
                        forwardNanos += System.nanoTime() - forward;
                        steps++;
                        rowSteps += batch.size();
                        cascadedRowSteps += batch.cascadedRows();
                    }
                    peakCacheBytes = Math.max(peakCacheBytes, batch.peakCacheBytes());
                    peakCacheTokens = Math.max(peakCacheTokens, batch.width() * batch.size());
                }
                owners.values().forEach(p -> p.result().completeExceptionally(
                        new CancellationException("the decode loop closed")));
            } catch (RuntimeException | Error e) {
                // the batch's requests cannot go on; the loop starts again with an empty batch for the others
                owners.values().forEach(p -> p.result().completeExceptionally(e));
            }
            publish(null);
        }
    }

    /**
     * The prefill thread: admits waiting requests while the batch has room for them and prefills them together
     * (their shared prefixes' keys and values copied, the rest of their prompts computed), on a core of its own while
     * the batch decodes, then hands them to the decode loop.
     */
    private void prefill() {
        JniUtils.setGradMode(false);
        TorchThreads.pinCurrentThread(model.weights().manager(), limits.threads());
        try {
            List<Pending> group;
            while (!(group = awaitAdmitted()).isEmpty()) {
                long started = System.nanoTime();
                var rows = new ArrayList<DecodeBatch.Row>();
                var prompts = new ArrayList<int[]>();
                Map<DecodeBatch.Row, Pending> owners = new HashMap<>();
                for (Pending p : group) {
                    DecodeBatch.Row row = new DecodeBatch.Row(p.decoding(), p.listener(), 0);
                    rows.add(row);
                    prompts.add(p.prompt());
                    owners.put(row, p);
                }
                DecodeBatch.Prefilled prefilled;
                try {
                    prefilled = DecodeBatch.prefill(model, weights, prompts, rows, prefixes);
                } catch (RuntimeException | Error e) {
                    lock.lock();
                    try {
                        admitted.removeAll(group);
                        prefillWork.signal();
                    } finally {
                        lock.unlock();
                    }
                    group.forEach(p -> p.result().completeExceptionally(e));
                    continue;
                }
                sharedPrefixBytes = prefixes == null ? 0 : prefixes.bytes();
                prefillNanos += System.nanoTime() - started;
                joins += group.size();
                lock.lock();
                try {
                    ready.add(new Ready(prefilled, owners));
                    decodeWork.signal();
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            if (prefixes != null) {
                prefixes.close();
            }
        }
    }

    /**
     * The waiting requests that join next, once there are any: in arrival order while the batch has places and, with
     * each, the cache would stay within its bound were every request to run to its token limit. Empty when closed.
     */
    private List<Pending> awaitAdmitted() {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return List.of();
                }
                long widest = batchWidest;
                for (Pending p : admitted) {
                    widest = Math.max(widest, p.width());
                }
                int size = batchRows + admitted.size();
                var joining = new ArrayList<Pending>();
                while (!queue.isEmpty() && size < limits.maxBatch()) {
                    Pending next = queue.peek();
                    long width = Math.max(widest, next.width());
                    if (size > 0 && (width + KvCache.HEADROOM) * (size + 1) > limits.maxCacheTokens()) {
                        break;
                    }
                    queue.poll();
                    joining.add(next);
                    widest = width;
                    size++;
                }
                if (!joining.isEmpty()) {
                    admitted.addAll(joining);
                    return joining;
                }
                prefillWork.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until prefilled requests are ready to join; false when closed. */
    private boolean awaitReady() {
        lock.lock();
        try {
            while (!closed && ready.isEmpty()) {
                decodeWork.awaitUninterruptibly();
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** The prefilled requests ready now (none admitted any more: they are the batch's). */
    private List<Ready> takeReady() {
        lock.lock();
        try {
            var taken = new ArrayList<>(ready);
            ready.clear();
            for (Ready r : taken) {
                // counted as the batch's from now on, until the batch is published with them
                admitted.removeAll(r.owners().values());
                batchRows += r.owners().size();
                for (Pending p : r.owners().values()) {
                    batchWidest = Math.max(batchWidest, p.width());
                }
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Tells admission what the batch holds now ({@code batch} null: nothing), and that it may have room. */
    private void publish(DecodeBatch batch) {
        long widest = 0;
        int size = 0;
        if (batch != null) {
            // the cache keeps the positions reserved for the widest row joined while the batch lives
            size = batch.size();
            widest = size == 0 ? 0 : batch.reservedSpan();
        }
        lock.lock();
        try {
            boolean room = size < batchRows || widest < batchWidest;
            batchRows = size;
            batchWidest = widest;
            if (room) {
                prefillWork.signal();
            }
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
            prefillWork.signalAll();
            decodeWork.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            loop.join();
            prefiller.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            var cancelled = new CancellationException("the decode loop closed");
            queue.forEach(p -> p.result().completeExceptionally(cancelled));
            queue.clear();
            for (Ready r : ready) {
                r.prefilled().close();
            }
            ready.clear();
            admitted.forEach(p -> p.result().completeExceptionally(cancelled));
            admitted.clear();
        } finally {
            lock.unlock();
        }
    }
}
