package dev.deepretrieval.runs;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.policy.rl.RlSettings;
import dev.deepretrieval.tasks.DatasetResolver;
import dev.deepretrieval.tasks.InvalidTaskRequest;
import dev.deepretrieval.tasks.Settings;
import java.nio.file.Files;

/**
 * The one check of a {@link RunRequest}'s own fields before anything is opened: the task names a dataset, the
 * algorithm and retriever are known, the template is bundled, the model is a model folder, the steps are at least 1.
 * A field left null is not checked (its setting is read, and checked, where it is used). The CLI says a refusal as
 * the flag, the runs API as a 400 naming the field.
 */
public final class RunRequests {

    private RunRequests() {}

    /** @throws InvalidTaskRequest naming the first field at fault */
    public static void validate(Settings settings, RunRequest request) {
        if (request.task() != null && DatasetResolver.find(settings, request.task()).isEmpty()) {
            throw new InvalidTaskRequest("task", DatasetResolver.unknown(settings, request.task()));
        }
        if (request.algorithm() != null) {
            try {
                RlSettings.Algorithm.parse(request.algorithm());
            } catch (IllegalArgumentException e) {
                throw new InvalidTaskRequest("algorithm", e.getMessage());
            }
        }
        if (request.retriever() != null) {
            try {
                RetrieverKind.parse(request.retriever());
            } catch (IllegalArgumentException e) {
                throw new InvalidTaskRequest("retriever", e.getMessage());
            }
        }
        if (request.template() != null && !request.template().isEmpty()) {
            try {
                PromptTemplate.bundled(request.template());
            } catch (IllegalArgumentException e) {
                throw new InvalidTaskRequest("template", e.getMessage());
            }
        }
        if (request.model() != null && !Files.isRegularFile(request.model().resolve("config.json"))) {
            throw new InvalidTaskRequest("model", "no model folder (config.json) at " + request.model());
        }
        if (request.steps() != null && request.steps() < 1) {
            throw new InvalidTaskRequest("steps", "must be >= 1, got " + request.steps());
        }
    }
}
