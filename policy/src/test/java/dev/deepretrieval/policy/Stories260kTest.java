package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.generation.StopReason;
import dev.deepretrieval.policy.tokenizer.Llama2cTokenizer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real pretrained Llama (llama2.c's stories260K) proves the forward pass end to end. */
class Stories260kTest {

    /** The llama2.c reference continuation of BOS, as far as it was verified independently (see SOURCE.txt). */
    private static final String REFERENCE = "Once upon a time, there was a little girl named Lily. She loved to play"
            + " outside in the park. One day, she saw a big, red ball.";

    /**
     * All 160 greedy tokens as this decoder produces them; the part up to "red ball." is the independently verified
     * reference above, the rest guards against regressions.
     */
    private static final String GREEDY_160 = "Once upon a time, there was a little girl named Lily. She loved to play"
            + " outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n"
            + "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said,"
            + " \"I want to play with your ball, but I can't find it.\"\nLily was sad and didn't know what to do. She"
            + " said, \"I'm s";

    private static Policy policy;

    @BeforeAll
    static void load() {
        policy = PolicyLoader.load(SharedModels.stories260k(), Optional.empty(), Device.cpu());
    }

    @AfterAll
    static void close() {
        policy.close();
    }

    @Test
    void configComesFromTheHeader() {
        assertEquals(64, policy.config().hiddenSize());
        assertEquals(172, policy.config().intermediateSize());
        assertEquals(5, policy.config().numLayers());
        assertEquals(8, policy.config().numHeads());
        assertEquals(4, policy.config().numKeyValueHeads());
        assertEquals(512, policy.config().vocabSize());
        assertTrue(policy.config().tieWordEmbeddings());
        assertEquals(Set.of(2), policy.stopTokenIds());
    }

    @Test
    void greedyFromBosReproducesTheLlama2cReference() {
        int[] bos = policy.promptTokens("");
        assertEquals(1, bos.length);
        // No stop token: the test keeps generating past any EOS so that 160 tokens are compared.
        GeneratedSequence out = policy.generator()
                .generate(List.of(bos), SamplingSettings.greedy(160, Set.of())).get(0);
        assertEquals(160, out.tokens().length);
        assertEquals(StopReason.MAX_TOKENS, out.stopReason());
        String text = policy.tokenizer().decodeContinuation(bos, out.tokens());
        assertTrue(text.startsWith(REFERENCE), text);
        assertEquals(GREEDY_160, text);
        for (float lp : out.logProbs()) {
            assertTrue(lp <= 0 && Float.isFinite(lp));
        }
    }

    @Test
    void llama2cTokenizerRoundTripsText() {
        var tokenizer = (Llama2cTokenizer) policy.tokenizer();
        String text = "Lily saw a big red ball in the park.";
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length < text.length(), "merges happened");
        assertEquals(text, tokenizer.decodeContinuation(new int[] {Llama2cTokenizer.BOS}, ids));
        assertEquals("é", tokenizer.decodeContinuation(new int[] {Llama2cTokenizer.BOS}, tokenizer.encode("é")),
                "characters outside the vocabulary go through byte tokens");
    }
}
