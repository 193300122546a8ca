package dev.deepretrieval.cli;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.streams.TrainingTasks;

/**
 * One task family made ready to train on: the training prompts, the environment that scores their rollouts, and the
 * held-out evaluation run at the end. Owns what it opened (indexes, encoders, databases, thread pools).
 *
 * @param <T> the environment's task type
 */
interface TrainingProblem<T> extends AutoCloseable {

    /** The dataset's name. */
    String datasetName();

    /** The task family, for the run's config: {@code beir}, {@code evidence-qa} or {@code text-to-sql}. */
    String family();

    /** The environment metric each step reports (for example {@code ndcg@10}). */
    String metric();

    /** The prompt template the training prompts were rendered with. */
    PromptTemplate template();

    TrainingTasks<T> tasks();

    Environment<T> environment();

    HeldOutEvaluation heldOut();

    @Override
    void close() throws Exception;
}
