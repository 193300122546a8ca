package dev.deepretrieval.rewriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.SamplingSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Extractive decoding with the bundled policy on SciFact claims: the canonical answer around a word subsequence. */
class ExtractiveAnswerTest {

    private static final PromptTemplate TEMPLATE = PromptTemplate.bundled("scifact");
    private static Policy policy;
    private static List<String> claims;

    @BeforeAll
    static void load() {
        policy = BundledFixtures.policy();
        claims = BundledFixtures.testClaims(24);
    }

    @AfterAll
    static void close() {
        policy.close();
    }

    /** Whether {@code query} is {@code original}'s words, some left out, in order. */
    private static boolean isReduction(String original, String query) {
        WordSubsequence.State state = new WordSubsequence(original, ExtractiveAnswer.MAX_SKIP, String::length).start();
        String escaped = CopyQueryTarget.escaped(query);
        for (int i = 0; i < escaped.length(); i++) {
            if (!state.feed(escaped.charAt(i))) {
                return false;
            }
        }
        return state.canClose();
    }

    @Test
    void everyAnswerIsTheCanonicalAnswerAroundAReductionOfTheClaim() {
        QueryRewriter extractive = new QueryRewriter(policy, TEMPLATE).extractive();
        String scaffold = TEMPLATE.assistantPrefill() + CopyQueryTarget.scaffold(TEMPLATE).before();
        List<Rewrite> greedy = extractive.rewrite(claims, 1, SamplingSettings.greedy(96, Set.of()), 24);
        List<Rewrite> sampled = extractive.rewrite(claims.subList(0, 8), 6, SamplingSettings.sampling(1.5, 96, Set.of(), 3),
                24);
        int shortened = 0;
        for (int i = 0; i < greedy.size() + sampled.size(); i++) {
            Rewrite r = i < greedy.size() ? greedy.get(i) : sampled.get(i - greedy.size());
            String original = i < greedy.size() ? claims.get(i) : claims.get((i - greedy.size()) / 6);
            assertTrue(r.formatValid(), r.completion());
            assertTrue(r.completion().startsWith(scaffold), r.completion());
            assertTrue(r.completion().endsWith(CopyQueryTarget.scaffold(TEMPLATE).after()), r.completion());
            String query = r.rewritten().orElseThrow();
            assertTrue(isReduction(original, query), original + " -> " + query);
            if (query.split(" ").length < original.strip().split("\\s+").length) {
                shortened++;
            }
        }
        assertTrue(shortened > 0, "sampling at temperature 1.5 leaves words out");
    }

    @Test
    void wordsSpelledInSeveralByteTokensAreKeptOrLeftOutWhole() {
        // "é", "α" and "β" are each split by the byte-level tokenizer into tokens that are not text alone
        List<String> accented = List.of("Ménière's disease is linked to α-synuclein and β-amyloid deposits.",
                "Café au lait spots and naïve T cells");
        QueryRewriter extractive = new QueryRewriter(policy, TEMPLATE).extractive();
        List<Rewrite> sampled = extractive.rewrite(accented, 8, SamplingSettings.sampling(6.0, 96, Set.of(), 5), 16);
        for (int i = 0; i < sampled.size(); i++) {
            Rewrite r = sampled.get(i);
            assertTrue(r.formatValid(), r.completion());
            assertTrue(isReduction(accented.get(i / 8), r.rewritten().orElseThrow()), r.rewritten().orElseThrow());
        }
        // a one-word query whose word has no whole-character token still fits a budget (it failed a run on
        // NFCorpus: its cost was taken for unreachable)
        var answer = new ExtractiveAnswer(policy, TEMPLATE);
        assertTrue(answer.minimumTokens("Häagen-Dazs") < 40, "" + answer.minimumTokens("Häagen-Dazs"));
        Rewrite brand = extractive.rewrite(List.of("Häagen-Dazs"), 1, SamplingSettings.greedy(96, Set.of()), 1)
                .getFirst();
        assertEquals("Häagen-Dazs", brand.rewritten().orElseThrow(), brand.completion());
        Rewrite greedy = extractive.rewrite(accented.subList(0, 1), 1, SamplingSettings.greedy(96, Set.of()), 1)
                .getFirst();
        assertTrue(isReduction(accented.getFirst(), greedy.rewritten().orElseThrow()), greedy.completion());
    }

    @Test
    void theBundledPolicyKeepsMostClaimsWholeWhenGreedy() {
        List<Rewrite> greedy = new QueryRewriter(policy, TEMPLATE).extractive()
                .rewrite(claims, 1, SamplingSettings.greedy(96, Set.of()), 24);
        long copies = greedy.stream().filter(r -> r.rewritten().orElseThrow().equals(r.original().strip())).count();
        // the rest are the copy model's own slips, now within the language: a word skipped where a subword was
        // ambiguous ("dis" of "disposed" continued as "dispersed"), or the query closed early
        assertTrue(copies >= 18, copies + " of 24 greedy rewrites copy the claim");
    }

    @Test
    void aKeepMarginLeavesAWordOutOnlyWhereThePolicyIsThatSure() {
        List<Rewrite> plain = new QueryRewriter(policy, TEMPLATE).extractive()
                .rewrite(claims, 1, SamplingSettings.greedy(96, Set.of()), 24);
        List<Rewrite> sure = new QueryRewriter(policy, TEMPLATE).extractive(1000)
                .rewrite(claims, 1, SamplingSettings.greedy(96, Set.of()), 24);
        int changedByTheMargin = 0;
        for (int i = 0; i < claims.size(); i++) {
            // no choice of this policy is that sure: every claim is copied whole
            assertEquals(plain.get(i).original().strip(), sure.get(i).rewritten().orElseThrow(), claims.get(i));
            changedByTheMargin += plain.get(i).rewritten().equals(sure.get(i).rewritten()) ? 0 : 1;
        }
        assertTrue(changedByTheMargin > 0, "the plain greedy policy leaves some word out");
        // sampling is untouched: the same seed draws the same rewrites with and without a margin
        SamplingSettings sampling = SamplingSettings.sampling(6.0, 96, Set.of(), 7L);
        assertEquals(new QueryRewriter(policy, TEMPLATE).extractive().rewrite(claims.subList(0, 4), 2, sampling, 8)
                        .stream().map(Rewrite::completion).toList(),
                new QueryRewriter(policy, TEMPLATE).extractive(1000).rewrite(claims.subList(0, 4), 2, sampling, 8)
                        .stream().map(Rewrite::completion).toList());
        assertThrows(IllegalArgumentException.class, () -> new QueryRewriter(policy, TEMPLATE).extractive(-1));
    }

    @Test
    void aTightBudgetEndsWithTheShortestWordAndTooTightIsRefused() {
        var answer = new ExtractiveAnswer(policy, TEMPLATE);
        String claim = "Aspirin reduces the risk of colorectal cancer.";
        int least = answer.minimumTokens(claim);
        assertTrue(least > 10 && least < 40, "the shortest answer takes " + least + " tokens");
        QueryRewriter extractive = new QueryRewriter(policy, TEMPLATE).extractive();
        Rewrite tight = extractive.rewrite(List.of(claim), 1, SamplingSettings.greedy(least, Set.of()), 1).getFirst();
        assertTrue(tight.formatValid(), tight.completion());
        assertTrue(isReduction(claim, tight.rewritten().orElseThrow()), tight.rewritten().orElseThrow());
        var tooFew = assertThrows(IllegalArgumentException.class,
                () -> extractive.rewrite(List.of(claim), 1, SamplingSettings.greedy(least - 1, Set.of()), 1));
        assertTrue(tooFew.getMessage().contains("extractive"), tooFew.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new QueryRewriter(policy, PromptTemplate.bundled("spider")).extractive());
        assertEquals("an extractive rewrite needs an original query with at least one word",
                assertThrows(IllegalArgumentException.class, () -> answer.of("   ")).getMessage());
    }

    @Test
    void eachWordChoiceIsTheTokenThatMadeItAndTheAnswerWithThatWordTheOtherWay() {
        QueryRewriter extractive = new QueryRewriter(policy, TEMPLATE).extractive();
        AnswerParser parser = new AnswerParser(TEMPLATE.format(), "query");
        List<Rewrite> greedy = extractive.rewrite(claims, 1, SamplingSettings.greedy(96, Set.of()), 24);
        List<Rewrite> sampled = extractive.rewrite(claims.subList(0, 8), 6, SamplingSettings.sampling(6.0, 96, Set.of(), 3),
                24);
        int copies = 0;
        int reductions = 0;
        for (int i = 0; i < greedy.size() + sampled.size(); i++) {
            Rewrite r = i < greedy.size() ? greedy.get(i) : sampled.get(i - greedy.size());
            List<String> words = List.of(CopyQueryTarget.escaped(r.original().strip()).split("\\s+"));
            List<String> kept = List.of(CopyQueryTarget.escaped(r.rewritten().orElseThrow()).split(" "));
            int previousToken = -1;
            var decided = new java.util.ArrayList<Integer>();
            for (ExtractiveAnswer.WordDecision decision : r.decisions()) {
                assertTrue(decision.token() > previousToken, "choices in token order");
                previousToken = decision.token();
                assertTrue(r.allowedTokens()[decision.token()].length > 1, "a choice is a token among several");
                // the alternative is the same answer with exactly the decided word kept or left out the other way
                String alternative = parser.parse(decision.alternative()).value().orElseThrow();
                var expected = new java.util.ArrayList<String>();
                int k = 0;
                for (int w = 0; w < words.size(); w++) {
                    boolean keptHere = k < kept.size() && words.get(w).equals(kept.get(k));
                    if (keptHere) {
                        k++;
                    }
                    if (keptHere != (w == decision.word())) {
                        expected.add(words.get(w));
                    }
                }
                assertEquals(String.join(" ", expected), CopyQueryTarget.escaped(alternative), r.completion());
                decided.add(decision.word());
            }
            if (kept.size() == words.size()) {
                copies++;
                // a copy chose at every word: keep it or write the next one (the closing quote for the last)
                assertEquals(java.util.stream.IntStream.range(0, words.size()).boxed().toList(), decided,
                        r.original());
            } else {
                reductions++;
            }
        }
        assertTrue(copies >= 20 && reductions > 0, copies + " copies, " + reductions + " reductions");
    }
}
