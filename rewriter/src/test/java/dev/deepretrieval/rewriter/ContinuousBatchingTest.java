package dev.deepretrieval.rewriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.ContinuousBatcher;
import dev.deepretrieval.policy.generation.SamplingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Rewrites in the policy's shared decode loop (continuous batching) against the same rewrites generated alone: 20
 * concurrent requests of different lengths (greedy, and every fifth seeded sampling), some streamed, two cancelled
 * midway.
 */
class ContinuousBatchingTest {

    private static final PromptTemplate TEMPLATE = PromptTemplate.bundled("scifact");

    @Test
    void concurrentRewritesGetTheTokensTheyGetAloneAndCancelledOnesLeaveTheBatch() throws Exception {
        try (Policy policy = BundledFixtures.policy()) {
            concurrentRewrites(policy, BundledFixtures.testClaims(20));
        }
    }

    private static void concurrentRewrites(Policy policy, List<String> claims) throws Exception {
        QueryRewriter rewriter = new QueryRewriter(policy, TEMPLATE);
        // 18 places for 20 requests: the last ones wait until others, the cancelled ones first, leave the batch
        var limits = new ContinuousBatcher.Limits(18, 2, 32 * 512, 8, 1);
        // different lengths: token limits from 24 to 96, so requests leave the batch at different steps
        List<SamplingSettings> settings = new ArrayList<>();
        List<Rewrite> alone = new ArrayList<>();
        for (int i = 0; i < claims.size(); i++) {
            // every fifth request samples at temperature 1 with its own seed: reproducible whatever runs beside it
            int maxTokens = 24 + (i * 37) % 73;
            SamplingSettings sampling = i % 5 == 4 ? SamplingSettings.sampling(1.0, maxTokens, Set.of(), 1000 + i)
                    : SamplingSettings.greedy(maxTokens, Set.of());
            settings.add(sampling);
            var prompt = new QueryRewriter.Prompt(claims.get(i), TEMPLATE.render(claims.get(i)));
            alone.add(rewriter.rewritePrompts(List.of(prompt), 1, sampling, 1).getFirst());
        }
        // requests 3 and 11 are cancelled after their fifth piece of text; every third one is streamed
        var streamed = new ArrayList<StringBuilder>();
        var futures = new ArrayList<CompletableFuture<Rewrite>>();
        var cancelledPieces = new AtomicInteger();
        for (int i = 0; i < claims.size(); i++) {
            int index = i;
            var text = new StringBuilder();
            streamed.add(text);
            boolean cancels = i == 3 || i == 11;
            QueryRewriter.TextListener listener = cancels || i % 3 == 0 ? new QueryRewriter.TextListener() {
                int pieces;

                @Override
                public void onText(String delta) {
                    text.append(delta);
                    pieces++;
                    if (cancels && pieces == 5) {
                        cancelledPieces.incrementAndGet();
                    }
                }

                @Override
                public boolean cancelled() {
                    return cancels && pieces >= 5;
                }
            } : null;
            var prompt = new QueryRewriter.Prompt(claims.get(index), TEMPLATE.render(claims.get(index)));
            futures.add(rewriter.rewriteShared(prompt, settings.get(index), listener, limits));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        int completed = 0;
        for (int i = 0; i < claims.size(); i++) {
            Rewrite shared = futures.get(i).get();
            if (i == 3 || i == 11) {
                // cancelled midway: a prefix of what it gets alone, shorter than it
                int[] tokens = shared.generatedTokens();
                assertTrue(tokens.length < alone.get(i).generatedTokens().length, "request " + i + " was cut short");
                for (int t = 0; t < tokens.length; t++) {
                    assertEquals(alone.get(i).generatedTokens()[t], tokens[t], "request " + i + " token " + t);
                }
                continue;
            }
            assertArrayEquals(alone.get(i).generatedTokens(), shared.generatedTokens(), "request " + i);
            assertEquals(alone.get(i).completion(), shared.completion());
            if (i % 3 == 0) {
                assertEquals(shared.completion(), streamed.get(i).toString(), "request " + i + " streamed whole");
            }
            completed++;
        }
        assertEquals(18, completed);
        assertEquals(2, cancelledPieces.get());
        ContinuousBatcher.Stats stats = policy.batcher(limits).stats();
        // every request left the batch (the cancelled ones included) and they decoded together
        assertEquals(0, stats.running());
        assertEquals(0, stats.queued());
        assertTrue(stats.peakBatch() > 1 && stats.peakBatch() <= 18, "requests shared decode steps: " + stats);
        assertEquals(claims.size(), stats.joins(), "every request was prefilled once");
        assertTrue(stats.rowSteps() > stats.steps() && stats.rowSteps() <= stats.steps() * stats.peakBatch(),
                "decode steps carried several rows: " + stats);
        assertTrue(stats.peakCacheTokens() <= limits.maxCacheTokens(), stats.toString());
        // the template's instructions were prefilled once, shared by every request: one cache row of their keys and
        // values, and every prompt starts with them
        int[] head = rewriter.templateHead();
        for (String claim : claims) {
            int[] prompt = policy.promptTokens(TEMPLATE.render(claim));
            assertArrayEquals(head, java.util.Arrays.copyOf(prompt, head.length), claim);
        }
        assertTrue(head.length > 100, "the template's head is most of its prompt: " + head.length + " tokens");
        var config = policy.config();
        long perPosition = 2L * config.numLayers() * config.numKeyValueHeads() * config.headDim() * Float.BYTES;
        assertEquals(head.length * perPosition, stats.sharedPrefixBytes());
        // and attended apart (cascade attention), not copied into their rows, by every request that joined a batch
        // with others: all but at most the first, which may have started alone (at most 96 steps, its token limit)
        assertTrue(stats.cascadedRowSteps() >= stats.rowSteps() - 96 && stats.cascadedRowSteps() > 0, stats.toString());
    }
}
