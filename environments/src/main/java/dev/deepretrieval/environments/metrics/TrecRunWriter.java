package dev.deepretrieval.environments.metrics;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a {@link TrecRun} as a TREC run file, {@code qid Q0 docid rank score tag}, one line per hit, queries in the
 * run's order, hits in the order {@code trec_eval} reads them.
 * The file is written next to its destination and renamed into place, so a reader never sees half a run.
 */
public final class TrecRunWriter {

    private TrecRunWriter() {}

    public static void write(Path file, TrecRun run, String tag) throws IOException {
        if (tag.isBlank() || tag.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("run tag must be one non-empty word, got '" + tag + "'");
        }
        AtomicFiles.write(file, stream -> {
            var out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            for (var entry : run.hitsByQuery().entrySet()) {
                int rank = 0;
                for (Hit hit : entry.getValue()) {
                    rank++;
                    out.write(entry.getKey() + " Q0 " + hit.docId() + " " + rank + " " + TrecRun.formatScore(hit) + " "
                            + tag + "\n");
                }
            }
            out.flush();
        });
    }
}
