package dev.deepretrieval.environments.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads PICO task files: JSON lines {@code {"id", "P", "I", "C", "O", "included": [ids], "review_date"?: "YYYY/MM/DD",
 * "split"?: "train"|"test"}}. A task without included studies cannot be scored and is left out (counted).
 */
public final class LiteratureTasks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");

    /** The tasks read, and how many lines were left out for having no included studies. */
    public record Loaded(List<LiteratureTask> tasks, int withoutIncluded) {}

    private LiteratureTasks() {}

    /** Whether {@code folder} holds a task file ({@code tasks.jsonl[.gz]}). */
    public static boolean isTaskFolder(Path folder) {
        return Files.isRegularFile(folder.resolve("tasks.jsonl")) || Files.isRegularFile(folder.resolve("tasks.jsonl.gz"));
    }

    /** The tasks of {@code folder}'s task file whose {@code split} is {@code split} (any when empty or absent). */
    public static Loaded read(Path folder, Optional<String> split) {
        Path file = Files.isRegularFile(folder.resolve("tasks.jsonl")) ? folder.resolve("tasks.jsonl")
                : folder.resolve("tasks.jsonl.gz");
        var tasks = new ArrayList<LiteratureTask>();
        int without = 0;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new DatasetFormatException(file, number, "not JSON: " + e.getMessage());
                }
                if (split.isPresent() && node.has("split") && !node.path("split").asText().equals(split.get())) {
                    continue;
                }
                String id = text(node, "id", file, number);
                var included = new LinkedHashSet<String>();
                JsonNode ids = node.path("included");
                if (!ids.isArray()) {
                    throw new DatasetFormatException(file, number, "\"included\" must be an array of ids");
                }
                ids.forEach(i -> included.add(i.asText()));
                if (included.isEmpty()) {
                    without++;
                    continue;
                }
                Optional<LocalDate> date = Optional.empty();
                if (node.hasNonNull("review_date")) {
                    try {
                        date = Optional.of(LocalDate.parse(node.get("review_date").asText(), DATE));
                    } catch (DateTimeParseException e) {
                        throw new DatasetFormatException(file, number, "\"review_date\" must be YYYY/MM/DD");
                    }
                }
                tasks.add(new LiteratureTask(id, node.path("P").asText(""), node.path("I").asText(""),
                        node.path("C").asText(""), node.path("O").asText(""), included, date));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new Loaded(List.copyOf(tasks), without);
    }

    private static String text(JsonNode node, String field, Path file, int line) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new DatasetFormatException(file, line, "\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }
}
