package dev.deepretrieval.tasks;

import java.util.List;
import java.util.function.Function;

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

    /**
     * Task instances in a fixed order as prompts.
     *
     * @param id a stable id of an instance
     * @param original the original query (or question) of an instance
     * @param prompt the rendered prompt of an instance
     */
    public static <T> TrainingTasks<T> of(List<T> tasks, Function<T, String> id, Function<T, String> original,
            Function<T, String> prompt) {
        List<T> fixed = List.copyOf(tasks);
        return new TrainingTasks<>() {
            @Override
            public int size() {
                return fixed.size();
            }

            @Override
            public String promptId(int index) {
                return id.apply(fixed.get(index));
            }

            @Override
            public String original(int index) {
                return original.apply(fixed.get(index));
            }

            @Override
            public String prompt(int index) {
                return prompt.apply(fixed.get(index));
            }

            @Override
            public T task(int index) {
                return fixed.get(index);
            }
        };
    }
}
