package dev.deepretrieval.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.runs.WeightVersion;
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
    void rolloutWorkTravelsAsCbor() throws Exception {
        TestProbe<RolloutChunk.Reply> probe = KIT.createTestProbe();
        var version = new WeightVersion("run-1", 4, java.net.URI.create("http://127.0.0.1:8080/v1/runs/run-1/weights/4"),
                "ab".repeat(32), 21_000_000);
        var generation = new RolloutChunk.Generation(Path.of("/models/default-policy"), "cpu", "scifact",
                Decoding.EXTRACTIVE, Credit.WORD, 6.0, 96, 32);
        var chunk = new RolloutChunk("run-1", 5, 1, 32, List.of(new RolloutPrompt("q7", "vitamin d and bone",
                "Rewrite: vitamin d and bone")), 2, 155, generation, Optional.of(version), probe.getRef());
        RolloutChunk read = roundTrip(chunk);
        assertEquals(List.of(chunk.runId(), chunk.batchId(), chunk.chunk(), chunk.firstIndex(), chunk.prompts(),
                chunk.samplesPerPrompt(), chunk.seed(), chunk.generation(), chunk.weights(), chunk.replyTo()),
                List.of(read.runId(), read.batchId(), read.chunk(), read.firstIndex(), read.prompts(),
                        read.samplesPerPrompt(), read.seed(), read.generation(), read.weights(), read.replyTo()));
        var initial = new RolloutChunk("run-1", 1, 0, 0, chunk.prompts(), 2, 31, generation, Optional.empty(),
                probe.getRef());
        assertEquals(0L, roundTrip(initial).version(), "no weights: the starting model's, version 0");

        var rollout = new Rollout(5, 33, "q7", new int[] {1, 2, 3}, new int[] {9, 8}, "<answer>{\"query\": \"vitamin\"}",
                4, new float[] {-0.5f, -1.25f}, new int[][] {{9, 7}, {8}},
                List.of(new Rollout.Counterfactual(9, "<answer>{\"query\": \"vitamin d\"}")));
        RolloutChunk.Generated back = roundTrip(new RolloutChunk.Generated(5, 1, rollout));
        Rollout r = back.rollout();
        assertEquals(List.of(5L, 33, "q7", rollout.completion(), 4L, rollout.counterfactuals()),
                List.of(r.batchId(), r.index(), r.promptId(), r.completion(), r.policyVersion(), r.counterfactuals()));
        assertArrayEquals(rollout.promptTokens(), r.promptTokens());
        assertArrayEquals(rollout.responseTokens(), r.responseTokens());
        assertArrayEquals(rollout.logProbs(), r.logProbs());
        assertArrayEquals(rollout.allowedTokens(), r.allowedTokens());
        var done = new RolloutChunk.Done(5, 1, 2, 1.5, "pekko://deepretrieval@127.0.0.1:2552");
        assertEquals(done, roundTrip(done));
        var failed = new RolloutChunk.Failed(5, 1, "no such model");
        assertEquals(failed, roundTrip(failed));
        assertEquals(new RolloutWorkManager.Submit(chunk).chunk().runId(),
                this.<RolloutWorkManager.Submit>roundTrip(new RolloutWorkManager.Submit(chunk)).chunk().runId());
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
    private <T> T roundTrip(T message) throws Exception {
        Serialization serialization = SerializationExtension.get(KIT.system().classicSystem());
        var serializer = serialization.findSerializerFor(message);
        assertEquals("JacksonCborSerializer", serializer.getClass().getSimpleName(), "bound to CBOR");
        byte[] bytes = serialization.serialize(message).get();
        assertEquals(false, new String(bytes, StandardCharsets.ISO_8859_1).contains("\"batchId\""), "binary, not JSON text");
        String manifest = Serializers.manifestFor(serializer, message);
        return (T) serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }
}
