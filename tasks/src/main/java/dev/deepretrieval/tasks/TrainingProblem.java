package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.rewriter.Decoding;

import java.util.Optional;

/**
 * One task family made ready to train on: the training prompts, the environment that scores their rollouts, and the
 * held-out evaluation run at the end. Owns what was opened for it (indexes, encoders, databases, thread pools).
 *
 * @param datasetName the dataset's name
 * @param family the task family, for the run's config: {@code beir}, {@code evidence-qa}, {@code text-to-sql} or
 *     {@code literature-search}
 * @param metric the environment metric each step reports (for example {@code ndcg@10})
 * @param template the prompt template the training prompts were rendered with
 * @param decoding what the policy may write in the family's greedy rewrites (validation, held-out)
 * @param heldOut the evaluation reported once, at the end (the test split)
 * @param validation the evaluation of queries carved from the training data and never trained on, run during
 *     training to make every decision about settings (empty where the family carves none)
 * @param <T> the environment's task type
 */
public record TrainingProblem<T>(String datasetName, String family, String metric, PromptTemplate template,
        Decoding decoding, TrainingTasks<T> tasks, Environment<T> environment, HeldOutEvaluation heldOut,
        Optional<HeldOutEvaluation> validation, OwnedResources owned) implements AutoCloseable {

    /**
     * What the policy may write in a rollout: extractive when its rewrites are (the action space), otherwise free, so
     * that the format reward still teaches the format (guided decoding applies to greedy rewrites only).
     */
    public Decoding rolloutDecoding() {
        return decoding == Decoding.EXTRACTIVE ? Decoding.EXTRACTIVE : Decoding.FREE;
    }

    @Override
    public void close() throws Exception {
        owned.close();
    }
}
