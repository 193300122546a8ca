package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Output folders of training runs: refuse to overwrite a run unless resuming, and write JSON atomically. */
final class RunFolders {

    private RunFolders() {}

    /**
     * Creates {@code folder}; a folder that already holds checkpoints is only accepted with {@code --resume}, and
     * {@code --resume} needs one.
     */
    static void prepare(Path folder, Path checkpoints, boolean resume, CommandSpec spec) throws IOException {
        boolean hasRun = Files.isDirectory(checkpoints) && !isEmpty(checkpoints);
        if (hasRun && !resume) {
            throw new ParameterException(spec.commandLine(), folder + " already holds a run; continue it with --resume"
                    + " or choose another --out");
        }
        if (!hasRun && resume) {
            throw new ParameterException(spec.commandLine(), "--resume: " + folder + " holds no checkpoint to resume from");
        }
        Files.createDirectories(folder);
    }

    static void writeJson(Path file, ObjectNode node) throws IOException {
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), node);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }
}
