package dev.deepretrieval.http;

import dev.deepretrieval.rewriter.QueryRewriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One generation as a stream of events: text deltas as tokens are chosen, then the finished generation (or an error).
 * The buffer holds at most the whole generation ({@code maxTokens} deltas and the end), so a slow or stalled client
 * costs bounded memory; a client that goes away cancels the generation before its next token.
 */
final class GenerationSource {

    /** What a streamed generation says. */
    sealed interface Event {
        record Delta(String text) implements Event {}

        record Done(RewriteService.Generation generation) implements Event {}

        record Failed(Throwable cause) implements Event {}
    }

    /** A started generation's events, and the generation itself (failed at once with {@link Overloaded} when turned away). */
    record Started(Source<Event, NotUsed> events, CompletableFuture<RewriteService.Generation> generation) {

        boolean rejected() {
            return generation.isCompletedExceptionally() && generation.exceptionNow() instanceof Overloaded;
        }
    }

    private GenerationSource() {}

    /** Starts {@code start} with a listener feeding the returned events. */
    static Started start(Materializer materializer, int maxTokens,
            Function<QueryRewriter.TextListener, CompletableFuture<RewriteService.Generation>> start) {
        Pair<BoundedSourceQueue<Event>, Source<Event, NotUsed>> queued = Source.<Event>queue(maxTokens + 4)
                .preMaterialize(materializer);
        BoundedSourceQueue<Event> queue = queued.first();
        var gone = new AtomicBoolean();
        CompletableFuture<RewriteService.Generation> generation = start.apply(new QueryRewriter.TextListener() {
            @Override
            public void onText(String delta) {
                if (queue.offer(new Event.Delta(delta)) != QueueOfferResult.enqueued()) {
                    gone.set(true);
                }
            }

            @Override
            public boolean cancelled() {
                return gone.get();
            }
        });
        generation.whenComplete((done, failure) -> {
            queue.offer(failure == null ? new Event.Done(done) : new Event.Failed(failure));
            queue.complete();
        });
        Source<Event, NotUsed> events = queued.second().watchTermination((notUsed, terminated) -> {
            terminated.whenComplete((d, e) -> gone.set(true));
            return NotUsed.getInstance();
        });
        return new Started(events, generation);
    }
}
