package dev.deepretrieval.actors;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;

/** What the {@link PolicyActor} generates with: the rollout copy of the policy under the task's template. */
public interface RolloutModel extends AutoCloseable {

    /** Rewrites every prompt {@code samples} times (samples of one prompt adjacent), as {@link QueryRewriter} does. */
    List<Rewrite> rewrite(List<QueryRewriter.Prompt> prompts, int samples, SamplingSettings settings, int batchSize);

    /** Replaces the weights with the learner's. */
    void load(WeightsSnapshot weights);

    @Override
    void close();

    /** The policy, rewriting under {@code template} with {@code decoding}; closing the model closes the policy. */
    static RolloutModel of(Policy policy, PromptTemplate template, Decoding decoding) {
        QueryRewriter rewriter = new QueryRewriter(policy, template).with(decoding);
        return new RolloutModel() {
            @Override
            public List<Rewrite> rewrite(List<QueryRewriter.Prompt> prompts, int samples, SamplingSettings settings,
                    int batchSize) {
                return rewriter.rewritePrompts(prompts, samples, settings, batchSize);
            }

            @Override
            public void load(WeightsSnapshot weights) {
                weights.copyInto(policy.weights().parameters());
            }

            @Override
            public void close() {
                policy.close();
            }
        };
    }
}
