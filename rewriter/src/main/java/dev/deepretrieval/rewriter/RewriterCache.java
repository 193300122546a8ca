package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Rewriters per (policy, template, guided), built once: a guided rewriter reads the policy's whole vocabulary when
 * built, which a service must not repeat per request. A swapped-out policy's rewriters go with it (weak keys).
 * Thread-safe.
 */
public final class RewriterCache {

    private final Map<Policy, Map<String, QueryRewriter>> byPolicy = new WeakHashMap<>();

    public synchronized QueryRewriter of(Policy policy, PromptTemplate template, boolean guided) {
        String key = template.name() + (guided ? "#guided" : "") + "#" + template.text().hashCode();
        return byPolicy.computeIfAbsent(policy, p -> new HashMap<>()).computeIfAbsent(key, k -> {
            QueryRewriter rewriter = new QueryRewriter(policy, template);
            return guided ? rewriter.guided() : rewriter;
        });
    }
}
