package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run on a three-node cluster (separate JVMs on 127.0.0.1): a learner node, which also serves the runs API,
 * and two env nodes that score its rollouts through Cluster Sharding. The env node holding the run's scoring entity is
 * killed with {@code kill -9} mid-run: the entity moves to the other env node, the rollouts it held are scored again
 * there, and the run completes with every sample of every step scored or explicitly failed, each counted once.
 */
class ClusterTrainingTest {

    private static final int STEPS = 6;
    private static final int SAMPLES_PER_STEP = 4; // 2 prompts x the group of 2

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aRunCompletesWhenTheEnvNodeScoringItIsKilled(@TempDir Path temp) throws Exception {
        int learnerPort = freePort();
        int httpPort = freePort();
        String seed = "127.0.0.1:" + learnerPort;
        node(temp, "learner", "learner,http", learnerPort, seed, "--http-port", String.valueOf(httpPort));
        Process first = node(temp, "env-1", "env", freePort(), seed);
        Process second = node(temp, "env-2", "env", freePort(), seed);
        String base = "http://127.0.0.1:" + httpPort;
        await(() -> get(base + "/v1/cluster").path("members"), m -> m.size() == 3
                && m.findValuesAsText("status").stream().allMatch("up"::equals), "three members up", temp);

        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"steps\": " + STEPS + ", \"prompts_per_step\": 2,"
                        + " \"heldout_max_queries\": 2, \"seed\": 5}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonMapping.mapper().readTree(created.body()).path("id").asText();

        // the entity of the run's (run, task, retriever) opened its problem on one env node: kill that one mid-run
        await(() -> get(base + "/v1/runs/" + id).path("step"), step -> step.asLong() >= 2, "two steps done", temp);
        boolean onFirst = log(temp, "env-1").contains("to score run " + id);
        boolean onSecond = log(temp, "env-2").contains("to score run " + id);
        assertTrue(onFirst ^ onSecond, "exactly one env node scored the run so far:\n" + log(temp, "env-1") + "\n"
                + log(temp, "env-2"));
        (onFirst ? first : second).destroyForcibly();
        String survivor = onFirst ? "env-2" : "env-1";

        JsonNode run = await(() -> get(base + "/v1/runs/" + id), r -> r.path("state").asText().equals("completed")
                || r.path("state").asText().equals("failed"), "the run ended", temp);
        assertEquals("completed", run.path("state").asText(), run.toString() + "\n" + log(temp, "learner"));
        assertTrue(log(temp, survivor).contains("to score run " + id), "the entity moved to " + survivor);

        var steps = new ArrayList<Long>();
        for (String line : Files.readAllLines(temp.resolve("runs").resolve(id).resolve("out").resolve("metrics.jsonl"))) {
            JsonNode metrics = JsonMapping.mapper().readTree(line);
            if (metrics.has("scored")) {
                steps.add(metrics.path("step").asLong());
                assertEquals(SAMPLES_PER_STEP, metrics.path("scored").asInt() + metrics.path("failed").asInt(),
                        "every sample of step " + metrics.path("step") + " scored or failed, once: " + line);
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
    }

    /**
     * The learner's node killed with {@code kill -9} mid-run: the run stops with its newest checkpoint (the learner is
     * not yet a cluster singleton that could move), and a new learner node joining the surviving members resumes it
     * through the runs API from that checkpoint with the request it was started with; the run completes with every
     * step recorded once.
     */
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aRunWhoseLearnerNodeIsKilledResumesOnANewLearnerNode(@TempDir Path temp) throws Exception {
        int learnerPort = freePort();
        int firstEnv = freePort();
        int secondEnv = freePort();
        String seeds = "127.0.0.1:" + learnerPort + ",127.0.0.1:" + firstEnv;
        String[] everyTwoSteps = {"-Ddeepretrieval.train.checkpoint-every=2",
            "-Ddeepretrieval.train.validation.every-steps=2"};
        int httpPort = freePort();
        Process learner = node(temp, "learner", "learner,http", learnerPort, seeds,
                concat(everyTwoSteps, "--http-port", String.valueOf(httpPort)));
        node(temp, "env-1", "env", firstEnv, seeds);
        node(temp, "env-2", "env", secondEnv, seeds);
        String base = "http://127.0.0.1:" + httpPort;
        await(() -> get(base + "/v1/cluster").path("members"), m -> m.size() == 3
                && m.findValuesAsText("status").stream().allMatch("up"::equals), "three members up", temp);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"steps\": " + STEPS + ", \"prompts_per_step\": 2,"
                        + " \"heldout_max_queries\": 2, \"seed\": 5}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonMapping.mapper().readTree(created.body()).path("id").asText();
        await(() -> get(base + "/v1/runs/" + id).path("step"), step -> step.asLong() >= 3, "three steps done", temp);
        learner.destroyForcibly();
        assertTrue(learner.waitFor(1, TimeUnit.MINUTES));

        int newHttpPort = freePort();
        node(temp, "learner-2", "learner,http", freePort(), "127.0.0.1:" + firstEnv + ",127.0.0.1:" + secondEnv,
                concat(everyTwoSteps, "--http-port", String.valueOf(newHttpPort)));
        String newBase = "http://127.0.0.1:" + newHttpPort;
        await(() -> get(newBase + "/v1/runs/" + id), r -> r.path("state").asText().equals("ended"),
                "the new learner node lists the unfinished run", temp);
        HttpResponse<String> resumed = http.send(HttpRequest.newBuilder(URI.create(newBase + "/v1/runs/" + id
                + "/resume")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resumed.statusCode(), resumed.body());
        JsonNode run = await(() -> get(newBase + "/v1/runs/" + id), r -> r.path("state").asText().equals("completed")
                || r.path("state").asText().equals("failed"), "the resumed run ended", temp);
        assertEquals("completed", run.path("state").asText(), run + "\n" + log(temp, "learner-2"));
        var steps = new ArrayList<Long>();
        for (String line : Files.readAllLines(temp.resolve("runs").resolve(id).resolve("out").resolve("metrics.jsonl"))) {
            JsonNode metrics = JsonMapping.mapper().readTree(line);
            if (metrics.has("scored")) {
                steps.add(metrics.path("step").asLong());
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps, "every step once, the ones after the checkpoint again");
        assertTrue(Files.readString(temp.resolve("runs").resolve(id).resolve("train.log"))
                .contains("resuming run " + id), "the run said it resumed");
    }

    private static String[] concat(String[] first, String... more) {
        var all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private Process node(Path temp, String name, String roles, int port, String seeds, String... more)
            throws IOException {
        var args = new ArrayList<>(List.of("node", "--roles", roles, "--port", String.valueOf(port), "--seed-nodes",
                seeds, "-Dpekko.cluster.split-brain-resolver.stable-after=2s",
                "-Ddeepretrieval.cluster.scoring.attempt-timeout=15s",
                "-Ddeepretrieval.train.validation.max-queries=4",
                "-Ddeepretrieval.cache-dir=" + temp.resolve("cache-" + name),
                "-Ddeepretrieval.serve.runs-dir=" + temp.resolve("runs")));
        args.addAll(List.of(more));
        Process process = Launcher.command(args.toArray(String[]::new))
                .redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
    }

    private interface Read {
        JsonNode get() throws IOException, InterruptedException;
    }

    /** Polls until {@code done} holds (at most five minutes); returns what satisfied it. */
    private JsonNode await(Read read, Predicate<JsonNode> done, String what, Path temp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = read.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException notServingYet) {
                // the http node is still starting
            }
            TimeUnit.MILLISECONDS.sleep(250); // polling interval, not synchronisation: the loop ends on the condition
        }
        throw new AssertionError(what + " never happened; last seen " + last + "\n" + log(temp, "learner"));
    }

    private JsonNode get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JsonMapping.mapper().readTree(response.body());
    }

    private static String log(Path temp, String name) throws IOException {
        Path file = temp.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
