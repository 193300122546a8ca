package dev.deepretrieval.environments.metrics;

import dev.deepretrieval.environments.Hit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a TREC run file, {@code qid Q0 docid rank score tag}, one line per hit, queries in the given order.
 * The file is written next to its destination and renamed into place, so a reader never sees half a run.
 */
public final class TrecRunWriter {

    private TrecRunWriter() {}

    public static void write(Path file, Map<String, List<Hit>> hitsByQuery, String tag) throws IOException {
        if (tag.isBlank() || tag.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("run tag must be one non-empty word, got '" + tag + "'");
        }
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temporary = Files.createTempFile(parent, "." + absolute.getFileName(), ".tmp");
        try {
            try (BufferedWriter out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                for (var entry : hitsByQuery.entrySet()) {
                    int rank = 0;
                    for (Hit hit : entry.getValue()) {
                        rank++;
                        out.write(String.format(Locale.ROOT, "%s Q0 %s %d %.6f %s%n",
                                entry.getKey(), hit.docId(), rank, hit.score(), tag));
                    }
                }
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
