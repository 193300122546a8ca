package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecodeWeights;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.KvCache;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.scoring.ScoredTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tiny random Hugging Face Llama (BF16 safetensors) and the real stories260K, for cache and batching checks. */
class TinyRandomLlamaTest {

    private static final int[] INPUT = {3, 7, 4, 11, 5, 9, 12, 6, 8, 10, 4, 13};

    private static Policy tiny;
    private static Policy stories;

    @BeforeAll
    static void load() {
        tiny = PolicyLoader.load(SharedModels.tinyRandomLlama(), Optional.empty(), Device.cpu());
        stories = PolicyLoader.load(SharedModels.stories260k(), Optional.empty(), Device.cpu());
    }

    @AfterAll
    static void close() {
        tiny.close();
        stories.close();
    }

    @Test
    void loadsTheBf16CheckpointWithItsConfig() {
        assertEquals(128, tiny.config().hiddenSize());
        assertEquals(16, tiny.config().vocabSize());
        assertEquals(List.of(1), tiny.config().eosTokenIds());
        assertEquals(Optional.of(2), tiny.config().padTokenId());
        assertEquals(tiny.config().parameterCount(), tiny.weights().parameterCount());
    }

    @Test
    void logitsAreFiniteAndDeterministic() {
        float[] first = fullLogits(tiny.model(), INPUT);
        float[] second = fullLogits(tiny.model(), INPUT);
        assertEquals(INPUT.length * 16, first.length);
        for (float v : first) {
            assertTrue(Float.isFinite(v));
        }
        assertArrayEquals(first, second);
    }

    @Test
    void incrementalDecodingWithTheCacheMatchesTheFullForward() {
        for (Policy policy : List.of(tiny, stories)) {
            int vocab = policy.config().vocabSize();
            float[] full = fullLogits(policy.model(), INPUT);
            float[] incremental = incrementalLogits(policy.model(), INPUT);
            double maxDiff = 0;
            for (int i = 0; i < full.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(full[i] - incremental[i]));
            }
            assertTrue(maxDiff < 1e-4, "max abs diff " + maxDiff + " for vocab " + vocab);
        }
    }

    @Test
    void decodingStepsOnTheJvmMatchTheNativeForward() {
        for (Policy policy : List.of(tiny, stories)) {
            DecoderLm model = policy.model();
            int vocab = policy.config().vocabSize();
            float[] full = fullLogits(model, INPUT);
            DecodeWeights jvm = DecodeWeights.copyOf(policy.weights());
            double[] logNormalisers = new double[INPUT.length];
            float[] stepped = stepwise(model, INPUT, (step, t, bias, cache) -> {
                double[] logNormaliser = new double[1];
                float[] logits = model.decodeStep(step, jvm, new int[] {INPUT[t]}, new int[] {t}, bias, cache, null,
                        logNormaliser);
                logNormalisers[t] = logNormaliser[0];
                return logits;
            });
            double maxDiff = 0;
            for (int t = 0; t < INPUT.length; t++) {
                double sum = 0;
                for (int i = 0; i < vocab; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(full[t * vocab + i] - stepped[t * vocab + i]));
                    sum += Math.exp(full[t * vocab + i]);
                }
                assertEquals(Math.log(sum), logNormalisers[t], 1e-4, "log normaliser at " + t);
            }
            assertTrue(maxDiff < 1e-4, "max abs diff " + maxDiff + " for vocab " + vocab);
        }
    }

    @Test
    void batchedGreedyWithLeftPaddingMatchesOneByOne() {
        List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {7}, new int[] {9, 10, 11, 12, 13, 14, 3}, new int[] {6, 6});
        SamplingSettings greedy = SamplingSettings.greedy(24, Set.of());
        List<GeneratedSequence> batched = tiny.generator().generate(prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            GeneratedSequence alone = tiny.generator().generate(List.of(prompts.get(i)), greedy).get(0);
            assertArrayEquals(alone.tokens(), batched.get(i).tokens(), "prompt " + i);
        }
        List<GeneratedSequence> uncached = tiny.generator().generateWithoutCache(prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(batched.get(i).tokens(), uncached.get(i).tokens(), "no-cache prompt " + i);
        }
    }

    @Test
    void promptsSharingAHeadAttendItApartAndGenerateAsRecomputedAndAsAlone() {
        int[] head = new int[20];
        for (int i = 0; i < head.length; i++) {
            head[i] = 3 + (i * 5) % 12;
        }
        List<int[]> prompts = List.of(concat(head, 4, 5), concat(head, 9), concat(head, 7, 7, 8, 3), concat(head, 6));
        assertEquals(20, Generator.sharedHead(prompts));
        assertEquals(0, Generator.sharedHead(List.of(prompts.get(0))), "one prompt shares nothing");
        assertEquals(20, Generator.sharedHead(List.of(prompts.get(0), concat(head, 4))),
                "each prompt keeps a token of its own");
        SamplingSettings greedy = SamplingSettings.greedy(24, Set.of());
        List<GeneratedSequence> batched = tiny.generator().generate(prompts, greedy);
        List<GeneratedSequence> uncached = tiny.generator().generateWithoutCache(prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            GeneratedSequence alone = tiny.generator().generate(List.of(prompts.get(i)), greedy).get(0);
            assertArrayEquals(alone.tokens(), batched.get(i).tokens(), "prompt " + i);
            assertArrayEquals(uncached.get(i).tokens(), batched.get(i).tokens(), "no-cache prompt " + i);
        }
    }

    private static int[] concat(int[] head, int... tail) {
        int[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /** Allows the even tokens and the stop token 1 (the odd ones at the last step only), as part of the policy. */
    private static final dev.deepretrieval.policy.generation.TokenConstraint EVEN = new dev.deepretrieval.policy.generation.TokenConstraint() {
        @Override
        public Sequence start() {
            return new Sequence() {
                @Override
                public boolean allows(int token, int remaining) {
                    return token % 2 == 0 || token == 1 || remaining == 1;
                }

                @Override
                public void accept(int token) {}
            };
        }

        @Override
        public boolean definesPolicy() {
            return true;
        }
    };

    @Test
    void aPolicyDefiningConstraintSamplesAndScoresTheRenormalisedDistribution() {
        List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {7}, new int[] {9, 10, 11, 12, 13});
        var settings = new SamplingSettings(false, 0.7, 1.0, 0, 12, Set.of(1), List.of(), 99);
        List<GeneratedSequence> generated = tiny.generator().generate(prompts, settings,
                dev.deepretrieval.policy.generation.TokenListener.NONE, EVEN);
        List<int[]> responses = generated.stream().map(GeneratedSequence::tokens).toList();
        List<int[][]> allowed = generated.stream().map(GeneratedSequence::allowedTokens).toList();
        ScoredTokens renormalised = tiny.scorer().scoreNoGrad(prompts, responses, 0.7, null, allowed);
        ScoredTokens whole = tiny.scorer().scoreNoGrad(prompts, responses, 0.7, null);
        int tokens = 0;
        for (int b = 0; b < prompts.size(); b++) {
            int[] response = responses.get(b);
            for (int r = 0; r < response.length; r++) {
                int[] among = allowed.get(b)[r];
                int[] expectedSet = r == 11 ? java.util.stream.IntStream.range(0, 16).toArray()
                        : java.util.stream.IntStream.range(0, 16).filter(t -> t % 2 == 0 || t == 1).toArray();
                assertArrayEquals(expectedSet, among, "sequence " + b + " token " + r);
                assertTrue(response[r] % 2 == 0 || response[r] == 1 || r == 11);
                // the renormalised log-prob: the model's, minus the log of the allowed tokens' mass
                float[] logits = fullLogits(tiny.model(), concat(prompts.get(b), response, r));
                double mass = 0;
                double all = 0;
                for (int t = 0; t < 16; t++) {
                    double p = Math.exp(logits[logits.length - 16 + t] / 0.7);
                    all += p;
                    if (java.util.Arrays.binarySearch(among, t) >= 0) {
                        mass += p;
                    }
                }
                double expected = whole.logProbs().get(b)[r] - Math.log(mass / all);
                assertEquals(expected, generated.get(b).logProbs()[r], 1e-4, "sampled, sequence " + b + " token " + r);
                assertEquals(expected, renormalised.logProbs().get(b)[r], 1e-4, "scored, sequence " + b + " token " + r);
                assertTrue(renormalised.entropies().get(b)[r] <= Math.log(among.length) + 1e-5);
                tokens++;
            }
        }
        assertTrue(tokens > 10);
    }

    private static int[] concat(int[] prompt, int[] response, int upTo) {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + upTo);
        System.arraycopy(response, 0, all, prompt.length, upTo);
        return all;
    }

    @Test
    void generationLogProbsEqualScoringLogProbs() {
        List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {7}, new int[] {9, 10, 11, 12, 13});
        var settings = new SamplingSettings(false, 0.7, 0.9, 8, 20, Set.of(1), List.of(), 1234);
        List<GeneratedSequence> generated = tiny.generator().generate(prompts, settings);
        List<int[]> responses = generated.stream().map(GeneratedSequence::tokens).toList();
        try (ValueHead head = tiny.newValueHead()) {
            ScoredTokens scored = tiny.scorer().scoreNoGrad(prompts, responses, 0.7, head);
            for (int b = 0; b < prompts.size(); b++) {
                float[] expected = generated.get(b).logProbs();
                float[] actual = scored.logProbs().get(b);
                assertEquals(expected.length, actual.length);
                for (int r = 0; r < expected.length; r++) {
                    assertEquals(expected[r], actual[r], 1e-4, "sequence " + b + " token " + r);
                }
                for (float entropy : scored.entropies().get(b)) {
                    assertTrue(entropy >= 0 && entropy <= Math.log(16) + 1e-5);
                }
                for (float value : scored.values().get(b)) {
                    assertEquals(0f, value, "a fresh value head predicts 0");
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndBatchIndependent() {
        var settings = new SamplingSettings(false, 1.0, 1.0, 0, 16, Set.of(), List.of(), 99);
        List<int[]> prompts = List.of(new int[] {3, 4}, new int[] {5, 6, 7});
        List<GeneratedSequence> first = tiny.generator().generate(prompts, settings);
        List<GeneratedSequence> again = tiny.generator().generate(prompts, settings);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(first.get(i).tokens(), again.get(i).tokens());
        }
        var other = new SamplingSettings(false, 1.0, 1.0, 0, 16, Set.of(), List.of(), 100);
        assertTrue(!java.util.Arrays.equals(first.get(0).tokens(), tiny.generator().generate(prompts, other).get(0).tokens()));
    }

    @Test
    void memoryStaysFlatOverThousandsOfCalls() {
        var managers = List.of((BaseNDManager) tiny.manager(), (BaseNDManager) tiny.weights().manager());
        List<Integer> before = managers.stream().map(m -> m.getManagedArrays().size()).toList();
        // the probe sees arrays left in sub-managers, so a leak would show
        NDManager leak = tiny.weights().manager().newSubManager();
        leak.zeros(new Shape(2));
        assertEquals(before.get(1) + 1, ((BaseNDManager) tiny.weights().manager()).getManagedArrays().size());
        leak.close();
        var settings = new SamplingSettings(false, 1.0, 0.95, 0, 6, Set.of(1), List.of(), 7);
        List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {6});
        try (ValueHead head = tiny.newValueHead()) {
            for (int i = 0; i < 1000; i++) {
                List<GeneratedSequence> out = tiny.generator().generate(prompts, settings);
                List<int[]> responses = new ArrayList<>();
                out.forEach(g -> responses.add(g.tokens().length == 0 ? new int[] {4} : g.tokens()));
                tiny.scorer().scoreNoGrad(prompts, responses, 1.0, head);
            }
        }
        List<Integer> after = managers.stream().map(m -> m.getManagedArrays().size()).toList();
        assertEquals(before, after);
    }

    private static float[] fullLogits(DecoderLm model, int[] ids) {
        try (NDManager scope = model.weights().manager().newSubManager()) {
            BatchLayout.Inputs inputs = BatchLayout.rightPadded(scope, new int[][] {ids}, 0);
            NDArray hidden = model.hidden(scope, inputs.ids(), inputs.positions(), inputs.attentionBias(), null);
            return model.logits(scope, hidden).toFloatArray();
        }
    }

    private static float[] incrementalLogits(DecoderLm model, int[] ids) {
        return stepwise(model, ids, (step, t, bias, cache) -> {
            NDArray id = step.create(new long[] {ids[t]}, new Shape(1, 1));
            NDArray position = step.create(new long[] {t}, new Shape(1, 1));
            return model.logits(step, model.hidden(step, id, position, bias, cache)).toFloatArray();
        });
    }

    /** One decoding step's logits for token {@code t}, given its attention bias and the cache of the tokens before. */
    private interface Step {
        float[] logits(NDManager step, int t, NDArray bias, KvCache cache);
    }

    /** Every position's next-token logits, {@code ids} fed one token a step through {@code step} with one KV cache. */
    private static float[] stepwise(DecoderLm model, int[] ids, Step step) {
        int vocab = model.config().vocabSize();
        float[] out = new float[ids.length * vocab];
        try (NDManager scope = model.weights().manager().newSubManager();
                KvCache cache = new KvCache(scope, model.config().numLayers())) {
            int[][] keyMask = new int[1][0];
            for (int t = 0; t < ids.length; t++) {
                keyMask = new int[][] {java.util.Arrays.copyOf(keyMask[0], t + 1)};
                keyMask[0][t] = 1;
                try (NDManager stepScope = scope.newSubManager()) {
                    float[] logits = step.logits(stepScope, t, BatchLayout.stepBias(stepScope, keyMask), cache);
                    System.arraycopy(logits, 0, out, t * vocab, vocab);
                }
            }
        }
        return out;
    }
}
