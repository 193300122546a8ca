package dev.deepretrieval.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.runs.RunScoring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Messages between nodes, with the project's own serialization settings (application.conf): Jackson CBOR for every
 * cluster message, read back equal; Java serialization refused for anything else.
 */
class ClusterMessagesTest {

    private static final Config PROJECT = ConfigFactory.parseFile(Path.of("..", "application.conf").toFile())
            .withFallback(ConfigFactory.parseMap(Map.of("deepretrieval.home", Path.of("..").toAbsolutePath().toString())))
            .resolve();
    private static final ActorTestKit KIT = ActorTestKit.create("messages", PROJECT.withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void scoringMessagesTravelAsCbor() throws Exception {
        TestProbe<ScoringEntity.Reply> probe = KIT.createTestProbe();
        var target = new RunScoring.Target("run-1", "scifact", "scifact", "bm25", Path.of("/models/default-policy"),
                "cpu", 96);
        var score = new ScoringEntity.Score(7, 3, "q12", "<answer>{\"query\": \"vitamin d\"}</answer>",
                List.of("<answer>{\"query\": \"vitamin\"}</answer>"), target, probe.getRef());
        ScoringEntity.Score read = roundTrip(score);
        assertEquals(score, read);

        var scored = new ScoringEntity.Scored(7, 3, 0.75, true, Optional.of("vitamin d"), Map.of("ndcg@10", 0.5),
                new double[] {0.25, 1.0});
        ScoringEntity.Scored back = roundTrip(scored);
        assertEquals(List.of(7L, 3, 0.75, true, Optional.of("vitamin d"), Map.of("ndcg@10", 0.5)),
                List.of(back.batchId(), back.index(), back.reward(), back.formatValid(), back.query(), back.metrics()));
        assertArrayEquals(new double[] {0.25, 1.0}, back.counterfactualRewards());
        var failed = new ScoringEntity.Failed(7, 4, "timed out after 30000 ms", true);
        assertEquals(failed, roundTrip(failed));
    }

    @Test
    void javaSerializationIsOff() {
        Serialization serialization = SerializationExtension.get(KIT.system().classicSystem());
        record NotACluster(String text) implements java.io.Serializable {}
        assertThrows(org.apache.pekko.serialization.DisabledJavaSerializer.JavaSerializationException.class,
                () -> serialization.serializerFor(NotACluster.class)
                .toBinary(new NotACluster("x")));
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T message) throws Exception {
        Serialization serialization = SerializationExtension.get(KIT.system().classicSystem());
        var serializer = serialization.findSerializerFor(message);
        assertEquals("JacksonCborSerializer", serializer.getClass().getSimpleName(), "bound to CBOR");
        byte[] bytes = serialization.serialize(message).get();
        assertEquals(false, new String(bytes, StandardCharsets.ISO_8859_1).contains("\"batchId\""), "binary, not JSON text");
        String manifest = Serializers.manifestFor(serializer, message);
        return (T) serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }
}
