package dev.deepretrieval.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.tasks.InvalidTaskRequest;
import dev.deepretrieval.tasks.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run manager's protocol: refusals, unknown runs, a request a task family refuses, and a stop with no runs. */
class RunManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "deepretrieval.run-dispatcher { type = Dispatcher, executor = thread-pool-executor,"
                    + " thread-pool-executor.fixed-pool-size = 1 }"));

    @AfterAll
    static void close() {
        testKit.shutdownTestKit();
    }

    /** The project's configuration, with the cache under {@code temp}. */
    private static Settings settings(Path temp) {
        Path home = Path.of("..").toAbsolutePath().normalize();
        return new Settings(ConfigFactory.parseMap(java.util.Map.of("deepretrieval.home", home.toString(),
                        "deepretrieval.cache-dir", temp.resolve("cache").toString()))
                .withFallback(ConfigFactory.parseFile(home.resolve("application.conf").toFile()))
                .resolve());
    }

    @Test
    void unknownRunsAreRefusedAndAStopWithNothingRunningAnswersAtOnce() {
        var manager = testKit.spawn(RunManager.create(1));
        TestProbe<Boolean> answers = testKit.createTestProbe();
        for (RunManager.Action action : RunManager.Action.values()) {
            manager.tell(new RunManager.Control("run-none", action, answers.getRef()));
            assertEquals(false, answers.receiveMessage(WAIT), action.name());
        }
        TestProbe<RunManager.RunEvent> events = testKit.createTestProbe();
        manager.tell(new RunManager.Subscribe("run-none", events.getRef()));
        var unknown = (RunManager.RunEnded) events.receiveMessage(WAIT);
        assertEquals("unknown", unknown.state());
        TestProbe<Optional<RunManager.RunStatus>> status = testKit.createTestProbe();
        manager.tell(new RunManager.GetStatus("run-none", status.getRef()));
        assertEquals(Optional.empty(), status.receiveMessage(WAIT));
        TestProbe<Done> stopped = testKit.createTestProbe();
        manager.tell(new RunManager.StopAll(stopped.getRef()));
        stopped.expectMessage(WAIT, Done.getInstance());
        assertThrows(IllegalArgumentException.class, () -> RunManager.create(0));
    }

    @Test
    void aRequestATaskFamilyRefusesEndsTheRunWithTheErrorNamingTheField(@TempDir Path temp) {
        var manager = testKit.spawn(RunManager.create(1));
        TestProbe<RunManager.RunEvent> events = testKit.createTestProbe();
        TestProbe<RunManager.StartReply> replies = testKit.createTestProbe();
        var request = new RunRequest("no-such-dataset", null, null, null, null, null, null, 1L, 0L,
                temp.resolve("run"), false, true, null, null);
        manager.tell(new RunManager.Start(request, settings(temp), Optional.of(events.getRef()), replies.getRef()));
        String id = ((RunManager.Started) replies.receiveMessage(WAIT)).id();
        assertTrue(id.startsWith("run-"), id);
        RunManager.RunEnded ended = events.fishForMessage(WAIT, event -> event instanceof RunManager.RunEnded
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).stream()
                .filter(RunManager.RunEnded.class::isInstance).map(RunManager.RunEnded.class::cast).findFirst()
                .orElseThrow();
        assertEquals("failed", ended.state());
        var error = assertInstanceOf(InvalidTaskRequest.class, ended.error().orElseThrow());
        assertEquals("task", error.field());
        // the failed run is listed with its state, and a second run may start (it is not active)
        TestProbe<List<RunManager.RunStatus>> list = testKit.createTestProbe();
        manager.tell(new RunManager.ListRuns(list.getRef()));
        RunManager.RunStatus listed = list.receiveMessage(WAIT).getFirst();
        assertEquals(id, listed.id());
        assertEquals("failed", listed.state());
        TestProbe<Boolean> answers = testKit.createTestProbe();
        manager.tell(new RunManager.Control(id, RunManager.Action.RESUME, answers.getRef()));
        assertEquals(false, answers.receiveMessage(WAIT), "a failed run is not resumed");
    }
}
