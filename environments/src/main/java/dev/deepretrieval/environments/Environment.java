package dev.deepretrieval.environments;

import java.util.concurrent.CompletionStage;

/**
 * A retriever seen as an RL environment: scores what the model wrote for one task instance.
 *
 * <p>Implementations never fail because of what the model wrote: malformed output earns the task's format penalty
 * and an unusable query earns its defined answer score. The returned stage completes exceptionally only when the
 * retriever itself fails (I/O, a remote API that stays down), which callers must count as a failed sample, not as
 * a reward.
 *
 * @param <T> the task instance type (a query with its judgments, a review with its included studies, ...)
 */
public interface Environment<T> extends AutoCloseable {

    /** A short stable name, used in metrics and logs (for example {@code "bm25"}). */
    String name();

    /**
     * Scores one completion.
     *
     * @param task the task instance the prompt was built from
     * @param completion the assistant turn as the reward sees it: any text the prompt pre-filled for the assistant
     *     (such as an opening {@code <think>}) followed by the generated text
     */
    CompletionStage<EnvironmentResult> score(T task, String completion);

    @Override
    default void close() {}
}
