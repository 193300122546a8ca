package dev.deepretrieval.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A new run's id: {@code run-} and 8 hex digits. */
    static String newRunId() {
        return "run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }
}
