package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.environments.sql.SpiderDatabases;
import dev.deepretrieval.environments.sql.SqlServer;
import dev.deepretrieval.environments.sql.SqlSettings;
import dev.deepretrieval.environments.sql.UnsafeSqlReaderException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The SQL environment's server and limits from {@code deepretrieval.sql}. */
public final class SqlSetup {

    private static final String PREFIX = "deepretrieval.sql.";

    private SqlSetup() {}

    public static SqlSettings settings(Settings settings) {
        try {
            return new SqlSettings(settings.raw().getDuration(PREFIX + "statement-timeout"),
                    settings.positiveInt(PREFIX + "row-cap"), settings.positiveInt(PREFIX + "max-connections"),
                    settings.flag(PREFIX + "order-sensitive"), settings.positiveInt(PREFIX + "cache-entries"));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX + "statement-timeout", e.getMessage());
        }
    }

    public static SqlServer server(Settings settings, String urlOverride) {
        String url = urlOverride != null ? urlOverride : settings.text(PREFIX + "url");
        try {
            String readerUrl = settings.text(PREFIX + "reader-url");
            return SqlServer.of(url, settings.text(PREFIX + "namespace-prefix"), settings.text(PREFIX + "reader-role"),
                    readerUrl.isBlank() ? Optional.empty() : Optional.of(readerUrl));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX + (e.getMessage().startsWith("reader role") ? "reader-role"
                    : e.getMessage().startsWith("the reader URL") ? "reader-url" : "url"), e.getMessage());
        }
    }

    /** Loads the dataset's databases, saying what it does to {@code progress}. */
    public static SpiderDatabases load(Settings settings, SpiderDataset dataset, SqlServer server, SqlSettings limits,
            Progress progress) {
        long start = System.nanoTime();
        progress.notice(String.format(Locale.ROOT, "loading %d databases of %s into %s...",
                dataset.databaseIds().size(), dataset.name(), server.describe()));
        SpiderDatabases databases;
        try {
            databases = SpiderDatabases.load(dataset, server, limits, report -> {
                if (!report.missingData().isEmpty()) {
                    progress.notice(String.format(Locale.ROOT, "  %s: no data for %s (left empty)", report.databaseId(),
                            report.missingData()));
                }
            });
        } catch (UnsafeSqlReaderException e) {
            throw settings.bad(PREFIX + (e.readerGiven() ? "reader-url" : "reader-role"), e.getMessage());
        }
        long rows = databases.reports().stream().mapToLong(r -> r.rows()).sum();
        progress.notice(String.format(Locale.ROOT, "loaded %,d rows in %.1f s", rows,
                Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000.0));
        return databases;
    }
}
