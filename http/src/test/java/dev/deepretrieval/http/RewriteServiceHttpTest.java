package dev.deepretrieval.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rewrite service on loopback with the bundled default policy, driven by the JDK's HTTP and WebSocket clients. */
class RewriteServiceHttpTest {

    private static final Path MODEL = Path.of("..", "models", "default-policy").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY = "Vitamin D supplementation reduces the risk of fractures in older adults.";

    private static ActorSystem<Void> system;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "rewrite-http-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @AfterEach
    void closeServers() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static ServeSettings settings(int maxConcurrent, int maxQueued, Optional<String> token, double rate, int burst) {
        return new ServeSettings("deepretrieval-default", "scifact", maxConcurrent, maxQueued, 4096, 2000, 96, 512, token,
                false, rate, burst, 16_384, 8, 1);
    }

    /** A running server: its base URI and its service. */
    private record Server(URI base, RewriteService service, ServedPolicy served) {}

    private Server start(ServeSettings settings, Consumer<RewriteService.Generation> finished) throws Exception {
        var served = new ServedPolicy(PolicyLoader.load(MODEL, Optional.empty(), PolicyLoader.device("cpu")),
                "default-policy");
        var service = new RewriteService(served, settings, finished);
        ServerBinding binding = RewriteHttpServer.start(system, "127.0.0.1", 0, service, settings,
                new CheckpointSwapper(served, MODEL, "cpu"), Optional.empty()).toCompletableFuture().get();
        open.add(served);
        open.add(service);
        open.add(() -> binding.unbind().toCompletableFuture().get());
        return new Server(URI.create(RewriteHttpServer.describe(binding)), service, served);
    }

    private Server start() throws Exception {
        return start(settings(2, 8, Optional.empty(), 1000, 1000), g -> {});
    }

    private HttpResponse<String> post(URI uri, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static Rewrite inProcessGreedy(Server server, String query, String task, int maxTokens) {
        PromptTemplate template = PromptTemplate.bundled(task);
        try (ServedPolicy.Lease lease = server.served().acquire()) {
            return new QueryRewriter(lease.policy(), template).rewritePrompts(
                    List.of(new QueryRewriter.Prompt(query, template.render(query))), 1,
                    SamplingSettings.greedy(maxTokens, Set.of()), 1).getFirst();
        }
    }

    @Test
    void restRewriteIsTheInProcessGreedyRewriteAndNamesTheVersion() throws Exception {
        Server server = start();
        HttpResponse<String> response = post(server.base().resolve("/v1/rewrite"),
                "{\"query\": \"" + QUERY + "\", \"task\": \"scifact\"}");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response.body());
        Rewrite expected = inProcessGreedy(server, QUERY, "scifact", 96);
        assertEquals(QUERY, body.path("query").asText());
        assertEquals(expected.completion(), body.path("completion").asText());
        assertEquals(expected.rewritten().orElse(QUERY), body.path("rewritten").asText());
        assertEquals(!expected.formatValid(), body.path("fallback").asBoolean());
        assertEquals(expected.formatValid(), body.path("format_valid").asBoolean());
        assertEquals("default-policy", body.path("model_version").asText());
        assertTrue(body.path("latency_ms").asLong() >= 0);
    }

    @Test
    void serverSentEventsStreamTokensThatAddUpToTheResult() throws Exception {
        Server server = start();
        HttpResponse<java.util.stream.Stream<String>> response = client.send(HttpRequest.newBuilder(
                        server.base().resolve("/v1/rewrite/stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"" + QUERY + "\", \"task\": \"nfcorpus\"}"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        List<String> lines = response.body().toList();
        var text = new StringBuilder();
        JsonNode result = null;
        int tokens = 0;
        String event = null;
        for (String line : lines) {
            if (line.startsWith("event:")) {
                event = line.substring(6);
            } else if (line.startsWith("data:")) {
                JsonNode data = json(line.substring(5));
                // pekko writes data before event within one message: pair them at the blank line
                text.append(data.has("text") ? data.path("text").asText() : "");
                tokens += data.has("text") ? 1 : 0;
                if (data.has("completion")) {
                    result = data;
                }
            }
        }
        assertTrue(result != null, "a result event: " + lines);
        assertTrue(tokens > 3, "streamed token by token: " + tokens);
        assertEquals(result.path("completion").asText(), text.toString());
        assertEquals(inProcessGreedy(server, QUERY, "nfcorpus", 96).completion(), result.path("completion").asText());
        assertTrue(lines.stream().anyMatch(l -> l.equals("event:token")) && lines.contains("event:result"), event);
    }

    /** Collects a WebSocket's text messages, asking for one more after each. */
    private static final class Messages implements WebSocket.Listener {
        final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final boolean reading;

        Messages() {
            this(true);
        }

        /** @param reading false: a stalled client, asking for no message until {@code request} is called */
        Messages(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void onOpen(WebSocket socket) {
            if (reading) {
                socket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode node = received.poll(60, TimeUnit.SECONDS);
            assertTrue(node != null, "a message within 60 s");
            return node;
        }

        /** Messages up to and including the next result or error. */
        List<JsonNode> untilEnd() throws InterruptedException {
            var all = new ArrayList<JsonNode>();
            JsonNode node;
            do {
                node = next();
                all.add(node);
            } while (node.path("type").asText().equals("token"));
            return all;
        }
    }

    @Test
    void webSocketStreamsEachRequestAndAnswersBadMessagesWithoutClosing() throws Exception {
        Server server = start();
        var messages = new Messages();
        WebSocket socket = client.newWebSocketBuilder().buildAsync(
                URI.create(server.base().toString().replace("http:", "ws:") + "/v1/rewrite/stream"), messages).get();
        socket.sendText("{not json", true).get();
        JsonNode error = messages.next();
        assertEquals("error", error.path("type").asText());
        assertEquals("invalid_request", error.path("error").path("type").asText());
        socket.sendText("{\"query\": \"\"}", true).get();
        assertEquals("query", messages.next().path("error").path("field").asText());
        socket.sendText("{\"query\": \"" + QUERY + "\", \"max_tokens\": 40}", true).get();
        List<JsonNode> replies = messages.untilEnd();
        JsonNode result = replies.getLast();
        assertEquals("result", result.path("type").asText(), replies.toString());
        String streamed = replies.subList(0, replies.size() - 1).stream().map(n -> n.path("text").asText())
                .collect(Collectors.joining());
        assertEquals(result.path("completion").asText(), streamed);
        assertEquals(inProcessGreedy(server, QUERY, "scifact", 40).completion(), streamed);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get();
    }

    @Test
    void aMalformedAnswerFallsBackToTheOriginalQueryInRestSseAndWebSocket() throws Exception {
        Server server = start();
        String query = "vitamin D and bone fractures in older adults";
        Rewrite greedy = inProcessGreedy(server, query, "scifact", 96);
        assertFalse(greedy.formatValid(), "this claim's greedy answer is malformed: " + greedy.completion());

        JsonNode rest = json(post(server.base().resolve("/v1/rewrite"), "{\"query\": \"" + query + "\"}").body());
        List<String> sse = client.send(HttpRequest.newBuilder(server.base().resolve("/v1/rewrite/stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"" + query + "\"}")).build(),
                HttpResponse.BodyHandlers.ofLines()).body().filter(l -> l.startsWith("data:") && l.contains("completion"))
                .toList();
        var messages = new Messages();
        WebSocket socket = client.newWebSocketBuilder().buildAsync(
                URI.create(server.base().toString().replace("http:", "ws:") + "/v1/rewrite/stream"), messages).get();
        socket.sendText("{\"query\": \"" + query + "\"}", true).get();
        JsonNode overSocket = messages.untilEnd().getLast();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get();

        for (JsonNode result : List.of(rest, json(sse.getLast().substring(5)), overSocket)) {
            assertEquals(query, result.path("rewritten").asText(), result.toString());
            assertTrue(result.path("fallback").asBoolean(), result.toString());
            assertFalse(result.path("format_valid").asBoolean(), result.toString());
            assertEquals(greedy.completion(), result.path("completion").asText());
        }
    }

    @Test
    void openAiChatCompletionsPlainAndStreamedSayTheSame() throws Exception {
        Server server = start();
        String request = "{\"model\": \"DeepRetrieval/DeepRetrieval-NQ-BM25-3B\", \"temperature\": 0, \"max_tokens\": 30,"
                + " \"messages\": [{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"},"
                + " {\"role\": \"user\", \"content\": \"Rewrite the query: who wrote hamlet\"}]";
        HttpResponse<String> plain = post(server.base().resolve("/v1/chat/completions"), request + "}");
        assertEquals(200, plain.statusCode(), plain.body());
        JsonNode completion = json(plain.body());
        assertEquals("chat.completion", completion.path("object").asText());
        assertEquals("deepretrieval-default", completion.path("model").asText());
        JsonNode choice = completion.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        String content = choice.path("message").path("content").asText();
        int completionTokens = completion.path("usage").path("completion_tokens").asInt();
        assertTrue(completionTokens >= 1 && completionTokens <= 30, completion.toString());
        assertEquals(completionTokens == 30 ? "length" : "stop", choice.path("finish_reason").asText());

        HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(
                        server.base().resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(request + ", \"stream\": true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("text/event-stream", streamed.headers().firstValue("Content-Type").orElse(""));
        // byte for byte as OpenAI sends it: events "data: <json>\n\n", the last exactly "data: [DONE]\n\n"
        String wire = streamed.body();
        assertTrue(wire.endsWith("\n\ndata: [DONE]\n\n"), wire);
        List<String> events = List.of(wire.split("\n\n"));
        for (String event : events) {
            assertTrue(event.startsWith("data: ") && !event.contains("\n") && !event.startsWith("data:  "), event);
        }
        assertEquals(List.of("data: [DONE]"), events.stream().filter(e -> e.contains("[DONE]")).toList());
        // the OpenAI Python client's SSE decoder: field, ':' and value, one leading space dropped; [DONE] ends it
        List<String> data = new ArrayList<>();
        for (String line : wire.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equals("data")) {
                String value = line.substring(colon + 1);
                data.add(value.startsWith(" ") ? value.substring(1) : value);
            }
        }
        assertEquals("[DONE]", data.getLast());
        var text = new StringBuilder();
        String finish = null;
        for (String chunk : data.subList(0, data.size() - 1)) {
            JsonNode node = json(chunk);
            assertEquals("chat.completion.chunk", node.path("object").asText());
            text.append(node.path("choices").path(0).path("delta").path("content").asText(""));
            if (!node.path("choices").path(0).path("finish_reason").isNull()) {
                finish = node.path("choices").path(0).path("finish_reason").asText();
            }
        }
        assertEquals("assistant", json(data.getFirst()).path("choices").path(0).path("delta").path("role").asText());
        assertEquals(content, text.toString());
        assertEquals(choice.path("finish_reason").asText(), finish);

        JsonNode models = json(client.send(HttpRequest.newBuilder(server.base().resolve("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("deepretrieval-default", models.path("data").path(0).path("id").asText());
    }

    @Test
    void badInputIsA400NamingTheFieldAndNeverA500() throws Exception {
        Server server = start();
        URI rewrite = server.base().resolve("/v1/rewrite");
        String[][] cases = {
            {"{}", "query"}, {"{\"query\": 7}", "query"}, {"{\"query\": \"   \"}", "query"},
            {"{\"query\": \"" + "x".repeat(2001) + "\"}", "query"}, {"{\"query\": \"q\", \"task\": \"pubmed-x\"}", "task"},
            {"{\"query\": \"q\", \"temperature\": -1}", "temperature"}, {"{\"query\": \"q\", \"temperature\": \"hot\"}", "temperature"},
            {"{\"query\": \"q\", \"max_tokens\": 0}", "max_tokens"}, {"{\"query\": \"q\", \"max_tokens\": 513}", "max_tokens"},
            {"{\"query\": \"q\", \"max_tokens\": 2.5}", "max_tokens"}, {"{\"query\": \"q\", \"seed\": \"s\"}", "seed"},
            {"[1, 2]", null}, {"{\"query\": ", null}, {"", null},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = post(rewrite, c[0]);
            assertEquals(400, response.statusCode(), c[0] + " -> " + response.body());
            JsonNode error = json(response.body()).path("error");
            assertEquals("invalid_request", error.path("type").asText());
            if (c[1] != null) {
                assertEquals(c[1], error.path("field").asText(), response.body());
            }
        }
        HttpResponse<String> chat = post(server.base().resolve("/v1/chat/completions"),
                "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}");
        assertEquals(400, chat.statusCode());
        assertEquals("messages[0].role", json(chat.body()).path("error").path("field").asText());
        HttpResponse<String> large = post(rewrite, "{\"query\": \"" + "y".repeat(5000) + "\"}");
        assertEquals(413, large.statusCode(), large.body());
        assertEquals("request_too_large", json(large.body()).path("error").path("type").asText());
        assertEquals(404, client.send(HttpRequest.newBuilder(server.base().resolve("/v2/nothing")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(405, client.send(HttpRequest.newBuilder(rewrite).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void swappingThePolicyNeedsTheTokenAndEveryResponseNamesTheNewVersion(@TempDir Path runs) throws Exception {
        Server server = start(settings(2, 8, Optional.of("s3cret"), 1000, 1000), g -> {});
        Path checkpoints = Files.createDirectories(runs.resolve("run-42").resolve("checkpoints"));
        URI model = server.base().resolve("/v1/model");
        String swap = "{\"checkpoints\": \"" + checkpoints + "\"}";
        assertEquals(401, post(model, swap).statusCode());
        HttpResponse<String> wrong = post(model, swap, "Authorization", "Bearer nope");
        assertEquals(401, wrong.statusCode());
        assertEquals("Bearer realm=\"deepretrieval\"", wrong.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> pinned = post(model, "{\"checkpoints\": \"" + checkpoints + "\", \"step\": 40}",
                "Authorization", "Bearer s3cret");
        assertEquals(400, pinned.statusCode(), pinned.body());
        assertEquals("step", json(pinned.body()).path("error").path("field").asText());
        HttpResponse<String> missing = post(model, "{\"model\": \"" + runs.resolve("nothing") + "\"}",
                "Authorization", "Bearer s3cret");
        assertEquals("model", json(missing.body()).path("error").path("field").asText());
        HttpResponse<String> swapped = post(model, swap, "Authorization", "Bearer s3cret");
        assertEquals(200, swapped.statusCode(), swapped.body());
        assertEquals("run-42@initial", json(swapped.body()).path("version").asText());
        HttpResponse<String> rewrite = post(server.base().resolve("/v1/rewrite"), "{\"query\": \"aspirin\", \"max_tokens\": 4}");
        assertEquals(200, rewrite.statusCode(), "reads stay open unless protect-reads");
        assertEquals("run-42@initial", json(rewrite.body()).path("model_version").asText());
    }

    @Test
    void aFullServiceAnswers503WithRetryAfter() throws Exception {
        Server server = start(settings(1, 0, Optional.empty(), 1000, 1000), g -> {});
        var holding = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        PromptTemplate template = PromptTemplate.bundled("scifact");
        CompletableFuture<RewriteService.Generation> occupying = server.service().generate(QUERY, template.render(QUERY),
                template, SamplingSettings.greedy(8, Set.of()), false, delta -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        assertTrue(holding.await(60, TimeUnit.SECONDS), "the only slot is taken");
        HttpResponse<String> refused = post(server.base().resolve("/v1/rewrite"), "{\"query\": \"aspirin\"}");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals("overloaded", json(refused.body()).path("error").path("type").asText());
        release.countDown();
        occupying.get(60, TimeUnit.SECONDS);
        assertEquals(200, post(server.base().resolve("/v1/rewrite"), "{\"query\": \"aspirin\", \"max_tokens\": 4}")
                .statusCode(), "served again once the slot is free");
    }

    @Test
    void aClientBeyondItsRateGets429WithRetryAfter() throws Exception {
        Server server = start(settings(2, 8, Optional.empty(), 0.01, 2), g -> {});
        URI models = server.base().resolve("/v1/models");
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
        }
        HttpResponse<String> limited = client.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode());
        assertEquals("100", limited.headers().firstValue("Retry-After").orElse(""), "one token at 0.01/s");
        HttpResponse<String> otherClient = client.send(HttpRequest.newBuilder(models)
                .header("Authorization", "Bearer someone-else").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, otherClient.statusCode(), "buckets are per client");
    }

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        var ended = new CompletableFuture<RewriteService.Generation>();
        Server server = start(settings(2, 8, Optional.empty(), 1000, 1000), ended::complete);
        // a hot sample rarely meets the stop token: left alone it would run all 512 tokens
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(server.base().resolve("/v1/rewrite/stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"" + QUERY + "\", \"temperature\": 2.0,"
                        + " \"seed\": 7, \"max_tokens\": 512}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        InputStream body = response.body();
        assertTrue(body.read() >= 0, "the stream started");
        body.close();
        RewriteService.Generation generation = ended.get(120, TimeUnit.SECONDS);
        assertTrue(generation.cancelled(), "cancelled, not finished");
        assertTrue(generation.rewrite().generatedTokens().length < 512, "stopped early: "
                + generation.rewrite().generatedTokens().length);
        assertFalse(generation.stopped());
    }

    @Test
    void aStalledWebSocketClientHoldsNoGenerationSlotAndLosesNothing() throws Exception {
        var ended = new LinkedBlockingQueue<RewriteService.Generation>();
        Server server = start(settings(1, 0, Optional.empty(), 1000, 1000), ended::add);
        var stalled = new Messages(false);
        WebSocket socket = client.newWebSocketBuilder().buildAsync(
                URI.create(server.base().toString().replace("http:", "ws:") + "/v1/rewrite/stream"), stalled).get();
        socket.sendText("{\"query\": \"" + QUERY + "\", \"max_tokens\": 60}", true).get();
        RewriteService.Generation generation = ended.poll(120, TimeUnit.SECONDS);
        assertTrue(generation != null && !generation.cancelled(), "the generation ran to its end unread");
        assertTrue(stalled.received.isEmpty(), "the client read nothing meanwhile");
        assertEquals(200, post(server.base().resolve("/v1/rewrite"), "{\"query\": \"aspirin\", \"max_tokens\": 4}")
                .statusCode(), "the only generation slot is free again");
        socket.request(1);
        var all = new ArrayList<JsonNode>();
        JsonNode node;
        do {
            node = stalled.next();
            all.add(node);
        } while (!node.path("type").asText().equals("result"));
        String streamed = all.subList(0, all.size() - 1).stream().map(n -> n.path("text").asText())
                .collect(Collectors.joining());
        assertEquals(generation.rewrite().completion(), streamed, "every token arrives once the client reads again");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get();
    }

    @Test
    void theRateLimiterRefillsAtItsRate() {
        long[] now = {0};
        var limiter = new ClientRateLimiter(2, 3, () -> now[0]);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire("a"));
        }
        assertFalse(limiter.tryAcquire("a"));
        assertEquals(1, limiter.retryAfterSeconds("a"));
        now[0] += 499_999_999L;
        assertFalse(limiter.tryAcquire("a"), "just under half a second: not yet a token");
        now[0] += 2;
        assertTrue(limiter.tryAcquire("a"));
        assertTrue(limiter.tryAcquire("b"), "another client has its own bucket");
    }
}
