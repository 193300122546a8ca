package dev.deepretrieval.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the configuration in precedence order: system properties ({@code -Dkey=value}), environment overrides
 * ({@code CONFIG_FORCE_a_b_c}), the {@code --config} file, then {@code application.conf} at the project root
 * ({@code -Ddeepretrieval.home}, set by the launcher).
 */
final class ConfigLoader {

    private ConfigLoader() {}

    static Config load(Path overrideFile) {
        ConfigParseOptions required = ConfigParseOptions.defaults().setAllowMissing(false);
        Config layered = ConfigFactory.empty();
        if (overrideFile != null) {
            if (!Files.isRegularFile(overrideFile)) {
                throw new ConfigException.IO(ConfigOriginFactory.newSimple("--config " + overrideFile), "no such file");
            }
            layered = ConfigFactory.parseFile(overrideFile.toFile(), required);
        }
        Path home = Path.of(System.getProperty("deepretrieval.home", "."));
        Path rootConf = home.resolve("application.conf");
        if (!Files.isRegularFile(rootConf)) {
            throw new ConfigException.IO(ConfigOriginFactory.newSimple(rootConf.toAbsolutePath().normalize().toString()),
                    "application.conf not found (run through ./deepretrieval, or set -Ddeepretrieval.home)");
        }
        Config root = ConfigFactory.parseFile(rootConf.toFile(), required);
        // Parsed afresh on every load: ConfigFactory.systemProperties() caches the first snapshot.
        return ConfigFactory.parseProperties(System.getProperties(), ConfigParseOptions.defaults()
                        .setOriginDescription("system properties (-D)"))
                .withFallback(ConfigFactory.systemEnvironmentOverrides())
                .withFallback(layered)
                .withFallback(root)
                .resolve();
    }
}
