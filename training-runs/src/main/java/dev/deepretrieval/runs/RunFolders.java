package dev.deepretrieval.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import dev.deepretrieval.tasks.InvalidTaskRequest;

/** Output folders of training runs: refuse to overwrite a run unless resuming, and write JSON atomically. */
public final class RunFolders {

    private RunFolders() {}

    /**
     * Creates {@code folder}; a folder that already holds checkpoints is only accepted with {@code --resume}, and
     * {@code --resume} needs one.
     */
    public static void prepare(Path folder, Path checkpoints, boolean resume) throws IOException {
        boolean hasRun = Files.isDirectory(checkpoints) && !isEmpty(checkpoints);
        if (hasRun && !resume) {
            throw new InvalidTaskRequest("out", folder + " already holds a run; continue it with --resume or choose"
                    + " another folder");
        }
        if (!hasRun && resume) {
            throw new InvalidTaskRequest("resume", folder + " holds no checkpoint to resume from");
        }
        Files.createDirectories(folder);
    }

    /** A new run's id: {@code run-} and 8 hex digits. */
    public static String newRunId() {
        return "run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Whether {@code id} can name a run's folder: letters, digits, '.', '_' and '-', starting with a letter or digit
     * (so never {@code ..} nor a path).
     */
    public static boolean isRunId(String id) {
        return id.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }
}
