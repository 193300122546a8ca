package dev.deepretrieval.environments;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small BEIR folders for tests. */
public final class BeirFolder {

    private BeirFolder() {}

    /** Writes corpus.jsonl.gz, queries.jsonl and qrels/test.tsv under {@code root}. */
    public static Path write(Path root, String corpusLines, String queryLines, String testQrels) throws IOException {
        Files.createDirectories(root.resolve("qrels"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(root.resolve("corpus.jsonl.gz")))) {
            out.write(corpusLines.getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(root.resolve("queries.jsonl"), queryLines);
        Files.writeString(root.resolve("qrels/test.tsv"), testQrels);
        return root;
    }

    /** One corpus line. */
    public static String doc(String id, String title, String text) {
        return "{\"_id\": \"" + id + "\", \"title\": \"" + title + "\", \"text\": \"" + text + "\"}\n";
    }

    /** A path to the bundled SciFact copy, from a module's working directory. */
    public static Path bundledSciFact() {
        return Path.of("..", "data", "beir-scifact").toAbsolutePath().normalize();
    }

    /** A path to the shared data folder next to the project. */
    public static Path shared(String relative) {
        return Path.of("..", "..", "shared", "data").resolve(relative).toAbsolutePath().normalize();
    }
}
