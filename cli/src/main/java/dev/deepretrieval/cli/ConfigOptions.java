package dev.deepretrieval.cli;

import com.typesafe.config.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option every command takes, and the configuration it leads to. */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "A HOCON file whose settings override application.conf (-D and CONFIG_FORCE_ env vars override both).")
    Path configFile;

    /** The resolved configuration: -D, then environment, then {@code --config}, then application.conf. */
    public Config load() {
        return ConfigLoader.load(configFile);
    }
}
