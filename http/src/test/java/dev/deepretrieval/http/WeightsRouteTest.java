package dev.deepretrieval.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.runs.WeightFetcher;
import dev.deepretrieval.runs.WeightVersion;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights by version, out of band: a run's checkpoint published as a {@link WeightVersion}, its bytes served by
 * {@code GET /v1/runs/{id}/weights/{step}} on 127.0.0.1 and fetched by a {@link WeightFetcher} that keeps them only
 * when size and SHA-256 match; or read from a shared checkpoint store.
 */
class WeightsRouteTest {

    private static final String RUN = "run-weights";

    @Test
    void aVersionIsFetchedOverHttpOrFromASharedStoreAndCorruptBytesAreNotKept(@TempDir Path temp) throws Exception {
        Path runs = temp.resolve("runs");
        Path out = Files.createDirectories(runs.resolve(RUN).resolve("out"));
        Files.writeString(out.resolve("metrics.jsonl"), "{\"step\": 4}\n");
        Checkpoint checkpoint;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            var store = new CheckpointStore(out.resolve("checkpoints"), 2);
            store.write(4, Map.of("actor", Map.of("w", manager.arange(0f, 4096f).reshape(new Shape(64, 64))),
                    "critic", Map.of("v", manager.ones(new Shape(8)))), JsonNodeFactory.instance.objectNode()
                    .put("step", 4));
            checkpoint = store.validAt(4).orElseThrow();
        }
        Path actorFile = checkpoint.directory().resolve(WeightVersion.ACTOR_FILE);
        byte[] bytes = Files.readAllBytes(actorFile);

        Path home = Path.of("..").toAbsolutePath().normalize();
        var config = ConfigFactory.parseString("pekko.loglevel = WARNING\ndeepretrieval.home = \"" + home + "\"")
                .withFallback(ConfigFactory.parseFile(home.resolve("application.conf").toFile())
                        .withOnlyPath("deepretrieval")) // not its cluster serialisers: no cluster here
                .withFallback(ConfigFactory.defaultReference()).resolve();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "weights", config);
        try {
            var trainingRuns = new ManagedTrainingRuns(new Settings(config), runs, system);
            ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
                    .bind(new RunRoutes(trainingRuns, inner -> inner.get()).reads()).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + binding.localAddress().getPort() + "/v1/runs/" + RUN + "/weights/";
            WeightVersion published = WeightVersion.of(RUN, checkpoint, step -> URI.create(base + step));
            assertEquals(bytes.length, published.size());

            // over HTTP: the bytes as written, with their hash in the headers; fetched once, then kept
            HttpResponse<byte[]> served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + 4))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, served.statusCode());
            assertEquals(published.sha256(), served.headers().firstValue("X-Weights-SHA256").orElseThrow());
            assertEquals("\"" + published.sha256() + "\"", served.headers().firstValue("ETag").orElseThrow());
            assertArrayEquals(bytes, served.body());
            var fetcher = new WeightFetcher(temp.resolve("worker"), Duration.ofSeconds(30));
            Path fetched = fetcher.fetch(published);
            assertEquals(temp.resolve("worker").resolve(RUN).resolve("4").resolve(WeightVersion.ACTOR_FILE), fetched);
            assertArrayEquals(bytes, Files.readAllBytes(fetched));
            assertEquals(404, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + 5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "no checkpoint of step 5");

            // from a shared checkpoint store: the same version, the same bytes
            var shared = new WeightVersion(RUN, 4, actorFile.toUri(), published.sha256(), published.size());
            assertArrayEquals(bytes, Files.readAllBytes(new WeightFetcher(temp.resolve("other"),
                    Duration.ofSeconds(30)).fetch(shared)));

            // bytes that changed on the way (one flipped, same size): refused, nothing kept
            byte[] corrupt = bytes.clone();
            corrupt[corrupt.length - 1] ^= 1;
            Files.write(actorFile, corrupt);
            var third = new WeightFetcher(temp.resolve("third"), Duration.ofSeconds(30));
            IOException refused = assertThrows(IOException.class, () -> third.fetch(published));
            assertTrue(refused.getMessage().contains("not the published " + bytes.length + " bytes with "
                    + published.sha256()), refused.getMessage());
            assertFalse(Files.exists(temp.resolve("third").resolve(RUN).resolve("4").resolve(WeightVersion.ACTOR_FILE)));
            try (var left = Files.list(temp.resolve("third").resolve(RUN).resolve("4"))) {
                assertEquals(0, left.count(), "no partial file left behind");
            }
            assertThrows(IllegalArgumentException.class, () -> new WeightVersion("../up", 4, actorFile.toUri(),
                    published.sha256(), 1));
            binding.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
