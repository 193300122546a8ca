package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code ./deepretrieval serve} while a run it started is in its held-out evaluation: the server exits
 * within {@code stop-grace} + 10 s, and the run's checkpoint is on disk (the evaluation is abandoned, not waited for).
 */
class ServeStopTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVING = Pattern.compile("serving .* on http://[^:]+:(\\d+)");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void sigtermDuringAHeldOutEvaluationExitsPromptlyWithTheCheckpointKept(@TempDir Path temp) throws Exception {
        Path runsDir = temp.resolve("runs");
        Process server = Launcher.command("serve", "--port", "0", "-Ddeepretrieval.serve.runs-dir=" + runsDir,
                "-Ddeepretrieval.serve.stop-grace=10s").redirectOutput(temp.resolve("stdout.txt").toFile()).start();
        try {
            var stderr = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
            String base = null;
            while (base == null) {
                String line = stderr.readLine();
                if (line == null) {
                    break;
                }
                Matcher serving = SERVING.matcher(line);
                if (serving.find()) {
                    base = "http://127.0.0.1:" + serving.group(1);
                }
            }
            assertTrue(base != null, "the server said where it listens");
            Thread drain = new Thread(() -> stderr.lines().forEach(l -> { }), "stderr");
            drain.setDaemon(true);
            drain.start();

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"steps\": 1, \"prompts_per_step\": 2}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).path("id").asText();
            // follow the run until its held-out evaluation (300 test claims, three ways) has begun
            HttpResponse<java.util.stream.Stream<String>> events = client.send(HttpRequest.newBuilder(
                    URI.create(base + "/v1/runs/" + id + "/events")).build(), HttpResponse.BodyHandlers.ofLines());
            boolean evaluating = false;
            var lines = events.body().iterator();
            while (!evaluating && lines.hasNext()) {
                String line = lines.next();
                if (line.startsWith("data:") && line.length() > 5) {
                    JsonNode event = JSON.readTree(line.substring(5));
                    assertTrue(!event.path("type").asText().equals("ended"), "the run ended first: " + event);
                    evaluating = event.path("type").asText().equals("heldout");
                }
            }
            assertTrue(evaluating, "the held-out evaluation began");

            long start = System.nanoTime();
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "exited within stop-grace (10 s) + 10 s");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 20, "exit took " + seconds + " s");
            assertTrue(Files.isDirectory(runsDir.resolve(id).resolve("out").resolve("checkpoints")
                    .resolve("step-00000001")), "the run's checkpoint is kept");
            assertTrue(!Files.exists(runsDir.resolve(id).resolve("out").resolve("summary.json")),
                    "the evaluation was abandoned, not finished");
        } finally {
            server.destroyForcibly();
        }
    }
}
