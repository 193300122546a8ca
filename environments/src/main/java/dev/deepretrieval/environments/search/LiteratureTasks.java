package dev.deepretrieval.environments.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.beir.DatasetFiles;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import dev.deepretrieval.io.JsonMapping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Reads PICO task files: JSON lines {@code {"id", "P", "I", "C", "O", "included": [ids], "review_date"?: "YYYY/MM/DD",
 * "split"?: "train"|"test"}}. A task without included studies cannot be scored and is left out (counted).
 */
public final class LiteratureTasks {

    private static final ObjectMapper JSON = JsonMapping.mapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");

    /** The tasks read, and the splits of the lines left out for having no included studies. */
    public record Loaded(List<LiteratureTask> tasks, List<Optional<String>> skippedSplits) {

        /** Lines left out for having no included studies. */
        public int withoutIncluded() {
            return skippedSplits.size();
        }

        /** The tasks (and left-out lines) of one split; a line without a split belongs to every split. */
        public Loaded inSplit(String split) {
            return new Loaded(tasks.stream().filter(t -> t.split().map(split::equals).orElse(true)).toList(),
                    skippedSplits.stream().filter(s -> s.map(split::equals).orElse(true)).toList());
        }
    }

    private LiteratureTasks() {}

    /** Whether {@code folder} holds a task file ({@code tasks.jsonl[.gz]}). */
    public static boolean isTaskFolder(Path folder) {
        return DatasetFiles.plainOrGzipped(folder.resolve("tasks.jsonl")).isPresent();
    }

    /** The tasks of {@code folder}'s task file whose {@code split} is {@code split} (all when empty). */
    public static Loaded read(Path folder, Optional<String> split) {
        Loaded all = read(folder);
        return split.map(all::inSplit).orElse(all);
    }

    /** Every task of {@code folder}'s task file. */
    public static Loaded read(Path folder) {
        Path file = DatasetFiles.plainOrGzipped(folder.resolve("tasks.jsonl")).orElseThrow(() ->
                new DatasetFormatException(folder.resolve("tasks.jsonl"), 0, "missing (also looked for .gz)"));
        var tasks = new ArrayList<LiteratureTask>();
        var skipped = new ArrayList<Optional<String>>();
        try (BufferedReader reader = DatasetFiles.open(file)) {
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
                Optional<String> split = node.hasNonNull("split") ? Optional.of(node.get("split").asText()) : Optional.empty();
                String id = text(node, "id", file, number);
                var included = new LinkedHashSet<String>();
                JsonNode ids = node.path("included");
                if (!ids.isArray()) {
                    throw new DatasetFormatException(file, number, "\"included\" must be an array of ids");
                }
                ids.forEach(i -> included.add(i.asText()));
                if (included.isEmpty()) {
                    skipped.add(split);
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
                        node.path("C").asText(""), node.path("O").asText(""), included, date, split));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new Loaded(List.copyOf(tasks), List.copyOf(skipped));
    }

    private static String text(JsonNode node, String field, Path file, int line) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new DatasetFormatException(file, line, "\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }
}
