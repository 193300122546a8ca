package dev.deepretrieval.rewriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guided decoding with the bundled policy on SciFact claims: always well-formed, never a correction of a valid answer. */
class GuidedAnswerTest {

    private static Policy policy;
    private static List<String> claims;

    @BeforeAll
    static void load() {
        policy = BundledFixtures.policy();
        var first = BundledFixtures.testClaims(31).stream();
        // a query whose greedy answer without guidance is malformed (found by running all 300 test claims)
        claims = java.util.stream.Stream.concat(first, java.util.stream.Stream.of(
                "vitamin D and bone fractures in older adults")).toList();
    }

    @AfterAll
    static void close() {
        policy.close();
    }

    @Test
    void greedyGuidedKeepsEveryWellFormedAnswerAndMendsTheRest() {
        var plain = new QueryRewriter(policy, PromptTemplate.bundled("scifact"));
        QueryRewriter guided = plain.guided();
        SamplingSettings greedy = SamplingSettings.greedy(96, Set.of());
        List<Rewrite> before = plain.rewrite(claims, 1, greedy, 16);
        List<Rewrite> after = guided.rewrite(claims, 1, greedy, 16);
        int mended = 0;
        for (int i = 0; i < claims.size(); i++) {
            assertTrue(after.get(i).formatValid(), after.get(i).completion());
            if (before.get(i).formatValid()) {
                assertArrayEquals(before.get(i).generatedTokens(), after.get(i).generatedTokens(), claims.get(i));
                // equal up to rounding: sequences leave the batch as they end, at different steps in the two runs,
                // so the batch's matrix products have different shapes
                assertArrayEquals(before.get(i).logProbs(), after.get(i).logProbs(), 1e-5f);
            } else {
                mended++;
            }
        }
        assertTrue(mended > 0, "some greedy answers are malformed without guidance");
    }

    @Test
    void aTightBudgetStillEndsInAValidAnswerAndSamplingToo() {
        QueryRewriter guided = new QueryRewriter(policy, PromptTemplate.bundled("scifact")).guided();
        int least = ((GuidedAnswer) guided.constraint()).minimumTokens();
        assertTrue(least > 5 && least < 30, "the shortest answer takes " + least + " tokens");
        for (int budget : new int[] {least, least + 3, 32}) {
            for (Rewrite r : guided.rewrite(claims.subList(0, 16), 1, SamplingSettings.greedy(budget, Set.of()), 16)) {
                assertTrue(r.formatValid(), budget + ": " + r.completion());
                assertTrue(r.generatedTokens().length <= budget);
            }
        }
        var tooFew = assertThrows(IllegalArgumentException.class,
                () -> guided.rewrite(claims.subList(0, 1), 1, SamplingSettings.greedy(least - 1, Set.of()), 1));
        assertTrue(tooFew.getMessage().startsWith("max tokens " + (least - 1) + " is below"), tooFew.getMessage());
        List<Rewrite> sampled = guided.rewrite(claims.subList(0, 16), 4,
                SamplingSettings.sampling(1.0, 48, Set.of(), 7), 16);
        assertEquals(64, sampled.size()); // 16 claims x 4 samples
        sampled.forEach(r -> assertTrue(r.formatValid(), r.completion()));
    }
}
