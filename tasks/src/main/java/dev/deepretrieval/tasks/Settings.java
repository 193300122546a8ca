package dev.deepretrieval.tasks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Typed reads of configuration values, turning invalid values into errors that name the setting and its origin. */
public final class Settings {

    private final Config config;

    public Settings(Config config) {
        this.config = config;
    }

    public Config raw() {
        return config;
    }

    public int positiveInt(String path) {
        int value = config.getInt(path);
        if (value < 1) {
            throw bad(path, "must be >= 1, got " + value);
        }
        return value;
    }

    public double number(String path) {
        return config.getDouble(path);
    }

    public boolean flag(String path) {
        return config.getBoolean(path);
    }

    public String text(String path) {
        return config.getString(path);
    }

    public List<String> texts(String path) {
        return config.getStringList(path);
    }

    public List<Integer> positiveInts(String path) {
        List<Integer> values = config.getIntList(path);
        if (values.isEmpty() || values.stream().anyMatch(v -> v < 1)) {
            throw bad(path, "must be a non-empty list of integers >= 1, got " + values);
        }
        return values;
    }

    public Path path(String path) {
        return Path.of(config.getString(path));
    }

    /** Parses a value with {@code parser}; its IllegalArgumentException becomes a config error naming the setting. */
    public <T> T parsed(String path, Function<String, T> parser) {
        String value = config.getString(path);
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw bad(path, e.getMessage());
        }
    }

    public ConfigException bad(String path, String reason) {
        var origin = config.hasPath(path) ? config.getValue(path).origin() : config.origin();
        return new ConfigException.BadValue(origin, path, reason);
    }
}
