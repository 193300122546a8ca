package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium}, driven over the DevTools protocol): while a real
 * training run progresses, the page's reward chart gains points from the live event stream without a reload, the
 * sampled rewrites fill in, and a screenshot is saved to {@code target/dashboard.png}.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void theChartUpdatesWhileARunProgresses() throws Exception {
        String missing = "the browser test needs Debian's chromium (apt-get install chromium; ./deepretrieval test"
                + " installs it when it runs as root)";
        if (!"true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), missing);
        }
        assertTrue(Files.isExecutable(CHROMIUM), missing);
        Process browser = null;
        try (var server = new ServedRuns(temp, Optional.empty())) {
            String base = server.base();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"steps\": 6, \"prompts_per_step\": 2,"
                            + " \"heldout_max_queries\": 2, \"seed\": 5}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).path("id").asText();

            Path profile = Files.createDirectories(temp.resolve("chromium"));
            browser = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                    "--window-size=1200,900", base + "/?run=" + id).redirectErrorStream(true)
                    .redirectOutput(temp.resolve("chromium.log").toFile()).start();
            try (var page = DevTools.attach(profile, browser)) {
                int first = page.evaluateInt(waitForPoints(1));
                assertTrue(first < 6, "the page opened while the run was in progress: " + first + " point(s)");
                int last = page.evaluateInt(waitForPoints(6));
                assertEquals(6, last, "every step reached the open page through the event stream");
                assertTrue(page.evaluateInt("document.querySelectorAll('#samples tr').length") > 0,
                        "sampled rewrites are listed");
                assertEquals("6", page.evaluate("document.getElementById('chart-format').dataset.points"));
                Path shot = Path.of("target", "dashboard.png");
                Files.write(shot, page.screenshot());
                byte[] png = Files.readAllBytes(shot);
                assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG screenshot");
            }
            // the run's own end (after its validation and held-out evaluation) before the service closes, so nothing
            // writes into the run folder once the test's folder is removed
            var events = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + id + "/events")).build(),
                    HttpResponse.BodyHandlers.ofLines()).body().iterator();
            String end = null;
            while (end == null && events.hasNext()) {
                String line = events.next();
                JsonNode event = line.startsWith("data:") && line.length() > 5 ? JSON.readTree(line.substring(5)) : null;
                if (event != null && event.path("type").asText().equals("ended")) {
                    end = event.path("state").asText();
                }
            }
            assertEquals("completed", end);
            JsonNode ended = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(6, ended.path("step").asInt());
        } finally {
            if (browser != null) {
                // chromium's own processes (renderer, zygote, crash handler) write to the profile until they exit:
                // all of them end before the temporary folder is deleted
                var family = java.util.stream.Stream.concat(browser.descendants(), java.util.stream.Stream.of(
                        browser.toHandle())).toList();
                family.forEach(ProcessHandle::destroy);
                for (ProcessHandle process : family) {
                    process.onExit().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** A promise that resolves with the reward chart's point count once it is at least {@code n} (no polling). */
    private static String waitForPoints(int n) {
        return "new Promise(resolve => { const svg = document.getElementById('chart-reward');"
                + " const check = () => { const p = Number(svg.dataset.points); if (p >= " + n + ") resolve(p); };"
                + " new MutationObserver(check).observe(svg, {attributes: true}); check(); })";
    }

    /** A DevTools protocol session with the browser's page. */
    private static final class DevTools implements AutoCloseable, WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static DevTools attach(Path profile, Process browser) throws Exception {
            Path portFile = profile.resolve("DevToolsActivePort");
            // Chromium writes the file once its DevTools server listens; wait for the process's own signal of it
            var watcher = profile.getFileSystem().newWatchService();
            profile.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).size() < 2) {
                assertTrue(browser.isAlive(), "chromium exited early");
                watcher.poll(5, TimeUnit.SECONDS);
            }
            watcher.close();
            int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().strip());
            HttpClient client = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            String pageSocket = null;
            for (JsonNode target : targets) {
                if (target.path("type").asText().equals("page")) {
                    pageSocket = target.path("webSocketDebuggerUrl").asText();
                }
            }
            var session = new DevTools();
            session.socket = client.newWebSocketBuilder().buildAsync(URI.create(pageSocket), session).get(30, TimeUnit.SECONDS);
            return session;
        }

        JsonNode call(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            var reply = new CompletableFuture<JsonNode>();
            pending.put(id, reply);
            ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
            message.set("params", params);
            socket.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
            JsonNode result = reply.get(180, TimeUnit.SECONDS);
            assertTrue(!result.has("error") && !result.path("result").has("exceptionDetails"), "DevTools: " + result);
            return result.path("result");
        }

        String evaluate(String expression) throws Exception {
            ObjectNode params = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true)
                    .put("returnByValue", true);
            return call("Runtime.evaluate", params).path("result").path("value").asText();
        }

        int evaluateInt(String expression) throws Exception {
            return Integer.parseInt(evaluate("Promise.resolve(" + expression + ").then(String)"));
        }

        byte[] screenshot() throws Exception {
            String data = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")).path("data").asText();
            return Base64.getDecoder().decode(data);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
                        if (reply != null) {
                            reply.complete(message);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
