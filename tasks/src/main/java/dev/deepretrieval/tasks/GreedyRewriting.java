package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.List;
import java.util.Set;

/**
 * Greedy rewrites of rendered prompts by a policy (held-out and validation evaluations), decoded as {@code decoding}
 * says; extractive ones leave a word out only when the policy prefers that by {@code keepMargin} in log-odds.
 */
public record GreedyRewriting(PromptTemplate template, int maxTokens, int batchSize, Decoding decoding,
        double keepMargin) {

    public List<Rewrite> rewrite(Policy policy, List<QueryRewriter.Prompt> prompts) {
        return new QueryRewriter(policy, template).with(decoding, keepMargin).rewritePrompts(prompts, 1,
                SamplingSettings.greedy(maxTokens, Set.of()), batchSize);
    }

    public static double formatValidRate(List<Rewrite> rewrites) {
        return rewrites.isEmpty() ? 0 : rewrites.stream().filter(Rewrite::formatValid).count() / (double) rewrites.size();
    }
}
