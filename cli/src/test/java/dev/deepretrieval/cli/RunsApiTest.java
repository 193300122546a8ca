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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training-runs API on loopback: validation, one run at a time, the event stream, a graceful stop. */
class RunsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void runsStartValidatedStreamTheirStepsAndStopGracefully() throws Exception {
        try (var server = new ServedRuns(temp, Optional.of("t0ken"))) {
            String base = server.base();
            HttpClient client = HttpClient.newHttpClient();

            assertEquals(401, post(client, base + "/v1/runs", "{}", false).statusCode(), "starting a run needs the token");
            for (String[] bad : new String[][] {{"{\"steps\": 0}", "steps"}, {"{\"steps\": \"ten\"}", "steps"},
                    {"{\"task\": \"nope\"}", "task"}, {"{\"algorithm\": \"sgd\"}", "algorithm"}, {"{\"stepz\": 3}", "stepz"},
                    {"{\"model\": \"/nowhere\"}", "model"}, {"[1]", null}}) {
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

            // follow the events: stop after the second step; the stream ends with the run's end
            var lines = new ArrayList<JsonNode>();
            var validations = new ArrayList<JsonNode>();
            HttpResponse<java.util.stream.Stream<String>> events = client.send(HttpRequest.newBuilder(
                    URI.create(base + "/v1/runs/" + id + "/events")).build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals("text/event-stream", events.headers().firstValue("Content-Type").orElse(""));
            var iterator = events.body().iterator();
            boolean stopAsked = false;
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
                if (event.path("step").asInt() == 2 && !stopAsked) {
                    assertEquals(1, server.systemsCreated(), "the run shares the service's actor system");
                    assertEquals(401, post(client, base + "/v1/runs/" + id + "/stop", "", false).statusCode());
                    assertEquals(202, post(client, base + "/v1/runs/" + id + "/stop", "", true).statusCode());
                    stopAsked = true;
                }
            }
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
        }
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
