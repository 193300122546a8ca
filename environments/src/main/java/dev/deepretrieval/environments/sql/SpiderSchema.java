package dev.deepretrieval.environments.sql;

import dev.deepretrieval.environments.beir.DatasetFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spider database's {@code schema.sql} (SpiderMan's MySQL dialect): the tables it creates, and the schema text the
 * prompt shows (the CREATE TABLE statements without the database prefix; the paper drops INSERT lines).
 */
public record SpiderSchema(String databaseId, List<TableSchema> tables, String promptText) {

    private static final Pattern CREATE = Pattern.compile(
            "CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?((?:`[^`]+`\\.)?`[^`]+`|\\w+)\\s*\\((.*?)\\)\\s*;",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern COLUMN = Pattern.compile("^`([^`]+)`\\s+(.+?)$", Pattern.DOTALL);
    /** A column's type: a name, optional arguments, optional UNSIGNED (the rest are constraints and defaults). */
    private static final Pattern TYPE = Pattern.compile("[A-Z]+(\\s+PRECISION)?(\\s*\\([^)]*\\))?(\\s+UNSIGNED)?");
    private static final Pattern KEY_COLUMNS = Pattern.compile("`([^`]+)`");

    public SpiderSchema {
        tables = List.copyOf(tables);
    }

    public static SpiderSchema read(String databaseId, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
        var tables = new ArrayList<TableSchema>();
        Matcher create = CREATE.matcher(text);
        while (create.find()) {
            String qualified = create.group(1);
            String name = unquote(qualified.contains("`.`") ? qualified.substring(qualified.indexOf("`.`") + 2) : qualified);
            tables.add(parseTable(file, lineOf(text, create.start()), name, create.group(2)));
        }
        if (tables.isEmpty()) {
            throw new DatasetFormatException(file, 1, "no CREATE TABLE statement");
        }
        return new SpiderSchema(databaseId, tables, promptText(text, databaseId));
    }

    public TableSchema table(String name) {
        for (TableSchema t : tables) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("database " + databaseId + " has no table " + name);
    }

    private static TableSchema parseTable(Path file, int line, String name, String body) {
        var columns = new ArrayList<TableSchema.Column>();
        List<String> primaryKey = List.of();
        for (String raw : splitTopLevel(body)) {
            String item = raw.strip();
            if (item.isEmpty()) {
                continue;
            }
            String upper = item.toUpperCase(Locale.ROOT);
            if (upper.startsWith("PRIMARY KEY")) {
                primaryKey = keyColumns(item);
            } else if (upper.startsWith("FOREIGN KEY") || upper.startsWith("INDEX") || upper.startsWith("KEY")
                    || upper.startsWith("UNIQUE") || upper.startsWith("CONSTRAINT")) {
                // relationships and indexes do not change query results; they are kept in the prompt text only
            } else {
                Matcher column = COLUMN.matcher(item);
                if (!column.matches()) {
                    throw new DatasetFormatException(file, line, "table " + name + ": cannot read column '" + item + "'");
                }
                String declaration = column.group(2).strip().toUpperCase(Locale.ROOT);
                Matcher type = TYPE.matcher(declaration);
                if (!type.lookingAt()) {
                    throw new DatasetFormatException(file, line, "table " + name + ": no type in '" + item + "'");
                }
                boolean notNull = declaration.matches("(?s).*\\bNOT\\s+NULL\\b.*");
                columns.add(new TableSchema.Column(column.group(1), type.group().replaceAll("\\s+", " "), notNull));
            }
        }
        if (columns.isEmpty()) {
            throw new DatasetFormatException(file, line, "table " + name + " has no columns");
        }
        return new TableSchema(name, columns, primaryKey);
    }

    /** Splits a table body on commas outside parentheses. */
    private static List<String> splitTopLevel(String body) {
        var parts = new ArrayList<String>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '`') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                parts.add(body.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(body.substring(start));
        return parts;
    }

    private static List<String> keyColumns(String item) {
        var names = new ArrayList<String>();
        Matcher m = KEY_COLUMNS.matcher(item.substring(0, item.indexOf(')') + 1));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String unquote(String name) {
        return name.startsWith("`") && name.endsWith("`") ? name.substring(1, name.length() - 1) : name;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The schema as the prompt shows it: comments, INSERT statements and the database prefix removed. */
    private static String promptText(String text, String databaseId) {
        var out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("--") || stripped.toLowerCase(Locale.ROOT).startsWith("insert")) {
                continue;
            }
            out.append(line.replace("`" + databaseId + "`.", "")).append('\n');
        }
        return out.toString().strip();
    }
}
