package dev.deepretrieval.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The training-runs API: {@code POST /v1/runs} (a run config as JSON), {@code GET /v1/runs},
 * {@code GET /v1/runs/{id}}, {@code POST /v1/runs/{id}/stop}, {@code GET /v1/runs/{id}/metrics}, live
 * {@code GET /v1/runs/{id}/events} (server-sent events, kept alive) and {@code GET /v1/runs/{id}/weights/{step}} (the
 * actor's weights of that step's checkpoint, a published weight version, with its SHA-256 as ETag and
 * {@code X-Weights-SHA256}).
 */
final class RunRoutes extends AllDirectives {

    private final TrainingRuns runs;
    private final Authentication authentication;

    /** @param authentication guards each state-changing route (inside its path and method) */
    RunRoutes(TrainingRuns runs, Authentication authentication) {
        this.runs = runs;
        this.authentication = authentication;
    }

    Route reads() {
        return pathPrefix(segment("v1").slash("runs"), () -> concat(
                pathEnd(() -> get(() -> {
                    ArrayNode list = ResponseBodies.JSON.createArrayNode();
                    runs.list().forEach(list::add);
                    return json(ResponseBodies.JSON.createObjectNode().set("runs", list));
                })),
                pathPrefix(PathMatchers.segment(), id -> {
                    if (!runs.exists(id)) {
                        return ServiceRoutes.json(StatusCodes.NOT_FOUND, ResponseBodies.error("not_found", "no run " + id,
                                null), this);
                    }
                    return concat(
                            pathEnd(() -> get(() -> json(runs.describe(id)))),
                            path("metrics", () -> get(() -> {
                                ArrayNode steps = ResponseBodies.JSON.createArrayNode();
                                runs.metrics(id).forEach(steps::add);
                                return json(ResponseBodies.JSON.createObjectNode().put("id", id).set("steps", steps));
                            })),
                            path(PathMatchers.segment("weights").slash(PathMatchers.longSegment()), step -> get(() ->
                                    runs.weights(id, step).map(actor -> respondWithHeaders(List.of(
                                            ETag.create(EntityTag.create(actor.sha256(), false)),
                                            RawHeader.create("X-Weights-SHA256", actor.sha256())),
                                            () -> getFromFile(actor.path().toFile(),
                                                    ContentTypes.APPLICATION_OCTET_STREAM)))
                                            .orElseGet(() -> ServiceRoutes.json(StatusCodes.NOT_FOUND,
                                                    ResponseBodies.error("not_found", "run " + id + " has no checkpoint"
                                                            + " of step " + step, null), this)))),
                            path("events", () -> get(() -> {
                                Source<ServerSentEvent, NotUsed> events = runs.events(id).orElseThrow()
                                        .map(node -> ServerSentEvent.create(ServiceRoutes.text(node),
                                                node.path("type").asText("step")))
                                        .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat);
                                return completeOK(events, EventStreamMarshalling.toEventStream());
                            })));
                })));
    }

    Route writes() {
        return pathPrefix(segment("v1").slash("runs"), () -> concat(
                pathEnd(() -> post(() -> authentication.authenticated(() -> entity(Unmarshaller.entityToString(), text -> {
                    JsonNode body;
                    try {
                        body = ResponseBodies.JSON.readTree(text);
                    } catch (JsonProcessingException e) {
                        throw new InvalidRequest("", "malformed JSON: " + e.getOriginalMessage());
                    }
                    return ServiceRoutes.json(StatusCodes.CREATED, runs.start(body), this);
                })))),
                control("stop", runs::stop, "not_running", "is not running"),
                control("pause", runs::pause, "not_running", "is not running"),
                control("resume", runs::resume, "not_resumable", "is neither paused nor stopped with a checkpoint (or"
                        + " the active-run limit is reached)")));
    }

    /** {@code POST /v1/runs/<id>/<action>}: 202 with the run's description, 404 for no such run, 409 when it cannot. */
    private Route control(String action, java.util.function.Predicate<String> act, String code, String refusal) {
        return path(PathMatchers.segment().slash(action), id -> post(() -> authentication.authenticated(() -> {
            if (!runs.exists(id)) {
                return ServiceRoutes.json(StatusCodes.NOT_FOUND, ResponseBodies.error("not_found", "no run " + id, null),
                        this);
            }
            boolean done = act.test(id);
            return ServiceRoutes.json(done ? StatusCodes.ACCEPTED : StatusCodes.CONFLICT, done ? runs.describe(id)
                    : ResponseBodies.error(code, "run " + id + " " + refusal, null), this);
        })));
    }

    private Route json(JsonNode body) {
        return ServiceRoutes.json(StatusCodes.OK, body, this);
    }
}
