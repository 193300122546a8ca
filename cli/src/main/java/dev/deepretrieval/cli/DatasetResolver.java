package dev.deepretrieval.cli;

import dev.deepretrieval.environments.beir.BeirDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code --dataset}: a name from {@code deepretrieval.datasets}, or a path to any dataset folder. */
final class DatasetResolver {

    private static final String NAMES = "deepretrieval.datasets";

    /** A resolved dataset folder and the name it goes by. */
    record Resolved(String name, Path folder) {}

    private DatasetResolver() {}

    static Resolved resolve(Settings settings, String nameOrPath, CommandSpec spec) {
        boolean plainName = nameOrPath.matches("[A-Za-z0-9_-]+");
        if (plainName && settings.raw().hasPath(NAMES + "." + nameOrPath)) {
            return new Resolved(nameOrPath, settings.path(NAMES + "." + nameOrPath));
        }
        Path folder = Path.of(nameOrPath);
        if (!Files.isDirectory(folder)) {
            throw new ParameterException(spec.commandLine(), "--dataset '" + nameOrPath
                    + "' is neither a dataset name (" + String.join(", ", new java.util.TreeSet<>(settings.raw().getConfig(NAMES).root().keySet()))
                    + ") nor a folder");
        }
        Path normalised = folder.toAbsolutePath().normalize();
        return new Resolved(normalised.getFileName() == null ? "dataset" : normalised.getFileName().toString(), normalised);
    }

    static BeirDataset open(Settings settings, String nameOrPath, CommandSpec spec) {
        Resolved resolved = resolve(settings, nameOrPath, spec);
        return BeirDataset.open(resolved.name(), resolved.folder());
    }
}
