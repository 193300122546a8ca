package dev.deepretrieval.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The service's endpoints: {@code POST /v1/rewrite} (JSON), {@code POST /v1/rewrite/stream} (server-sent events) and
 * {@code GET /v1/rewrite/stream} (WebSocket: one JSON request per text message), OpenAI's
 * {@code POST /v1/chat/completions} (with {@code stream}) and {@code GET /v1/models}, and {@code POST /v1/model} to
 * swap the served policy. Guards (authentication, rate limits, body size, errors) wrap them in {@link ServiceGuards}.
 */
final class ServiceRoutes extends AllDirectives {

    private final Authentication authentication;
    private final RewriteService service;
    private final ServeSettings settings;
    private final Materializer materializer;
    private final PolicySwapper swapper;
    private final long started = Instant.now().getEpochSecond();
    private final java.util.concurrent.ExecutorService swaps = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "policy-swap");
        thread.setDaemon(true);
        return thread;
    });

    /** @param authentication guards each state-changing route (inside its path and method) */
    ServiceRoutes(RewriteService service, ServeSettings settings, Materializer materializer, PolicySwapper swapper,
            Authentication authentication) {
        this.authentication = authentication;
        this.service = service;
        this.settings = settings;
        this.materializer = materializer;
        this.swapper = swapper;
    }

    /** The routes that only read or generate. */
    Route reads() {
        return concat(
                path(segment("v1").slash("rewrite"), () -> post(() -> jsonBody(body -> rewrite(body)))),
                path(segment("v1").slash("rewrite").slash("stream"), () -> concat(
                        post(() -> jsonBody(this::rewriteEvents)),
                        get(() -> handleWebSocketMessages(rewriteSocket())))),
                path(segment("v1").slash("chat").slash("completions"), () -> post(() -> jsonBody(this::chat))),
                path(segment("v1").slash("models"), () -> get(() -> json(StatusCodes.OK,
                        ResponseBodies.models(settings.modelName(), service.served().version(), started)))),
                path(segment("v1").slash("model"), () -> get(() -> json(StatusCodes.OK, ResponseBodies.JSON.createObjectNode()
                        .put("model", settings.modelName()).put("version", service.served().version())))));
    }

    /** The routes that change state. */
    Route writes() {
        return path(segment("v1").slash("model"), () -> post(() -> authentication.authenticated(() ->
                jsonBody(body -> {
                    // loading a model blocks: off the HTTP dispatcher, one swap at a time
                    CompletableFuture<String> swapped = CompletableFuture.supplyAsync(() -> swapper.swap(body), swaps);
                    return onSuccess(swapped, version -> json(StatusCodes.OK,
                            ResponseBodies.JSON.createObjectNode().put("model", settings.modelName()).put("version", version)));
                }))));
    }

    private Route rewrite(JsonNode body) {
        RewriteRequest request = RewriteRequest.parse(body, settings);
        PromptTemplate template = PromptTemplate.bundled(request.task());
        CompletableFuture<RewriteService.Generation> generation = service.generate(request.query(),
                template.render(request.query()), template,
                RewriteService.sampling(request.temperature(), request.maxTokens(), request.seed()), request.guided(),
                RewriteService.SILENT);
        return onSuccess(generation, done -> json(StatusCodes.OK, ResponseBodies.rewrite(request, done)));
    }

    private Route rewriteEvents(JsonNode body) {
        RewriteRequest request = RewriteRequest.parse(body, settings);
        GenerationSource.Started started = startRewrite(request);
        if (started.rejected()) {
            throw (Overloaded) started.generation().exceptionNow();
        }
        Source<ServerSentEvent, NotUsed> events = started.events().map(event -> switch (event) {
            case GenerationSource.Event.Delta delta -> ServerSentEvent.create(text(ResponseBodies.delta(delta.text())), "token");
            case GenerationSource.Event.Done done -> ServerSentEvent.create(text(ResponseBodies.rewrite(request,
                    done.generation())), "result");
            case GenerationSource.Event.Failed failed -> ServerSentEvent.create(text(ResponseBodies.error("generation_error",
                    String.valueOf(failed.cause().getMessage()), null)), "error");
        });
        return completeOK(events, EventStreamMarshalling.toEventStream());
    }

    private GenerationSource.Started startRewrite(RewriteRequest request) {
        PromptTemplate template = PromptTemplate.bundled(request.task());
        return GenerationSource.start(materializer, request.maxTokens(), listener -> service.generate(request.query(),
                template.render(request.query()), template,
                RewriteService.sampling(request.temperature(), request.maxTokens(), request.seed()), request.guided(),
                listener));
    }

    /**
     * One JSON rewrite request per text message; for each the socket streams {@code {"type":"token","text":…}}
     * messages and ends with {@code {"type":"result",…}}, or answers {@code {"type":"error",…}} and stays open.
     */
    private Flow<Message, Message, NotUsed> rewriteSocket() {
        return Flow.<Message>create()
                .mapAsync(1, message -> message.isText()
                        ? message.asTextMessage().getStreamedText().runFold("", String::concat, materializer)
                        : message.asBinaryMessage().getStreamedData().runForeach(bytes -> {}, materializer)
                                .thenApply(done -> (String) null))
                .flatMapConcat(this::socketReplies)
                .map(node -> (Message) TextMessage.create(text(node)));
    }

    private Source<ObjectNode, NotUsed> socketReplies(String text) {
        if (text == null) {
            return Source.single(socketError("", "send rewrite requests as JSON text messages", "invalid_request"));
        }
        RewriteRequest request;
        try {
            request = RewriteRequest.parse(ResponseBodies.JSON.readTree(text), settings);
        } catch (JsonProcessingException e) {
            return Source.single(socketError("", "malformed JSON: " + e.getOriginalMessage(), "invalid_request"));
        } catch (InvalidRequest e) {
            return Source.single(socketError(e.field(), e.getMessage(), "invalid_request"));
        }
        GenerationSource.Started started = startRewrite(request);
        if (started.rejected()) {
            return Source.single(socketError("", started.generation().exceptionNow().getMessage(), "overloaded"));
        }
        return started.events().map(event -> switch (event) {
            case GenerationSource.Event.Delta delta -> ResponseBodies.delta(delta.text()).put("type", "token");
            case GenerationSource.Event.Done done -> ResponseBodies.rewrite(request, done.generation()).put("type", "result");
            case GenerationSource.Event.Failed failed -> socketError("", String.valueOf(failed.cause().getMessage()),
                    "generation_error");
        });
    }

    private static ObjectNode socketError(String field, String message, String type) {
        ObjectNode node = ResponseBodies.error(type, message, field.isEmpty() ? null : field);
        node.put("type", "error");
        return node;
    }

    private Route chat(JsonNode body) {
        ChatRequest request = ChatRequest.parse(body, settings);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String prompt = RewriteService.CHAT.render(request.conversation());
        var sampling = RewriteService.sampling(request.temperature(), request.maxTokens(), request.seed());
        if (!request.stream()) {
            return onSuccess(service.generate(request.conversation(), prompt, RewriteService.CHAT, sampling, false,
                    RewriteService.SILENT),
                    done -> json(StatusCodes.OK, ResponseBodies.chatCompletion(id, created, settings.modelName(), done)));
        }
        GenerationSource.Started started = GenerationSource.start(materializer, request.maxTokens(),
                listener -> service.generate(request.conversation(), prompt, RewriteService.CHAT, sampling, false,
                        listener));
        if (started.rejected()) {
            throw (Overloaded) started.generation().exceptionNow();
        }
        String version = service.served().version();
        String model = settings.modelName();
        Source<JsonNode, NotUsed> chunks = Source.<JsonNode>single(
                        ResponseBodies.chatChunk(id, created, model, version, "assistant", "", null))
                .concat(started.events().map(event -> switch (event) {
                    case GenerationSource.Event.Delta delta ->
                            ResponseBodies.chatChunk(id, created, model, version, null, delta.text(), null);
                    case GenerationSource.Event.Done done ->
                            ResponseBodies.chatChunk(id, created, model, version, null, null, done.generation().finishReason());
                    case GenerationSource.Event.Failed failed -> ResponseBodies.error(
                            "generation_error", String.valueOf(failed.cause().getMessage()), null);
                }));
        return complete(HttpResponse.create().withEntity(OpenAiEventStream.of(chunks)));
    }

    /** Reads the body as JSON (size-limited by the guards); malformed JSON is a 400. */
    private Route jsonBody(java.util.function.Function<JsonNode, Route> inner) {
        return entity(Unmarshaller.entityToString(), text -> {
            JsonNode body;
            try {
                body = ResponseBodies.JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new InvalidRequest("", "malformed JSON: " + e.getOriginalMessage());
            }
            return inner.apply(body);
        });
    }

    static Route json(StatusCode status, JsonNode body, AllDirectives directives) {
        return directives.complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, text(body))));
    }

    private Route json(StatusCode status, JsonNode body) {
        return json(status, body, this);
    }

    static String text(JsonNode node) {
        try {
            return ResponseBodies.JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
