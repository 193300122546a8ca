package dev.deepretrieval.cli;

import dev.deepretrieval.actors.NodeSystem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.streams.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short end-to-end training run of the embedded default, through the CLI, and what it leaves behind. */
class TrainCommandTest {

    @TempDir
    static Path cache;

    @BeforeAll
    static void smallRun() {
        System.setProperty("deepretrieval.home", Path.of("..").toAbsolutePath().normalize().toString());
        System.setProperty("deepretrieval.cache-dir", cache.toString());
        System.setProperty("deepretrieval.train.prompts-per-step", "2");
        System.setProperty("deepretrieval.train.heldout.max-queries", "8");
        System.setProperty("deepretrieval.train.validation.max-queries", "6");
    }

    @AfterAll
    static void clear() {
        for (String key : List.of("deepretrieval.home", "deepretrieval.cache-dir", "deepretrieval.train.prompts-per-step",
                "deepretrieval.train.heldout.max-queries", "deepretrieval.train.validation.max-queries")) {
            System.clearProperty(key);
        }
    }

    @Test
    void aTwoStepRunLeavesMetricsChartReportSummaryCheckpointsAndStore(@TempDir Path out) throws Exception {
        int systems = NodeSystem.created();
        CliRun run = CliRun.of("train", "--steps", "2", "--out", out.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals(systems + 1, NodeSystem.created(), "one actor system for the whole command");
        ObjectMapper json = new ObjectMapper();
        List<String> all = Files.readAllLines(out.resolve("metrics.jsonl"));
        List<String> lines = all.stream().filter(l -> l.contains("\"reward_mean\"")).toList();
        assertEquals(2, lines.size());
        // validation (verl's val/ keys): the initial policy at step 0 and the trained one at the last step
        List<JsonNode> validations = new java.util.ArrayList<>();
        for (String line : all) {
            if (!line.contains("\"reward_mean\"")) {
                validations.add(json.readTree(line));
            }
        }
        assertEquals(List.of(0, 2), validations.stream().map(v -> v.path("step").asInt()).toList());
        for (JsonNode v : validations) {
            assertEquals(6, v.path("val/queries").asInt(), v.toString());
            assertTrue(v.path("val/ndcg@10").isNumber() && v.path("val/format_valid_rate").isNumber(), v.toString());
        }
        for (int i = 0; i < 2; i++) {
            JsonNode line = json.readTree(lines.get(i));
            assertEquals(i + 1, line.get("step").asInt());
            for (String key : List.of("reward_mean", "metric_mean", "format_valid_rate", "policy_version")) {
                assertTrue(line.has(key), key + " in " + line);
            }
            assertEquals(i + 1, line.get("policy_version").asInt());
        }
        byte[] png = Files.readAllBytes(out.resolve("reward.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(Files.readString(out.resolve("report.html")).contains("<img src=\"reward.png\""));
        JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
        for (String row : List.of("original", "initial", "trained")) {
            assertTrue(summary.path("heldout").path(row).has("ndcg@10"), row + " in " + summary);
            assertEquals(8, summary.path("heldout").path(row).path("queries").asInt());
        }
        // significance between each pair, run files that carry the printed figures' rankings
        JsonNode pairs = summary.path("significance").path("pairs");
        assertEquals(List.of("initial vs original", "trained vs original", "trained vs initial"),
                java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(pairs.fieldNames(), 0),
                        false).toList());
        assertEquals(8, summary.path("significance").path("queries").asInt());
        pairs.forEach(p -> assertTrue(p.path("randomization_p").asDouble() > 0 && p.path("randomization_p").asDouble() <= 1
                && p.path("t_test_p").asDouble() >= 0 && p.path("t_test_p").asDouble() <= 1, p.toString()));
        for (String row : List.of("original", "initial", "trained")) {
            List<String> runLines = Files.readAllLines(out.resolve("heldout-" + row + ".run"));
            assertEquals(8, runLines.stream().map(l -> l.split(" ")[0]).distinct().count(), row);
            assertTrue(runLines.getFirst().endsWith(" deepretrieval-" + row), runLines.getFirst());
        }
        assertEquals(6, summary.path("validation").path("original").path("queries").asInt(), summary.toString());
        // the held-out trained policy is the best validated one (the earliest on a tie; step 0 is the initial policy)
        JsonNode selected = summary.path("heldout").path("trained_selected_on_validation");
        double first = validations.get(0).path("val/ndcg@10").asDouble();
        double last = validations.get(1).path("val/ndcg@10").asDouble();
        assertEquals(last > first ? 2 : 0, selected.path("step").asInt(), summary.toString());
        assertEquals(Math.max(first, last), selected.path("value").asDouble(), 0.0);
        if (selected.path("step").asInt() == 0) {
            assertEquals(summary.path("heldout").path("initial").path("ndcg@10").asDouble(),
                    summary.path("heldout").path("trained").path("ndcg@10").asDouble(), 0.0);
        }
        assertTrue(run.err().contains("the best on validation"), run.err());
        assertTrue(run.out().contains("paired significance on ndcg@10 over 8 queries"), run.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("Paired significance"));
        assertTrue(Files.isRegularFile(out.resolve("model").resolve("model.safetensors")));
        assertTrue(Files.isDirectory(out.resolve("checkpoints").resolve("step-00000002")));
        assertTrue(run.out().contains("original") && run.out().contains("trained"), run.out());
        String runId = summary.path("config").path("run_id").asText();
        try (RunStore store = RunStore.embedded(out.resolve("runs"))) {
            assertEquals(2, store.steps(runId).size());
            // 2 prompts x a group of 8 a step, of which samples-stored (4) are kept
            assertEquals(2 * 4, store.rolloutCount(runId), "4 stored rollouts a step");
        }
        CliRun again = CliRun.of("train", "--steps", "2", "--out", out.toString());
        assertEquals(ExitCode.USAGE, again.exitCode(), "an existing run is not overwritten");
        assertTrue(again.err().contains("already holds a run; continue it with --resume"), again.err());
    }

    /**
     * Latest weight averaging: with checkpoints every 2 steps and validations every 2, the validation of step 4
     * evaluates the mean of the weights of steps 2 and 4, says so, and keeps that mean as the best policy when it is.
     */
    @Test
    void validationAveragesTheNewestCheckpoints(@TempDir Path temp) throws Exception {
        Path out = temp.resolve("run");
        Path averaging = Files.writeString(out.resolveSibling("averaging.conf"), """
                deepretrieval.train { checkpoint-every = 2, validation { every-steps = 2, average-checkpoints = 2 } }
                """);
        CliRun run = CliRun.of("train", "--steps", "4", "--out", out.toString(), "--skip-heldout", "--config",
                averaging.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        List<String> said = run.err().lines().filter(l -> l.startsWith("validation at step ")).toList();
        assertEquals(3, said.size(), run.err());
        assertTrue(said.get(0).startsWith("validation at step 0: ") && said.get(0).endsWith("(6 queries)"), said.get(0));
        assertTrue(said.get(1).startsWith("validation at step 2: ") && said.get(1).endsWith("(6 queries)"),
                "step 2 has one checkpoint to average: " + said.get(1));
        assertTrue(said.get(2).startsWith("validation at step 4: ")
                && said.get(2).endsWith("(6 queries, the mean of the weights of steps 2, 4)"), said.get(2));
        Path tooMany = Files.writeString(out.resolveSibling("too-many.conf"),
                "deepretrieval.train.validation.average-checkpoints = 4\n");
        CliRun bad = CliRun.of("train", "--steps", "4", "--out", out.resolveSibling("bad").toString(), "--config",
                tooMany.toString());
        assertEquals(ExitCode.BAD_CONFIG, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("deepretrieval.train.validation.average-checkpoints")
                && bad.err().contains("must be at most keep-checkpoints (3)"), bad.err());
    }
}
