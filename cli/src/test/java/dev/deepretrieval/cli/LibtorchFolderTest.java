package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU path's mechanism, run here on CPU: PyTorch loaded from a libtorch folder (as a CUDA libtorch would be),
 * with the bundled native jar off the classpath. The CPU libtorch is unpacked from that jar into a folder and the
 * launcher is pointed at it with {@code DEEPRETRIEVAL_LIBTORCH}: {@code generate} gives the normal run's text token
 * for token, a training step completes, and DJL's fresh cache holds only its JNI glue (no libtorch of its own).
 */
class LibtorchFolderTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void generateAndATrainingStepRunFromALibtorchFolder(@TempDir Path work) throws Exception {
        Path libtorch = unpackCpuLibtorch(work.resolve("libtorch"));
        List<String> generate = List.of("generate", "--model", ROOT.resolve("../shared/models/stories260K/stories260K.bin")
                .normalize().toString(), "--greedy", "--max-tokens", "60");
        Run normal = launch(work.resolve("normal"), Map.of(), generate);
        Run fromFolder = launch(work.resolve("folder"), Map.of("DEEPRETRIEVAL_LIBTORCH", libtorch.toString()), generate);
        assertEquals(0, normal.exitCode(), normal.stderr());
        assertEquals(0, fromFolder.exitCode(), fromFolder.stderr());
        assertTrue(normal.stdout().startsWith("Once upon a time"), normal.stdout());
        assertEquals(normal.stdout(), fromFolder.stdout());
        try (Stream<Path> cached = Files.walk(work.resolve("folder").resolve("djl"))) {
            List<String> names = cached.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".so")).toList();
            assertEquals(1, names.size(), names.toString());
            assertTrue(names.getFirst().endsWith("libdjl_torch.so"), names.toString());
        }

        Path out = work.resolve("run");
        Run step = launch(work.resolve("folder"), Map.of("DEEPRETRIEVAL_LIBTORCH", libtorch.toString()),
                List.of("train", "--steps", "1", "--skip-heldout", "--out", out.toString(),
                        "-Ddeepretrieval.train.validation.max-queries=4", "-Ddeepretrieval.train.prompts-per-step=2"));
        assertEquals(0, step.exitCode(), step.stderr());
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(line -> line.contains("\"reward_mean\"")).count());
        assertFalse(Files.exists(work.resolve("folder").resolve("djl").resolve("pytorch").resolve("libtorch_cpu.so")));
    }

    private record Run(int exitCode, String stdout, String stderr) {}

    private static Run launch(Path home, Map<String, String> env, List<String> args) throws Exception {
        Files.createDirectories(home);
        var command = new java.util.ArrayList<String>();
        command.add(ROOT.resolve("deepretrieval").toString());
        command.addAll(args);
        var builder = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectOutput(home.resolve("stdout.txt").toFile())
                .redirectError(home.resolve("stderr.txt").toFile());
        builder.environment().put("DEEPRETRIEVAL_NO_BUILD", "1");
        builder.environment().put("DJL_CACHE_DIR", home.resolve("djl").toString());
        builder.environment().put("DEEPRETRIEVAL_CACHE_DIR", home.resolve("cache").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("DEEPRETRIEVAL_LIBTORCH");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(15, TimeUnit.MINUTES), "did not finish: " + args);
        return new Run(process.exitValue(), Files.readString(home.resolve("stdout.txt")),
                Files.readString(home.resolve("stderr.txt")));
    }

    /** The CPU libtorch out of the pytorch-native-cpu jar on the launcher's classpath, into {@code folder}. */
    private static Path unpackCpuLibtorch(Path folder) throws IOException {
        String classpath = Files.readString(ROOT.resolve("cli/target/runtime-classpath.txt")).strip();
        Path jar = Arrays.stream(classpath.split(":")).filter(p -> p.contains("/pytorch-native-cpu-")).map(Path::of)
                .findFirst().orElseThrow(() -> new AssertionError("no pytorch-native-cpu jar on " + classpath));
        Files.createDirectories(folder);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                if (!entry.isDirectory() && entry.getName().startsWith("pytorch/cpu/linux-x86_64/")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, folder.resolve(Path.of(entry.getName()).getFileName().toString()),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        assertTrue(Files.exists(folder.resolve("libtorch.so")));
        return folder;
    }
}
