package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process is killed (SIGKILL) after its third checkpoint; a new one resumes from disk and its next update
 * has the same loss as an uninterrupted run's. A corrupt newest checkpoint is reported and the previous one used.
 */
class CheckpointResumeTest {

    private static final int STEPS = 10;
    private static final List<Double> REFERENCE = new ArrayList<>();

    @TempDir
    static Path referenceDir;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        try (GrpoRun run = new GrpoRun(referenceDir)) {
            for (int i = 0; i < STEPS; i++) {
                REFERENCE.add(run.update());
            }
        }
    }

    @Test
    void killedRunResumesWithTheSameNextUpdate(@TempDir Path dir) throws Exception {
        killAfterCheckpoint(dir, 3);
        try (GrpoRun resumed = new GrpoRun(dir)) {
            long step = resumed.step();
            assertTrue(step >= 3 && step < STEPS, "resumed at step " + step);
            assertEquals(REFERENCE.get((int) step), resumed.update(), 1e-6, "update " + step + " after resume");
            assertEquals(REFERENCE.get((int) step + 1), resumed.update(), 1e-6, "and the one after");
        }
    }

    @Test
    void corruptNewestCheckpointIsReportedAndThePreviousOneUsed(@TempDir Path dir) throws Exception {
        killAfterCheckpoint(dir, 3);
        List<Path> checkpoints = new dev.deepretrieval.policy.checkpoint.CheckpointStore(dir, 3).checkpointsNewestFirst();
        assertTrue(checkpoints.size() >= 2 && checkpoints.size() <= 3, "keeps the last 3: " + checkpoints);
        Path newest = checkpoints.get(0);
        try (RandomAccessFile file = new RandomAccessFile(newest.resolve("actor.safetensors").toFile(), "rw")) {
            file.setLength(file.length() - 100); // truncated, as by a disk-full write outside our atomic rename
        }
        try (GrpoRun resumed = new GrpoRun(dir)) {
            assertEquals(1, resumed.skipped().size());
            assertTrue(resumed.skipped().get(0).startsWith(newest.getFileName() + ": actor.safetensors has"),
                    resumed.skipped().get(0));
            long step = resumed.step();
            assertEquals(Long.parseLong(checkpoints.get(1).getFileName().toString().substring(5)), step);
            assertEquals(REFERENCE.get((int) step), resumed.update(), 1e-6);
        }
        // the resumed update rewrote the newest step; now tamper with a file without changing its size
        Path rewritten = new dev.deepretrieval.policy.checkpoint.CheckpointStore(dir, 3).checkpointsNewestFirst().get(0);
        String state = Files.readString(rewritten.resolve("state.json"));
        Files.writeString(rewritten.resolve("state.json"), state.replace("\"optimizer_steps\" : ", "\"optimizer_steps\" :-"));
        try (GrpoRun resumed = new GrpoRun(dir)) {
            assertEquals(List.of(rewritten.getFileName() + ": state.json fails its SHA-256 checksum (corrupt)"),
                    resumed.skipped());
        }
    }

    /** Starts the run in its own JVM and kills it with SIGKILL once it reports checkpoint {@code n}. */
    private static void killAfterCheckpoint(Path dir, int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "--add-modules",
                "jdk.incubator.vector",
                "--sun-misc-unsafe-memory-access=allow", "-Dai.djl.offline=true"));
        if (System.getProperty("DJL_CACHE_DIR") != null) {
            command.add("-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GrpoRun.class.getName(), dir.toString(),
                String.valueOf(STEPS)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("checkpointed " + n + " ")) {
                    process.destroyForcibly();
                    break;
                }
            }
        }
        process.waitFor();
        assertTrue(process.exitValue() != 0, "the run was killed, not finished");
    }
}
