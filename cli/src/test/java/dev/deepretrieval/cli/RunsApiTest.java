package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training-runs API on loopback: validation naming the field, one run at a time, the event stream, pause and
 * resume, a graceful stop with a checkpoint, and continuing the stopped run from it.
 */
class RunsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a pause that held for good would otherwise hang the build
    void runsStartValidatedStreamTheirStepsAndStopGracefully() throws Exception {
        try (var server = new ServedRuns(temp, Optional.of("t0ken"))) {
            String base = server.base();
            HttpClient client = HttpClient.newHttpClient();

            assertEquals(401, post(client, base + "/v1/runs", "{}", false).statusCode(), "starting a run needs the token");
            for (String[] bad : new String[][] {{"{\"steps\": 0}", "steps"}, {"{\"steps\": \"ten\"}", "steps"},
                    {"{\"task\": \"nope\"}", "task"}, {"{\"algorithm\": \"sgd\"}", "algorithm"}, {"{\"stepz\": 3}", "stepz"},
                    {"{\"model\": \"/nowhere\"}", "model"}, {"{\"template\": \"nope\"}", "template"},
                    {"{\"retriever\": \"sparse\"}", "retriever"}, {"[1]", null}}) {
                HttpResponse<String> response = post(client, base + "/v1/runs", bad[0], true);
                assertEquals(400, response.statusCode(), bad[0] + " -> " + response.body());
                if (bad[1] != null) {
                    assertEquals(bad[1], JSON.readTree(response.body()).path("error").path("field").asText());
                }
            }
            HttpResponse<String> created = post(client, base + "/v1/runs", "{\"steps\": 200, \"prompts_per_step\": 2,"
                    + " \"algorithm\": \"grpo\", \"seed\": 3}", true);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode run = JSON.readTree(created.body());
            String id = run.path("id").asText();
            assertEquals(200, run.path("config").path("steps").asInt());
            assertEquals(409, post(client, base + "/v1/runs", "{\"steps\": 2}", true).statusCode(), "one run at a time");

            // follow the events: at step 2 pause, resume, and stop after the next step; the stream ends with the end
            var validations = new ArrayList<JsonNode>();
            int[] pausedAt = {0};
            List<JsonNode> lines = follow(client, base, id, validations, event -> {
                int step = event.path("step").asInt();
                if (step == 2 && pausedAt[0] == 0) {
                    assertEquals(1, server.systemsCreated(), "the run shares the service's actor system");
                    assertEquals(401, post(client, base + "/v1/runs/" + id + "/pause", "", false).statusCode());
                    HttpResponse<String> paused = post(client, base + "/v1/runs/" + id + "/pause", "", true);
                    assertEquals(202, paused.statusCode(), paused.body());
                    assertEquals("paused", JSON.readTree(paused.body()).path("state").asText());
                    assertEquals(409, post(client, base + "/v1/runs/" + id + "/pause", "", true).statusCode(),
                            "already paused");
                    pausedAt[0] = step;
                    HttpResponse<String> resumed = post(client, base + "/v1/runs/" + id + "/resume", "", true);
                    assertEquals(202, resumed.statusCode(), resumed.body());
                    assertEquals("running", JSON.readTree(resumed.body()).path("state").asText());
                    assertEquals(409, post(client, base + "/v1/runs/" + id + "/resume", "", true).statusCode(),
                            "a running run is not resumed");
                } else if (step > 2 && pausedAt[0] == 2) {
                    assertEquals(401, post(client, base + "/v1/runs/" + id + "/stop", "", false).statusCode());
                    assertEquals(202, post(client, base + "/v1/runs/" + id + "/stop", "", true).statusCode());
                    pausedAt[0] = -1;
                }
            });
            JsonNode ended = lines.getLast();
            assertEquals("stopped", ended.path("state").asText(), lines.toString());
            int steps = lines.size() - 1;
            assertTrue(steps >= 2 && steps < 200, "stopped early: " + steps);
            for (int i = 0; i < steps; i++) {
                assertEquals(i + 1, lines.get(i).path("step").asInt(), "steps in order, none lost");
            }
            // the validation of the initial policy (step 0) is streamed beside the steps
            assertEquals(0, validations.getFirst().path("step").asInt(), validations.toString());
            assertTrue(validations.getFirst().path("val/ndcg@10").isNumber(), validations.toString());
            JsonNode metrics = JSON.readTree(get(client, base + "/v1/runs/" + id + "/metrics").body());
            int stepLines = 0;
            for (JsonNode line : metrics.path("steps")) {
                stepLines += line.has("reward_mean") ? 1 : 0;
            }
            assertEquals(steps, stepLines);
            JsonNode described = JSON.readTree(get(client, base + "/v1/runs/" + id).body());
            assertEquals("stopped", described.path("state").asText());
            assertTrue(Files.isDirectory(temp.resolve("runs").resolve(id).resolve("out").resolve("checkpoints")
                    .resolve(String.format("step-%08d", steps))), "the stop wrote a checkpoint of the last step");
            assertEquals(id, JSON.readTree(get(client, base + "/v1/runs").body()).path("runs").path(0).path("id").asText());
            assertEquals(404, get(client, base + "/v1/runs/run-none").statusCode());
            assertEquals(409, post(client, base + "/v1/runs/" + id + "/stop", "", true).statusCode(), "not running any more");

            // a stopped run continues from its checkpoint: the next step is the one after the last, then stop again
            HttpResponse<String> continued = post(client, base + "/v1/runs/" + id + "/resume", "", true);
            assertEquals(202, continued.statusCode(), continued.body());
            List<JsonNode> again = follow(client, base, id, new ArrayList<>(), event -> {
                if (event.path("step").asInt() == steps + 1) {
                    assertEquals(202, post(client, base + "/v1/runs/" + id + "/stop", "", true).statusCode());
                }
            });
            assertEquals("stopped", again.getLast().path("state").asText(), again.toString());
            for (int i = 0; i < again.size() - 1; i++) {
                assertEquals(i + 1, again.get(i).path("step").asInt(), "the earlier steps, then the continued ones");
            }
            assertTrue(again.size() - 1 > steps, "the continued run made steps after " + steps + ": " + again.size());
            assertEquals(404, post(client, base + "/v1/runs/run-none/resume", "", true).statusCode());
        }
    }

    /** What the test does with one step event as it arrives. */
    private interface OnStep {
        void accept(JsonNode event) throws Exception;
    }

    /** The run's events over SSE until it ends: steps (validations apart) and the final "ended" event. */
    private static List<JsonNode> follow(HttpClient client, String base, String id, List<JsonNode> validations,
            OnStep onStep) throws Exception {
        var lines = new ArrayList<JsonNode>();
        HttpResponse<java.util.stream.Stream<String>> events = client.send(HttpRequest.newBuilder(
                URI.create(base + "/v1/runs/" + id + "/events")).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals("text/event-stream", events.headers().firstValue("Content-Type").orElse(""));
        var iterator = events.body().iterator();
        while (iterator.hasNext()) {
            String line = iterator.next();
            if (!line.startsWith("data:") || line.length() <= 5) {
                continue;
            }
            JsonNode event = JSON.readTree(line.substring(5));
            if (event.path("type").asText().equals("validation")) {
                validations.add(event);
                continue;
            }
            lines.add(event);
            if (event.path("type").asText().equals("ended")) {
                break;
            }
            onStep.accept(event);
        }
        return lines;
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body, boolean token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token) {
            request.header("Authorization", "Bearer t0ken");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
