package dev.deepretrieval.cli;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;
import java.util.Set;

/**
 * Greedy rewrites of rendered prompts by a policy (held-out and validation evaluations); {@code guided} constrains
 * decoding to the answer format.
 */
record GreedyRewriting(PromptTemplate template, int maxTokens, int batchSize, boolean guided) {

    List<Rewrite> rewrite(Policy policy, List<QueryRewriter.Prompt> prompts) {
        QueryRewriter rewriter = new QueryRewriter(policy, template);
        return (guided ? rewriter.guided() : rewriter).rewritePrompts(prompts, 1,
                SamplingSettings.greedy(maxTokens, Set.of()), batchSize);
    }

    static double formatValidRate(List<Rewrite> rewrites) {
        return rewrites.isEmpty() ? 0 : rewrites.stream().filter(Rewrite::formatValid).count() / (double) rewrites.size();
    }
}
