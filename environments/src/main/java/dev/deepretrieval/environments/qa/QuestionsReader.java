package dev.deepretrieval.environments.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import dev.deepretrieval.io.JsonMapping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads questions with answers: JSON lines ({@code id}, {@code question}, {@code answers} as a list of strings), or
 * DPR/Pyserini topic files ({@code question<TAB>['answer', "answer"]}, a Python list literal, fields possibly
 * CSV-quoted; the line number is the id). Plain or gzipped. Bad lines fail with file, line and reason.
 */
public final class QuestionsReader {

    private static final ObjectMapper MAPPER = JsonMapping.mapper();

    private QuestionsReader() {}

    public static List<QaQuestion> read(Path file) {
        boolean json = file.getFileName().toString().matches(".*\\.jsonl(\\.gz)?$");
        var questions = new ArrayList<QaQuestion>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                questions.add(json ? fromJson(file, number, line) : fromTsv(file, number, line));
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, 0, "cannot read: " + e.getMessage(), e);
        }
        return questions;
    }

    private static QaQuestion fromJson(Path file, long number, String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new DatasetFormatException(file, number, "invalid JSON", e);
        }
        JsonNode answers = node.path("answers");
        if (!node.path("question").isTextual() || !answers.isArray()) {
            throw new DatasetFormatException(file, number, "needs \"question\" (string) and \"answers\" (list)");
        }
        var list = new ArrayList<String>();
        answers.forEach(a -> list.add(a.asText()));
        return new QaQuestion(node.path("id").asText(String.valueOf(number)), node.get("question").asText(), list);
    }

    private static QaQuestion fromTsv(Path file, long number, String line) {
        int tab = line.lastIndexOf('\t');
        if (tab < 0) {
            throw new DatasetFormatException(file, number, "expected question<TAB>[answers]");
        }
        try {
            return new QaQuestion(String.valueOf(number), csvField(line.substring(0, tab)),
                    pythonStrings(csvField(line.substring(tab + 1))));
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file, number, e.getMessage());
        }
    }

    /** Undoes CSV quoting (the topics are written by Python's csv module): {@code "a ""b"""} → {@code a "b"}. */
    static String csvField(String field) {
        if (field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")) {
            return field.substring(1, field.length() - 1).replace("\"\"", "\"");
        }
        return field;
    }

    /** Parses a Python list of string literals, e.g. {@code ['a', "b's"]}. */
    static List<String> pythonStrings(String text) {
        String s = text.strip();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new IllegalArgumentException("answers must be a Python list, got " + s);
        }
        var out = new ArrayList<String>();
        int i = 1;
        while (i < s.length() - 1) {
            char c = s.charAt(i);
            if (c == ' ' || c == ',') {
                i++;
                continue;
            }
            if (c != '\'' && c != '"') {
                throw new IllegalArgumentException("unexpected '" + c + "' in answer list at " + i);
            }
            var value = new StringBuilder();
            i++;
            while (i < s.length() - 1 && s.charAt(i) != c) {
                if (s.charAt(i) == '\\' && i + 1 < s.length() - 1) {
                    i++;
                }
                value.append(s.charAt(i));
                i++;
            }
            if (i >= s.length() - 1) {
                throw new IllegalArgumentException("unterminated answer string");
            }
            out.add(value.toString());
            i++;
        }
        return out;
    }
}
