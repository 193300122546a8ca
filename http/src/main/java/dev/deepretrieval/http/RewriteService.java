package dev.deepretrieval.http;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.RewriterCache;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Generations for the HTTP endpoints, at most {@code maxConcurrent} at once with {@code maxQueued} waiting; a request
 * beyond both fails at once with {@link Overloaded}. Each generation holds a lease on the served policy version it
 * started with.
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
    private final ThreadPoolExecutor pool;
    private final Semaphore admission;
    private final int capacity;
    private final Consumer<Generation> finished;
    private final RewriterCache rewriters = new RewriterCache();

    public RewriteService(ServedPolicy served, ServeSettings settings) {
        this(served, settings, generation -> {});
    }

    /** @param finished hears every generation that ends (metrics, tests), on the generating thread */
    public RewriteService(ServedPolicy served, ServeSettings settings, Consumer<Generation> finished) {
        this.served = served;
        this.finished = finished;
        this.capacity = settings.maxConcurrent() + settings.maxQueued();
        this.admission = new Semaphore(capacity);
        var ids = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(settings.maxConcurrent(), settings.maxConcurrent(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "rewrite-generation-" + ids.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
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
     * Generates one completion of {@code promptText} (already rendered) on a generation thread.
     *
     * @param guided constrain decoding to the template's answer format
     * @param listener hears the text as it grows and may cancel (a client that went away)
     */
    public CompletableFuture<Generation> generate(String original, String promptText, PromptTemplate template,
            SamplingSettings sampling, boolean guided, QueryRewriter.TextListener listener) {
        var result = new CompletableFuture<Generation>();
        if (!admission.tryAcquire()) {
            result.completeExceptionally(new Overloaded("all " + pool.getMaximumPoolSize()
                    + " generation slots and the queue are busy; retry shortly"));
            return result;
        }
        pool.execute(() -> {
            long start = System.nanoTime();
            Generation generation;
            try (ServedPolicy.Lease lease = served.acquire()) {
                QueryRewriter rewriter = rewriters.of(lease.policy(), template, guided);
                var prompt = new QueryRewriter.Prompt(original, promptText);
                // nobody listening: the batch path, without decoding the text at every token
                Rewrite rewrite = listener == SILENT ? rewriter.rewritePrompts(List.of(prompt), 1, sampling, 1).getFirst()
                        : rewriter.rewriteStreaming(prompt, sampling, listener);
                int[] generated = rewrite.generatedTokens();
                boolean stopped = generated.length > 0
                        && lease.policy().stopTokenIds().contains(generated[generated.length - 1]);
                generation = new Generation(rewrite, lease.version(), Math.round((System.nanoTime() - start) / 1e3) / 1e3, stopped,
                        !stopped && listener.cancelled());
            } catch (RuntimeException | Error e) {
                admission.release();
                result.completeExceptionally(e);
                return;
            }
            // the place is free before the answer goes out, so the client's next request finds it free
            admission.release();
            finished.accept(generation);
            result.complete(generation);
        });
        return result;
    }

    /** Generations running or waiting now. */
    public int inFlight() {
        return capacity - admission.availablePermits();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
