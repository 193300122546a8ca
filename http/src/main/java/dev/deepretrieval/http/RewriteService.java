package dev.deepretrieval.http;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.generation.ContinuousBatcher;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.RewriterCache;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Generations for the HTTP endpoints, in the served policy's shared decode loop (continuous batching): at most
 * {@code maxConcurrent} decode together and {@code maxQueued} wait to join; a request beyond both fails at once with
 * {@link Overloaded}. Each generation holds a lease on the served policy version it started with (after a swap, the
 * old version's loop finishes its requests while new ones join the new version's).
 */
public final class RewriteService implements AutoCloseable {

    /** A finished generation. */
    /**
     * @param latencyMs the generation's own time (from its start on a generation thread to its end), in ms
     * @param stopped it ended at a stop token (else at the token limit, or cancelled)
     * @param cancelled its listener cancelled it (the client went away)
     */
    public record Generation(Rewrite rewrite, String modelVersion, double latencyMs, boolean stopped, boolean cancelled) {

        /** The generated text after the prompt (the template's pre-fill excluded). */
        public String generatedText(PromptTemplate template) {
            return rewrite.completion().substring(template.assistantPrefill().length());
        }

        /** OpenAI's finish reason: {@code stop} at a stop token, {@code length} at the token limit. */
        public String finishReason() {
            return stopped ? "stop" : "length";
        }
    }

    /** The template of OpenAI chat requests: the rendered conversation, then an open ChatML assistant turn. */
    public static final PromptTemplate CHAT = new PromptTemplate("chat", "{query}<|im_start|>assistant\n",
            dev.deepretrieval.environments.answer.AnswerFormat.THINK_THEN_ANSWER, "query");

    private final ServedPolicy served;
    private final ContinuousBatcher.Limits limits;
    private final Semaphore admission;
    private final int capacity;
    private final Consumer<Generation> finished;
    private final RewriterCache rewriters = new RewriterCache();

    public RewriteService(ServedPolicy served, ServeSettings settings) {
        this(served, settings, generation -> {});
    }

    /** @param finished hears every generation that ends (metrics, tests) */
    public RewriteService(ServedPolicy served, ServeSettings settings, Consumer<Generation> finished) {
        this.served = served;
        this.finished = finished;
        this.capacity = settings.maxConcurrent() + settings.maxQueued();
        this.admission = new Semaphore(capacity);
        this.limits = new ContinuousBatcher.Limits(settings.maxConcurrent(), settings.maxQueued(),
                settings.kvCacheTokens(), settings.sharedPrefixes(), settings.decodeThreads());
    }

    public ServedPolicy served() {
        return served;
    }

    /** Sampling of a request: temperature 0 is greedy; otherwise seeded by {@code seed}, or at random. */
    public static SamplingSettings sampling(double temperature, int maxTokens, java.util.OptionalLong seed) {
        return temperature == 0 ? SamplingSettings.greedy(maxTokens, Set.of())
                : SamplingSettings.sampling(temperature, maxTokens, Set.of(),
                        seed.orElseGet(() -> ThreadLocalRandom.current().nextLong()));
    }

    /** A listener for requests that want only the finished generation. */
    public static final QueryRewriter.TextListener SILENT = delta -> {};

    /**
     * Generates one completion of {@code promptText} (already rendered) in the served policy's shared decode loop:
     * it joins the running batch at the next step and leaves it when it ends.
     *
     * @param guided constrain decoding to the template's answer format
     * @param listener hears the text as it grows and may cancel (a client that went away: the request leaves the
     *     batch at the next step)
     */
    public CompletableFuture<Generation> generate(String original, String promptText, PromptTemplate template,
            SamplingSettings sampling, boolean guided, QueryRewriter.TextListener listener) {
        if (!admission.tryAcquire()) {
            return CompletableFuture.failedFuture(new Overloaded("all " + limits.maxBatch() + " batch places and "
                    + limits.maxQueued() + " queue places are taken; retry shortly"));
        }
        long start = System.nanoTime();
        ServedPolicy.Lease lease = served.acquire();
        CompletableFuture<Rewrite> rewrite;
        try {
            QueryRewriter rewriter = rewriters.of(lease.policy(), template, guided);
            // nobody listening: the text is not decoded at every token
            rewrite = rewriter.rewriteShared(new QueryRewriter.Prompt(original, promptText), sampling,
                    listener == SILENT ? null : listener, limits);
        } catch (RuntimeException e) {
            lease.close();
            admission.release();
            return CompletableFuture.failedFuture(e);
        }
        var result = new CompletableFuture<Generation>();
        // off the decode loop's thread: the answer going out (and a replaced policy closing at its last lease) must
        // not hold up the batch's next step
        rewrite.whenCompleteAsync((done, failure) -> {
            // the place is free before the answer goes out, so the client's next request finds it free
            admission.release();
            try (lease) {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : failure;
                    result.completeExceptionally(cause instanceof RejectedExecutionException
                            ? new Overloaded(cause.getMessage() + "; retry shortly") : cause);
                    return;
                }
                int[] generated = done.generatedTokens();
                boolean stopped = generated.length > 0
                        && lease.policy().stopTokenIds().contains(generated[generated.length - 1]);
                var generation = new Generation(done, lease.version(),
                        Math.round((System.nanoTime() - start) / 1e3) / 1e3, stopped, !stopped && listener.cancelled());
                finished.accept(generation);
                result.complete(generation);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, ForkJoinPool.commonPool());
        return result;
    }

    /** The served policy's decode loop now: requests decoding and waiting, peaks of batch and KV cache. */
    public ContinuousBatcher.Stats decodeLoop() {
        try (ServedPolicy.Lease lease = served.acquire()) {
            return lease.policy().batcher(limits).stats();
        }
    }

    /** Generations running or waiting now. */
    public int inFlight() {
        return capacity - admission.availablePermits();
    }

    @Override
    public void close() {
        // the decode loop belongs to the served policy and stops when the policy is closed
    }
}
