package dev.deepretrieval.policy.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.CascadePrefix;
import dev.deepretrieval.policy.model.DecodeWeights;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The running batch of a decode loop, over one KV cache in compacted layout: each sequence's cached tokens are
 * right-aligned, and the live window is as wide as the longest sequence in it. Sequences join between steps (their
 * prompts prefilled together, their keys and values copied into spare cache rows), choose their next tokens, and leave
 * when they end: their rows are taken by the last ones and the positions no sequence needs any more are cut off. The
 * cache's buffers are sized once for the rows and spans joined ({@link KvCache#reserve}), within the position bound,
 * so joins, leaves and steps work in place; they are freed when the batch closes.
 *
 * <p>On the CPU, steps run on the JVM but for attention ({@link DecoderLm#decodeStep}), with the copy of the weights
 * it is given; prefills run natively, their last logits from the same copy's output head, so every logit a row
 * chooses by comes from the same arithmetic whatever else is in the batch.
 *
 * <p>Not thread-safe: one thread drives it; {@link #prefill} may run on another while it decodes. Its NDArrays live
 * under the model's manager until {@link #close()}.
 */
final class DecodeBatch implements AutoCloseable {

    /** One sequence in the batch. */
    static final class Row {
        final SequenceDecoding decoding;
        final TokenListener listener;
        final int listenerIndex;
        int cached; // tokens of this sequence in the cache
        float[] logits; // the next token's logits, once prefilled or stepped
        double logNormaliser; // log Σ exp(logits), computed with them
        int next = -1; // the token chosen for the next step
        int promptLength;
        int prefix; // tokens of a shared prefix at the start of its cached span
        int gap; // padding positions between that prefix and the rest of its prompt
        boolean cascaded; // its prefix is the batch's cascade prefix, attended apart and not in its cache row

        /**
         * Positions of this sequence in the cache window, from its first cached token to the newest: its tokens and
         * its gap, less a prefix attended apart.
         */
        int span() {
            return cached + gap - (cascaded ? prefix : 0);
        }

        Row(SequenceDecoding decoding, TokenListener listener, int listenerIndex) {
            this.decoding = decoding;
            this.listener = listener;
            this.listenerIndex = listenerIndex;
        }
    }

    private final DecoderLm model;
    private final DecodeWeights weights;
    private final NDManager manager;
    private final KvCache cache;
    private final int vocab;
    private final List<Row> rows = new ArrayList<>();
    private long width; // positions in the cache
    private long reservedSpan;
    private KvCache cascadePrefix; // the shared prefix of the first rows that joined with one, attended apart
    private int[] cascadeTokens;
    private long peakCacheBytes;

    /**
     * @param maxRows the most sequences the batch will hold at once
     * @param weights the weights to decode with, copied from {@code model}'s; null: decode natively (weights on an
     *     accelerator)
     * @param maxPositions the bound, in positions over all rows, within which the cache may keep spare rows
     */
    DecodeBatch(DecoderLm model, DecodeWeights weights, int maxRows, long maxPositions) {
        this.model = model;
        this.weights = weights;
        this.manager = model.weights().manager().newSubManager();
        this.cache = new KvCache(manager, model.config().numLayers(), maxRows, maxPositions);
        this.vocab = model.config().vocabSize();
    }

    int size() {
        return rows.size();
    }

    List<Row> rows() {
        return rows;
    }

    /** Positions in the cache now (the longest live sequence). */
    long width() {
        return width;
    }

    long peakCacheBytes() {
        return peakCacheBytes;
    }

    /** Rows attending the batch's cascade prefix apart ({@link CascadePrefix}). */
    int cascadedRows() {
        int cascaded = 0;
        for (Row row : rows) {
            cascaded += row.cascaded ? 1 : 0;
        }
        return cascaded;
    }

    /** The most positions any row may come to span (its prompt, gap and token limit), over every row joined so far. */
    long reservedSpan() {
        return reservedSpan;
    }

    private static long span(Row row) {
        return (long) row.promptLength + row.gap + row.decoding.maxNewTokens() - (row.cascaded ? row.prefix : 0);
    }

    /**
     * Prefills {@code prompts} and adds them to the batch with their first logits: those that start with a shared
     * prefix prefill only what follows it (together with the others sharing it), the others together.
     */
    void join(List<int[]> prompts, List<Row> joining, SharedPrefixes prefixes) {
        join(prefill(model, weights, prompts, joining, prefixes));
    }

    /**
     * Adds sequences prefilled (on any thread) to the batch: their keys and values go into the cache's spare rows and
     * {@code prefilled} is closed.
     */
    void join(Prefilled prefilled) {
        try (prefilled) {
            int joining = prefilled.groups.stream().mapToInt(g -> g.rows().size()).sum();
            // a prefix is attended apart once rows share it: a sequence decoding alone is faster without the extra ops
            boolean shared = rows.size() + joining > 1;
            for (Prefilled.Group group : prefilled.groups) {
                int[] prefix = group.prefixTokens();
                if (prefix != null && cascadeTokens == null && shared) {
                    cascadePrefix = group.cache().firstRowPrefix(manager, prefix.length);
                    cascadeTokens = prefix;
                }
                boolean cascaded = prefix != null && Arrays.equals(prefix, cascadeTokens);
                long skipped = cascaded ? prefix.length : 0;
                for (Row row : group.rows()) {
                    row.cascaded = cascaded;
                    reservedSpan = Math.max(reservedSpan, span(row));
                }
                cache.reserve(rows.size() + group.rows().size(), reservedSpan);
                cache.appendRows(group.cache(), skipped);
                width = Math.max(width, group.width() - skipped);
                rows.addAll(group.rows());
                peakCacheBytes = Math.max(peakCacheBytes, cacheBytes());
            }
        }
    }

    /**
     * Sequences prefilled and not yet in a batch: groups of rows with their first logits and their keys and values, in
     * a manager of their own.
     */
    static final class Prefilled implements AutoCloseable {

        /** @param prefixTokens the shared prefix its rows start with (null: none) */
        record Group(KvCache cache, List<Row> rows, long width, int[] prefixTokens) {}

        private final NDManager manager;
        private final List<Group> groups = new ArrayList<>();

        private Prefilled(NDManager manager) {
            this.manager = manager;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * Prefills {@code prompts} (the rows {@code joining}, which get their first logits) without touching any batch,
     * so it may run on a thread of its own while a batch decodes: those that start with a shared prefix prefill only
     * what follows it (together with the others sharing it), the others together.
     */
    static Prefilled prefill(DecoderLm model, DecodeWeights weights, List<int[]> prompts, List<Row> joining,
            SharedPrefixes prefixes) {
        var plain = new ArrayList<Integer>();
        var byPrefix = new LinkedHashMap<SharedPrefixes.Entry, List<Integer>>();
        for (int i = 0; i < prompts.size(); i++) {
            SharedPrefixes.Entry entry = prefixes == null ? null : prefixes.longestFor(prompts.get(i));
            if (entry == null) {
                plain.add(i);
            } else {
                byPrefix.computeIfAbsent(entry, e -> new ArrayList<>()).add(i);
            }
        }
        var prefilled = new Prefilled(model.weights().manager().newSubManager());
        try {
            if (!plain.isEmpty()) {
                prefilled.groups.add(prefillGroup(model, weights, prefilled.manager, pick(prompts, plain),
                        pick(joining, plain), null));
            }
            byPrefix.forEach((entry, members) -> prefilled.groups.add(prefillGroup(model, weights, prefilled.manager,
                    pick(prompts, members), pick(joining, members), entry)));
            return prefilled;
        } catch (RuntimeException | Error e) {
            prefilled.close();
            throw e;
        }
    }

    private static Prefilled.Group prefillGroup(DecoderLm model, DecodeWeights weights, NDManager manager,
            List<int[]> prompts, List<Row> joining, SharedPrefixes.Entry prefix) {
        int vocab = model.config().vocabSize();
        int padId = model.config().padTokenId().orElse(0);
        int shared = prefix == null ? 0 : prefix.tokens().length;
        int[][] sequences = new int[prompts.size()][];
        int longest = 0;
        for (int i = 0; i < sequences.length; i++) {
            int[] prompt = prompts.get(i);
            sequences[i] = Arrays.copyOfRange(prompt, shared, prompt.length);
            longest = Math.max(longest, sequences[i].length);
        }
        KvCache fresh = new KvCache(manager, model.config().numLayers());
        fresh.reserve(sequences.length, shared + longest);
        try (NDManager step = manager.newSubManager()) {
            BatchLayout.Inputs inputs;
            if (prefix == null) {
                inputs = BatchLayout.leftPadded(step, sequences, padId, new int[sequences.length][]);
            } else {
                fresh.fillRepeated(prefix.cache(), sequences.length);
                inputs = BatchLayout.afterPrefix(step, sequences, shared, padId);
            }
            LastLogits last = lastLogits(model, weights, step, inputs, fresh, null);
            float[] logits = last.logits();
            for (int i = 0; i < joining.size(); i++) {
                Row row = joining.get(i);
                row.logNormaliser = last.logNormalisers()[i];
                row.cached = prompts.get(i).length;
                row.promptLength = prompts.get(i).length;
                row.prefix = shared;
                row.gap = prefix == null ? 0 : longest - sequences[i].length;
                row.logits = new float[vocab];
                System.arraycopy(logits, i * vocab, row.logits, 0, vocab);
            }
        }
        return new Prefilled.Group(fresh, joining, shared + longest, prefix == null ? null : prefix.tokens());
    }

    private static <T> List<T> pick(List<T> items, List<Integer> at) {
        return at.stream().map(items::get).toList();
    }

    /**
     * Every sequence chooses its next token; those that end (a stop, the token limit, a cancellation) leave the
     * batch and are returned, their cache rows freed.
     */
    List<Row> choose() {
        var ended = new ArrayList<Row>();
        for (Row row : rows) {
            row.next = row.decoding.next(row.logits, 0, vocab, row.listener, row.listenerIndex, row.logNormaliser);
            if (row.decoding.finished()) {
                ended.add(row);
            }
        }
        if (!ended.isEmpty()) {
            leave(ended);
        }
        return ended;
    }

    /** One forward step of every sequence left: its chosen token is cached and its next logits computed. */
    void step() {
        if (rows.isEmpty()) {
            return;
        }
        int batch = rows.size();
        long keys = width + 1;
        int[] ids = new int[batch];
        int[] positions = new int[batch];
        float[] bias = new float[(int) (batch * keys)];
        for (int b = 0; b < batch; b++) {
            Row row = rows.get(b);
            ids[b] = row.next;
            positions[b] = row.cached;
            long first = width - row.span();
            long gapFrom = first + (row.cascaded ? 0 : row.prefix);
            long gapTo = gapFrom + row.gap;
            for (long j = 0; j < keys; j++) {
                boolean visible = j >= first && (j < gapFrom || j >= gapTo);
                bias[(int) (b * keys + j)] = visible ? 0f : DecoderLm.MASKED;
            }
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray attentionBias = step.create(bias, new Shape(batch, 1, 1, keys));
            LastLogits last;
            if (weights != null) {
                double[] logNormalisers = new double[batch];
                last = new LastLogits(model.decodeStep(step, weights, ids, positions, attentionBias, cache,
                        cascade(step), logNormalisers), logNormalisers);
            } else {
                long[] idValues = new long[batch];
                long[] positionValues = new long[batch];
                for (int b = 0; b < batch; b++) {
                    idValues[b] = ids[b];
                    positionValues[b] = positions[b];
                }
                last = lastLogits(model, null, step, new BatchLayout.Inputs(step.create(idValues, new Shape(batch, 1)),
                        step.create(positionValues, new Shape(batch, 1)), attentionBias), cache, cascade(step));
            }
            for (int b = 0; b < batch; b++) {
                Row row = rows.get(b);
                System.arraycopy(last.logits(), b * vocab, row.logits, 0, vocab);
                row.logNormaliser = last.logNormalisers()[b];
                row.cached++;
            }
        }
        width++;
        peakCacheBytes = Math.max(peakCacheBytes, cacheBytes());
    }

    /** The cascade prefix with its bias for this step's rows (null: the batch has none). */
    private CascadePrefix cascade(NDManager step) {
        if (cascadePrefix == null) {
            return null;
        }
        int length = cascadeTokens.length;
        float[] bias = new float[rows.size() * length];
        for (int b = 0; b < rows.size(); b++) {
            if (!rows.get(b).cascaded) {
                Arrays.fill(bias, b * length, (b + 1) * length, DecoderLm.MASKED);
            }
        }
        return new CascadePrefix(cascadePrefix, step.create(bias, new Shape(rows.size(), 1, 1, length)));
    }

    private long cacheBytes() {
        return cache.bytes() + (cascadePrefix == null ? 0 : cascadePrefix.bytes());
    }

    /**
     * Removes {@code leaving} from the batch, the last sequences taking their places (in the batch and its cache rows,
     * which stay in the same order), and cuts the positions no remaining sequence reads.
     */
    void leave(List<Row> leaving) {
        int remaining = rows.size() - leaving.size();
        var holes = new ArrayList<Integer>();
        var movers = new ArrayList<Integer>();
        for (int i = 0; i < rows.size(); i++) {
            boolean leaves = leaving.contains(rows.get(i));
            if (leaves && i < remaining) {
                holes.add(i);
            } else if (!leaves && i >= remaining) {
                movers.add(i);
            }
        }
        long[] from = new long[holes.size()];
        long[] to = new long[holes.size()];
        for (int i = 0; i < holes.size(); i++) {
            from[i] = movers.get(i);
            to[i] = holes.get(i);
            rows.set(holes.get(i), rows.get(movers.get(i)));
        }
        rows.subList(remaining, rows.size()).clear();
        if (rows.isEmpty()) {
            cache.clear();
            width = 0;
            return;
        }
        cache.moveRows(from, to, remaining);
        long longest = 0;
        for (Row row : rows) {
            longest = Math.max(longest, row.span());
        }
        cache.dropLeading(width - longest);
        width = longest;
        long needed = 0;
        for (Row row : rows) {
            needed = Math.max(needed, span(row));
        }
        if (needed < reservedSpan) { // the widest rows left: the cache may give back their positions
            reservedSpan = needed;
            cache.release(needed);
        }
    }

    /** The last position's logits of every row, {@code [rows * vocab]}, and each row's log Σ exp(logits). */
    private record LastLogits(float[] logits, double[] logNormalisers) {}

    /**
     * The last logits of a forward pass over {@code inputs}: on the JVM's copy of the weights, the final hidden states
     * copied out and the output head applied there; without one (weights on an accelerator), natively.
     */
    private static LastLogits lastLogits(DecoderLm model, DecodeWeights weights, NDManager step,
            BatchLayout.Inputs inputs, KvCache kv, CascadePrefix cascade) {
        NDArray hidden = model.hidden(step, inputs.ids(), inputs.positions(), inputs.attentionBias(), kv, cascade);
        NDArray last = hidden.get(":, -1, :");
        int rows = (int) last.getShape().get(0);
        double[] logNormalisers = new double[rows];
        if (weights != null) {
            float[] logits = model.headLogits(weights, last.toFloatArray(), rows, logNormalisers);
            return new LastLogits(logits, logNormalisers);
        }
        NDArray logits = model.logits(step, last);
        // natively, over the whole batch at once: a greedy choice in Java then needs only its argmax
        NDArray max = logits.max(new int[] {-1}, true);
        float[] normalisers = logits.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1)).toFloatArray();
        for (int r = 0; r < rows; r++) {
            logNormalisers[r] = normalisers[r];
        }
        return new LastLogits(logits.toFloatArray(), logNormalisers);
    }

    @Override
    public void close() {
        manager.close();
    }
}
