package dev.deepretrieval.tasks;

import dev.deepretrieval.policy.PromptEncoder;
import dev.deepretrieval.policy.PolicyLoader;

import java.nio.file.Path;
import java.util.ArrayList;

/**
 * Leaves out of training the prompts longer than the budget, as verl's {@code filter_overlong_prompts} does: a prompt
 * beyond the model's context would be generated from positions it never saw.
 */
public final class PromptBudget {

    private static final String SETTING = "deepretrieval.train.max-prompt-tokens";

    private final Settings settings;
    private final PromptEncoder encoder;
    private final int maxPromptTokens;
    private final String origin;
    private int left;

    private PromptBudget(Settings settings, PromptEncoder encoder, int maxPromptTokens, String origin) {
        this.settings = settings;
        this.encoder = encoder;
        this.maxPromptTokens = maxPromptTokens;
        this.origin = origin;
    }

    /**
     * Counts tokens with the prompt encoder of the policy in {@code model} (its weights are not loaded); the budget is
     * {@code deepretrieval.train.max-prompt-tokens}, or when that is 0 the model's context
     * ({@code max_position_embeddings}) minus {@code maxNewTokens}.
     */
    public static PromptBudget of(Settings settings, Path model, int maxNewTokens, OwnedResources owned) {
        PromptEncoder encoder = owned.add(PolicyLoader.loadPromptEncoder(model));
        int configured = settings.raw().getInt(SETTING);
        int budget = configured > 0 ? configured : encoder.contextLength() - maxNewTokens;
        if (budget < 1) {
            throw settings.bad(SETTING, "the model's context (" + encoder.contextLength()
                    + " tokens) leaves no room for a prompt before " + maxNewTokens + " new tokens");
        }
        String origin = configured > 0 ? "the configured budget"
                : "the model's context of " + encoder.contextLength() + " minus " + maxNewTokens + " new tokens";
        return new PromptBudget(settings, encoder, budget, origin);
    }

    public int maxPromptTokens() {
        return maxPromptTokens;
    }

    /** Prompts of the last {@link #fitting} call that were left out. */
    public int left() {
        return left;
    }

    /** The tasks whose prompts fit, in their order; fails when none does. */
    <T> TrainingTasks<T> fitting(TrainingTasks<T> tasks) {
        var kept = new ArrayList<Integer>();
        for (int i = 0; i < tasks.size(); i++) {
            if (encoder.encode(tasks.prompt(i)).length <= maxPromptTokens) {
                kept.add(i);
            }
        }
        left = tasks.size() - kept.size();
        if (kept.isEmpty()) {
            throw settings.bad(SETTING, "none of the " + tasks.size() + " training prompts fits in " + maxPromptTokens
                    + " tokens (" + origin + "); train a model with a longer context (--model), or raise this budget"
                    + " past the context the model was trained on");
        }
        return new Subset<>(tasks, kept.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The chosen prompts of a task list, by their indexes. */
    private record Subset<T>(TrainingTasks<T> all, int[] indexes) implements TrainingTasks<T> {

        @Override
        public int size() {
            return indexes.length;
        }

        @Override
        public String promptId(int index) {
            return all.promptId(indexes[index]);
        }

        @Override
        public String original(int index) {
            return all.original(indexes[index]);
        }

        @Override
        public String prompt(int index) {
            return all.prompt(indexes[index]);
        }

        @Override
        public T task(int index) {
            return all.task(indexes[index]);
        }
    }
}
