package dev.deepretrieval.streams;

/**
 * The prompts a run trains on, each with the task instance its rollouts are scored against.
 *
 * @param <T> the environment's task type
 */
public interface TrainingTasks<T> {

    int size();

    /** A stable id of prompt {@code index} (its group for group baselines). */
    String promptId(int index);

    /** The original query of prompt {@code index}. */
    String original(int index);

    /** The rendered prompt text. */
    String prompt(int index);

    /** The task instance the prompt was built from. */
    T task(int index);
}
