package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only {@code metrics.jsonl}, one JSON object per line with a {@code step}. Opening it for a resumed
 * run drops lines past the resumed step (they belong to work the checkpoint does not contain), so the file never
 * holds a step twice. Each line is flushed as it is written.
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper MAPPER = JsonMapping.mapper();

    private final BufferedWriter writer;

    private MetricsLog(BufferedWriter writer) {
        this.writer = writer;
    }

    /** Opens {@code file}, keeping the lines whose step is at most {@code resumedStep}. */
    public static MetricsLog open(Path file, long resumedStep) throws IOException {
        List<String> kept = new ArrayList<>();
        for (JsonNode line : read(file)) {
            if (line.path("step").asLong() <= resumedStep) {
                kept.add(line.toString());
            }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
    }

    /** Every parseable line of {@code file} (none when it does not exist); a torn last line is skipped. */
    public static List<JsonNode> read(Path file) throws IOException {
        var lines = new ArrayList<JsonNode>();
        if (!Files.exists(file)) {
            return lines;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(MAPPER.readTree(line));
            } catch (IOException torn) {
                // a line cut by a crash mid-write: it belongs to no complete step
            }
        }
        return lines;
    }

    public void write(ObjectNode line) {
        try {
            writer.write(line.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics", e);
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
