package dev.deepretrieval.environments.sql;

import dev.deepretrieval.environments.beir.DatasetFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * RFC 4180 CSV ({@code .csv} or {@code .csv.gz}, strict UTF-8): comma-separated fields, double-quoted fields may hold
 * commas, newlines and doubled quotes. The first record is the header. Errors name the file and line.
 */
public final class CsvReader {

    private CsvReader() {}

    /** Header and records of a CSV file; every record must have the header's width. */
    public record Table(List<String> header, List<List<String>> records) {}

    public static Table read(Path file) {
        List<List<String>> all = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            parse(file, reader, all);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
        if (all.isEmpty()) {
            throw new DatasetFormatException(file, 1, "empty CSV file (no header)");
        }
        List<String> header = all.get(0);
        List<List<String>> records = all.subList(1, all.size());
        return new Table(List.copyOf(header), List.copyOf(records));
    }

    private static void parse(Path file, BufferedReader reader, List<List<String>> out) throws IOException {
        var field = new StringBuilder();
        var record = new ArrayList<String>();
        boolean quoted = false;
        boolean fieldStarted = false;
        int line = 1;
        int recordLine = 1;
        int c;
        while ((c = reader.read()) != -1) {
            char ch = (char) c;
            if (quoted) {
                if (ch == '"') {
                    reader.mark(1);
                    int next = reader.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next != -1) {
                            reader.reset();
                        }
                    }
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    field.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    if (fieldStarted && !field.isEmpty()) {
                        throw new DatasetFormatException(file, line, "a quote inside an unquoted field");
                    }
                    quoted = true;
                    fieldStarted = true;
                }
                case ',' -> {
                    record.add(field.toString());
                    field.setLength(0);
                    fieldStarted = false;
                }
                case '\r' -> { }
                case '\n' -> {
                    record.add(field.toString());
                    field.setLength(0);
                    fieldStarted = false;
                    addRecord(file, recordLine, record, out);
                    record = new ArrayList<>();
                    line++;
                    recordLine = line;
                }
                default -> {
                    field.append(ch);
                    fieldStarted = true;
                }
            }
        }
        if (quoted) {
            throw new DatasetFormatException(file, recordLine, "unterminated quoted field");
        }
        if (fieldStarted || !record.isEmpty()) {
            record.add(field.toString());
            addRecord(file, recordLine, record, out);
        }
    }

    private static void addRecord(Path file, int line, List<String> record, List<List<String>> out) {
        if (record.size() == 1 && record.get(0).isEmpty()) {
            return; // a blank line
        }
        if (!out.isEmpty() && record.size() != out.get(0).size()) {
            throw new DatasetFormatException(file, line, "has " + record.size() + " fields, the header has "
                    + out.get(0).size());
        }
        out.add(List.copyOf(record));
    }
}
