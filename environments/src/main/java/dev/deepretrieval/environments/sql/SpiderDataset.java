package dev.deepretrieval.environments.sql;

import dev.deepretrieval.environments.beir.DatasetFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Spider-layout folder (SpiderMan's MySQL release): {@code databases/<db_id>/schema.sql},
 * {@code databases/<db_id>/data/<table>.csv[.gz]} and a question file {@code questions.csv[.gz]} (or SpiderMan's
 * {@code test_queries.csv}) with the columns {@code database,question,sql}.
 */
public record SpiderDataset(String name, Path root, List<SqlTask> questions) {

    private static final List<String> QUESTION_FILES = List.of("questions.csv", "questions.csv.gz",
            "test_queries.csv", "test_queries.csv.gz");

    public SpiderDataset {
        questions = List.copyOf(questions);
    }

    public static boolean isSpiderFolder(Path folder) {
        return Files.isDirectory(folder.resolve("databases")) && questionFile(folder).isPresent();
    }

    public static SpiderDataset open(String name, Path root) {
        Path file = questionFile(root).orElseThrow(() -> new DatasetFormatException(root.resolve("questions.csv"), 0,
                "missing (also looked for questions.csv.gz and test_queries.csv)"));
        CsvReader.Table table = CsvReader.read(file);
        int database = column(file, table, "database");
        int question = column(file, table, "question");
        int sql = column(file, table, "sql");
        var tasks = new ArrayList<SqlTask>();
        for (int i = 0; i < table.records().size(); i++) {
            List<String> record = table.records().get(i);
            String db = record.get(database).strip();
            if (!Files.isRegularFile(root.resolve("databases").resolve(db).resolve("schema.sql"))) {
                throw new DatasetFormatException(file, i + 2, "database " + db + " has no databases/" + db + "/schema.sql");
            }
            tasks.add(new SqlTask(db + "-" + i, db, record.get(question).strip(), record.get(sql).strip()));
        }
        return new SpiderDataset(name, root, tasks);
    }

    /** The databases the questions are asked of, in first-use order. */
    public List<String> databaseIds() {
        Set<String> ids = new LinkedHashSet<>();
        questions.forEach(q -> ids.add(q.databaseId()));
        return List.copyOf(ids);
    }

    public SpiderSchema schema(String databaseId) {
        return SpiderSchema.read(databaseId, root.resolve("databases").resolve(databaseId).resolve("schema.sql"));
    }

    public Path dataFolder(String databaseId) {
        return root.resolve("databases").resolve(databaseId).resolve("data");
    }

    private static Optional<Path> questionFile(Path folder) {
        return QUESTION_FILES.stream().map(folder::resolve).filter(Files::isRegularFile).findFirst();
    }

    private static int column(Path file, CsvReader.Table table, String name) {
        int index = table.header().indexOf(name);
        if (index < 0) {
            throw new DatasetFormatException(file, 1, "no '" + name + "' column (header: " + table.header() + ")");
        }
        return index;
    }
}
