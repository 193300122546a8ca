package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.policy.tokenizer.ByteLevelBpeTrainer;
import dev.deepretrieval.policy.tokenizer.HfTokenizer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A byte-level BPE trained in Java on real text loads in the Hugging Face binding and round-trips any text. */
class ByteLevelBpeTrainerTest {

    private static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>",
            "</think>", "<answer>", "</answer>");

    @Test
    void trainsDeterministicallyAndLoadsInTheHuggingFaceBinding(@TempDir Path dir) throws Exception {
        List<String> texts = sciFactClaims();
        var trainer = new ByteLevelBpeTrainer(1024, SPECIALS);
        ByteLevelBpeTrainer.Result first = trainer.train(texts);
        ByteLevelBpeTrainer.Result second = trainer.train(texts);
        assertEquals(1024, first.vocabulary().size());
        assertEquals(1024 - 256 - SPECIALS.size(), first.merges().size());
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        trainer.write(first, a);
        trainer.write(second, b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same text, same tokenizer, byte for byte");

        try (HfTokenizer tokenizer = HfTokenizer.open(a)) {
            assertEquals(OptionalInt.of(5), tokenizer.tokenId("<answer>"));
            assertEquals(OptionalInt.of(0), tokenizer.tokenId("<|endoftext|>"));
            String sample = "<think>\nVitamin D and fractures</think>\n<answer>{\"query\": \"vitamin D AND (fracture OR bone)\"}</answer>"
                    + " ünïcödé 🙂 tabs\tand  double  spaces";
            int[] ids = tokenizer.encode(sample);
            assertEquals(sample, tokenizer.decode(ids));
            String claim = texts.get(0);
            int[] claimIds = tokenizer.encode(claim);
            assertTrue(claimIds.length < claim.getBytes(StandardCharsets.UTF_8).length / 2,
                    "merges compress trained text: " + claimIds.length + " tokens for " + claim.length() + " chars");
            assertEquals(3, tokenizer.encode("<answer>x</answer>").length);
        }
    }

    private static List<String> sciFactClaims() throws Exception {
        var texts = new ArrayList<String>();
        Path queries = Path.of("..", "data", "beir-scifact", "queries.jsonl.gz");
        try (var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(queries)),
                StandardCharsets.UTF_8))) {
            String line;
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            while ((line = reader.readLine()) != null) {
                texts.add(mapper.readTree(line).get("text").asText());
            }
        }
        return texts;
    }
}
