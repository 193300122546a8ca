package dev.deepretrieval.environments.beir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.function.Consumer;

/**
 * A document collection in a JSON-lines file ({@code _id}, {@code title} optional, {@code text}), plain or gzipped:
 * BEIR's {@code corpus.jsonl} and the QA passage collections share this layout.
 *
 * @param name the collection's name in logs and cache folders
 */
public record Corpus(String name, Path file) {

    /**
     * Streams the documents in file order.
     *
     * @throws DatasetFormatException on a malformed line, an empty id or a repeated id
     */
    public void forEachDocument(Consumer<CorpusDocument> consumer) {
        var seen = new HashSet<String>();
        JsonLines.forEach(file, line -> {
            String id = line.requiredText("_id");
            if (id.isEmpty()) {
                throw new DatasetFormatException(file, line.number(), "empty \"_id\"");
            }
            if (!seen.add(id)) {
                throw new DatasetFormatException(file, line.number(), "duplicate document id " + id);
            }
            consumer.accept(new CorpusDocument(id, line.optionalText("title"), line.requiredText("text")));
        });
    }

    /** The corpus file under {@code folder}: {@code <base>} or {@code <base>.gz}. */
    public static Corpus in(String name, Path folder, String base) {
        Path file = DatasetFiles.plainOrGzipped(folder.resolve(base))
                .orElseThrow(() -> new DatasetFormatException(folder.resolve(base), 0, "missing (also looked for .gz)"));
        return new Corpus(name, file);
    }
}
