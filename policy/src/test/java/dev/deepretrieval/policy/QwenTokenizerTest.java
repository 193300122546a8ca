package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.policy.tokenizer.ChatFormat;
import dev.deepretrieval.policy.tokenizer.HfTokenizer;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The real Qwen tokenizer, read from a local gzipped tokenizer.json through DJL's binding. */
class QwenTokenizerTest {

    @Test
    void chatMlSpecialTokensAreSingleIdsAndTextRoundTrips() {
        try (HfTokenizer tokenizer = HfTokenizer.open(SharedModels.qwenTokenizer())) {
            assertEquals(OptionalInt.of(151644), tokenizer.tokenId("<|im_start|>"));
            assertEquals(OptionalInt.of(151645), tokenizer.tokenId("<|im_end|>"));
            assertEquals(OptionalInt.of(151643), tokenizer.tokenId("<|endoftext|>"));
            String prompt = ChatFormat.CHATML.render("You are a helpful assistant.",
                    "Rewrite: vitamin D prevents fractures", "Let me think step by step.\n<think>");
            assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                    + "Rewrite: vitamin D prevents fractures<|im_end|>\n<|im_start|>assistant\nLet me think step by step.\n<think>",
                    prompt);
            int[] ids = tokenizer.encode(prompt);
            assertEquals(151644, ids[0]);
            assertEquals(prompt, tokenizer.decode(ids));
            String answer = "<answer>{\"query\": \"vitamin D AND (fracture OR bone)\"}</answer> ünïcödé 🙂";
            assertEquals(answer, tokenizer.decode(tokenizer.encode(answer)));
            assertTrue(tokenizer.encode("hello world").length <= 2);
        }
    }

    @Test
    void plainFormatMatchesThePapersLayout() {
        assertEquals("System text\n\nUser: the claim\nAssistant: Let me solve this step by step. \n<think>",
                ChatFormat.PLAIN.render("System text", "the claim", "Let me solve this step by step. \n<think>"));
    }
}
