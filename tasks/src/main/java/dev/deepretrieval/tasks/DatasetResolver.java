package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.BeirDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;

/** {@code --dataset}: a name from {@code deepretrieval.datasets}, or a path to any dataset folder. */
public final class DatasetResolver {

    private static final String NAMES = "deepretrieval.datasets";

    /** A resolved dataset folder and the name it goes by. */
    public record Resolved(String name, Path folder) {}

    private DatasetResolver() {}

    /** The dataset {@code nameOrPath} names; an {@link InvalidTaskRequest} on {@code field} when none. */
    public static Resolved resolve(Settings settings, String nameOrPath, String field) {
        return find(settings, nameOrPath).orElseThrow(() -> new InvalidTaskRequest(field, unknown(settings, nameOrPath)));
    }

    /** The dataset a name from config or a folder path names, if either. */
    public static Optional<Resolved> find(Settings settings, String nameOrPath) {
        boolean plainName = nameOrPath.matches("[A-Za-z0-9_-]+");
        if (plainName && settings.raw().hasPath(NAMES + "." + nameOrPath)) {
            return Optional.of(new Resolved(nameOrPath, settings.path(NAMES + "." + nameOrPath)));
        }
        Path folder = Path.of(nameOrPath);
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        Path normalised = folder.toAbsolutePath().normalize();
        return Optional.of(new Resolved(normalised.getFileName() == null ? "dataset" : normalised.getFileName().toString(),
                normalised));
    }

    /** Why {@code nameOrPath} names no dataset, listing the names there are. */
    public static String unknown(Settings settings, String nameOrPath) {
        return "'" + nameOrPath + "' is neither a dataset name (" + String.join(", ",
                new TreeSet<>(settings.raw().getConfig(NAMES).root().keySet())) + ") nor a folder";
    }

    public static BeirDataset open(Settings settings, String nameOrPath, String field) {
        Resolved resolved = resolve(settings, nameOrPath, field);
        return BeirDataset.open(resolved.name(), resolved.folder());
    }
}
