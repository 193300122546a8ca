package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code ./deepretrieval train} while it trains: the batch in flight finishes, a checkpoint of its step is
 * written, the run says where it stopped and how to continue, and the process ends.
 */
class TrainStopTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void sigtermWhileTrainingCheckpointsTheStepAndSaysHowToContinue(@TempDir Path temp) throws Exception {
        Path out = temp.resolve("run");
        Process train = Launcher.command("train", "--steps", "50", "--out", out.toString(),
                "-Ddeepretrieval.train.validation.max-queries=4", "-Ddeepretrieval.cache-dir=" + temp.resolve("cache"))
                .redirectOutput(temp.resolve("stdout.txt").toFile()).start();
        var said = new ArrayList<String>();
        try (var stderr = new BufferedReader(new InputStreamReader(train.getErrorStream(), StandardCharsets.UTF_8))) {
            boolean signalled = false;
            for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
                said.add(line);
                if (!signalled && line.matches(".*\\] +\\d+/50 .*")) { // the progress bar: a step is done
                    // SIGTERM by kill(1): Process.destroy() would also close the streams this test reads (the launcher
                    // execs the JVM, so the pid is the JVM's)
                    assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(train.pid())).start().waitFor());
                    signalled = true;
                }
            }
            assertTrue(signalled, "training made a step: " + said);
        }
        assertTrue(train.waitFor(2, TimeUnit.MINUTES), "the process ended");
        String stopped = said.stream().filter(l -> l.startsWith("stopped at step ")).findFirst().orElse("");
        assertTrue(stopped.endsWith(" with a checkpoint; continue with --resume"), String.join("\n", said));
        int step = Integer.parseInt(stopped.substring("stopped at step ".length()).split(" ")[0]);
        assertTrue(step >= 1 && step < 50, stopped);
        assertTrue(Files.isDirectory(out.resolve("checkpoints").resolve(String.format("step-%08d", step))),
                "the stop's checkpoint of step " + step);
        assertEquals(List.of(), said.stream().filter(l -> l.startsWith("deepretrieval: error")).toList());
    }
}
