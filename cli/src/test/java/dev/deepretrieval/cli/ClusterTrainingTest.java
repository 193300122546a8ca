package dev.deepretrieval.cli;

import static dev.deepretrieval.cli.LocalCluster.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training runs on a three-node cluster (separate JVMs on 127.0.0.1): learner nodes serving the runs API and env
 * nodes scoring their rollouts through Cluster Sharding; a node killed with {@code kill -9} mid-run.
 */
class ClusterTrainingTest {

    private static final int STEPS = 6;
    private static final int SAMPLES_PER_STEP = 4; // 2 prompts x the group of 2
    private static final String RUN = "{\"steps\": " + STEPS + ", \"prompts_per_step\": 2, \"heldout_max_queries\": 2,"
            + " \"seed\": 5}";
    /** Each node: a few validation queries, and a lost score sent again after 15 s. */
    private static final String[] SETTINGS = {"-Ddeepretrieval.cluster.scoring.attempt-timeout=15s",
        "-Ddeepretrieval.train.validation.max-queries=4"};

    /**
     * The env node holding the run's scoring entity is killed: the entity moves to the other env node, the rollouts it
     * held are scored again there, and the run completes with every sample of every step scored or explicitly failed,
     * each counted once.
     */
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aRunCompletesWhenTheEnvNodeScoringItIsKilled(@TempDir Path temp) throws Exception {
        int learnerPort = freePort();
        int httpPort = freePort();
        String seed = "127.0.0.1:" + learnerPort;
        try (var cluster = new LocalCluster(temp, SETTINGS)) {
            cluster.node("learner", "learner,http", learnerPort, seed, "--http-port", String.valueOf(httpPort));
            Process first = cluster.node("env-1", "env", freePort(), seed);
            Process second = cluster.node("env-2", "env", freePort(), seed);
            String base = "http://127.0.0.1:" + httpPort;
            cluster.awaitMembersUp(base, 3, "learner");
            String id = start(cluster, base);

            // the entity of the run's (run, task, retriever) opened its problem on one env node: kill that one
            cluster.await(() -> cluster.get(base + "/v1/runs/" + id).path("step"), step -> step.asLong() >= 2,
                    "two steps done", "learner");
            boolean onFirst = cluster.log("env-1").contains("to score run " + id);
            boolean onSecond = cluster.log("env-2").contains("to score run " + id);
            assertTrue(onFirst ^ onSecond, "exactly one env node scored the run so far:\n" + cluster.log("env-1")
                    + "\n" + cluster.log("env-2"));
            (onFirst ? first : second).destroyForcibly();
            String survivor = onFirst ? "env-2" : "env-1";

            JsonNode run = awaitEnd(cluster, base, id);
            assertEquals("completed", run.path("state").asText(), run + "\n" + cluster.log("learner"));
            assertTrue(cluster.log(survivor).contains("to score run " + id), "the entity moved to " + survivor);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(cluster, id, true));
        }
    }

    /**
     * The learner node running a run is killed mid-run: the run failover singleton moves to the other learner node,
     * which finds the run its removed owner left running and resumes it from its newest checkpoint with the request it
     * was started with, without being asked; the run completes with every step recorded once.
     */
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aRunWhoseLearnerNodeIsKilledContinuesOnTheOtherLearnerNode(@TempDir Path temp) throws Exception {
        int firstPort = freePort();
        int envPort = freePort();
        String seeds = "127.0.0.1:" + firstPort + ",127.0.0.1:" + envPort;
        int firstHttp = freePort();
        int secondHttp = freePort();
        try (var cluster = new LocalCluster(temp, concat(SETTINGS, "-Ddeepretrieval.train.checkpoint-every=2",
                "-Ddeepretrieval.train.validation.every-steps=2"))) {
            Process first = cluster.node("learner-1", "learner,http", firstPort, seeds, "--http-port",
                    String.valueOf(firstHttp));
            cluster.node("env", "env", envPort, seeds);
            String base = "http://127.0.0.1:" + firstHttp;
            cluster.awaitMembersUp(base, 2, "learner-1");
            // the second learner joins after the first, so the failover singleton lives on the first until it dies
            cluster.node("learner-2", "learner,http", freePort(), seeds, "--http-port", String.valueOf(secondHttp));
            cluster.awaitMembersUp(base, 3, "learner-1");
            String id = start(cluster, base);
            cluster.await(() -> cluster.get(base + "/v1/runs/" + id).path("step"), step -> step.asLong() >= 3,
                    "three steps done", "learner-1");
            first.destroyForcibly();
            assertTrue(first.waitFor(1, TimeUnit.MINUTES));

            String secondBase = "http://127.0.0.1:" + secondHttp;
            JsonNode run = cluster.await(() -> cluster.get(secondBase + "/v1/runs/" + id), r -> r.path("state").asText()
                    .equals("completed") || r.path("state").asText().equals("failed"), "the run ended on learner-2",
                    "learner-2");
            assertEquals("completed", run.path("state").asText(), run + "\n" + cluster.log("learner-2"));
            assertTrue(cluster.log("learner-2").contains("run " + id + ": its learner node is gone; resuming it here"),
                    cluster.log("learner-2"));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(cluster, id, false),
                    "every step once, the ones after the checkpoint again");
            assertTrue(Files.readString(cluster.run(id).resolve("train.log")).contains("resuming run " + id),
                    "the run said it resumed");
        }
    }

    private static String start(LocalCluster cluster, String base) throws Exception {
        HttpResponse<String> created = cluster.post(base + "/v1/runs", RUN);
        assertEquals(201, created.statusCode(), created.body());
        return JsonMapping.mapper().readTree(created.body()).path("id").asText();
    }

    private static JsonNode awaitEnd(LocalCluster cluster, String base, String id) throws Exception {
        return cluster.await(() -> cluster.get(base + "/v1/runs/" + id), r -> r.path("state").asText().equals("completed")
                || r.path("state").asText().equals("failed"), "the run ended", "learner");
    }

    /** The steps in the run's metrics; with {@code everySample}, each step's samples all scored or failed, once. */
    private static List<Long> steps(LocalCluster cluster, String id, boolean everySample) throws Exception {
        var steps = new ArrayList<Long>();
        for (String line : Files.readAllLines(cluster.run(id).resolve("out").resolve("metrics.jsonl"))) {
            JsonNode metrics = JsonMapping.mapper().readTree(line);
            if (metrics.has("scored")) {
                steps.add(metrics.path("step").asLong());
                if (everySample) {
                    assertEquals(SAMPLES_PER_STEP, metrics.path("scored").asInt() + metrics.path("failed").asInt(),
                            "every sample of step " + metrics.path("step") + " scored or failed, once: " + line);
                }
            }
        }
        return steps;
    }

    private static String[] concat(String[] first, String... more) {
        var all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
