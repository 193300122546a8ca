package dev.deepretrieval.cli;

import dev.deepretrieval.environments.beir.BeirDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --dataset}: a name from {@code deepretrieval.datasets}, or a path to any BEIR folder. */
final class DatasetResolver {

    private static final String NAMES = "deepretrieval.datasets";

    private DatasetResolver() {}

    static BeirDataset open(Settings settings, String nameOrPath, CommandSpec spec) {
        boolean plainName = nameOrPath.matches("[A-Za-z0-9_-]+");
        if (plainName && settings.raw().hasPath(NAMES + "." + nameOrPath)) {
            return BeirDataset.open(nameOrPath, settings.path(NAMES + "." + nameOrPath));
        }
        Path folder = Path.of(nameOrPath);
        if (!Files.isDirectory(folder)) {
            throw new ParameterException(spec.commandLine(), "--dataset '" + nameOrPath
                    + "' is neither a dataset name (" + String.join(", ", settings.raw().getConfig(NAMES).root().keySet())
                    + ") nor a folder");
        }
        Path normalised = folder.toAbsolutePath().normalize();
        String name = normalised.getFileName() == null ? "dataset" : normalised.getFileName().toString();
        return BeirDataset.open(name, normalised);
    }
}
