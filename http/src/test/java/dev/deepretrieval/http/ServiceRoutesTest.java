package dev.deepretrieval.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.ActorSystemResource;
import org.apache.pekko.http.javadsl.testkit.JUnitRouteTestBase;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routes and guards under Pekko's route test kit (no socket): statuses, JSON errors, authentication. */
class ServiceRoutesTest extends JUnitRouteTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = Path.of("..", "models", "default-policy").toAbsolutePath().normalize();

    private final ActorSystemResource resource = new ActorSystemResource("service-routes-test",
            ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.defaultReference()));
    private ServedPolicy served;
    private RewriteService service;
    private TestRoute route;

    @Override
    public ActorSystemResource systemResource() {
        return resource;
    }

    @BeforeEach
    void start() {
        resource.before();
        var settings = new ServeSettings("deepretrieval-default", "scifact", 1, 2, 4096, 2000, 96, 512, Optional.of("k"),
                false, 1000, 1000, 16_384, 8, 1);
        served = new ServedPolicy(PolicyLoader.load(MODEL, Optional.empty(), PolicyLoader.device("cpu")), "default-policy");
        service = new RewriteService(served, settings);
        var guards = new ServiceGuards(settings, new ClientRateLimiter(1000, 1000, System::nanoTime));
        var routes = new ServiceRoutes(service, settings, materializer(), body -> "swapped", guards);
        Route all = guards.guard(routes.reads(), routes.writes());
        route = testRoute(all);
    }

    @AfterEach
    void stop() {
        service.close();
        served.close();
        resource.after();
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    @Test
    void modelsAndAGreedyRewrite() throws Exception {
        JsonNode models = json(route.run(HttpRequest.GET("/v1/models")).assertStatusCode(StatusCodes.OK)
                .assertContentType(ContentTypes.APPLICATION_JSON).entityString());
        assertEquals("deepretrieval-default", models.path("data").path(0).path("id").asText());
        JsonNode rewrite = json(route.run(HttpRequest.POST("/v1/rewrite").withEntity(ContentTypes.APPLICATION_JSON,
                "{\"query\": \"aspirin\", \"max_tokens\": 4}")).assertStatusCode(StatusCodes.OK).entityString());
        assertEquals("default-policy", rewrite.path("model_version").asText());
        assertEquals("aspirin", rewrite.path("query").asText());
    }

    @Test
    void badInputIsA400NamingTheField() throws Exception {
        JsonNode error = json(route.run(HttpRequest.POST("/v1/rewrite").withEntity(ContentTypes.APPLICATION_JSON,
                "{\"query\": \"q\", \"temperature\": 9}")).assertStatusCode(StatusCodes.BAD_REQUEST).entityString());
        assertEquals("temperature", error.path("error").path("field").asText());
        route.run(HttpRequest.POST("/v1/rewrite").withEntity(ContentTypes.APPLICATION_JSON, "not json"))
                .assertStatusCode(StatusCodes.BAD_REQUEST);
        route.run(HttpRequest.POST("/v1/rewrite").withEntity(ContentTypes.APPLICATION_JSON, "{\"query\": \""
                + "z".repeat(5000) + "\"}")).assertStatusCode(StatusCodes.PAYLOAD_TOO_LARGE);
        JsonNode missing = json(route.run(HttpRequest.GET("/v1/nothing")).assertStatusCode(StatusCodes.NOT_FOUND)
                .assertContentType(ContentTypes.APPLICATION_JSON).entityString());
        assertEquals("not_found", missing.path("error").path("type").asText());
    }

    @Test
    void swapsNeedTheBearerTokenButNothingElseDoes() {
        route.run(HttpRequest.GET("/v1/model")).assertStatusCode(StatusCodes.OK);
        route.run(HttpRequest.GET("/v1/nothing")).assertStatusCode(StatusCodes.NOT_FOUND);
        route.run(HttpRequest.POST("/v1/model").withEntity(ContentTypes.APPLICATION_JSON, "{}"))
                .assertStatusCode(StatusCodes.UNAUTHORIZED).assertHeaderExists("WWW-Authenticate", "Bearer realm=\"deepretrieval\"");
        route.run(HttpRequest.POST("/v1/model").withEntity(ContentTypes.APPLICATION_JSON, "{}")
                .addHeader(RawHeader.create("Authorization", "Bearer k"))).assertStatusCode(StatusCodes.OK);
    }
}
