package dev.deepretrieval.environments.beir;

import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads qrels in BEIR's TSV layout ({@code query-id corpus-id score}, optional header) or the four-column TREC
 * layout ({@code qid iteration docid grade}); tabs or spaces separate the columns. A repeated (query, document)
 * pair is an error, since its grade would be ambiguous.
 */
public final class QrelsReader {

    private QrelsReader() {}

    public static Qrels read(Path file) {
        var byQuery = new LinkedHashMap<String, Map<String, Integer>>();
        BufferedReader reader = DatasetFiles.open(file);
        try {
            long number = 0;
            String line;
            while ((line = DatasetFiles.readLine(reader, file, number + 1)) != null) {
                number++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || (number == 1 && trimmed.startsWith("query-id"))) {
                    continue;
                }
                String[] columns = trimmed.split("\\s+");
                String queryId;
                String docId;
                String grade;
                if (columns.length == 3) {
                    queryId = columns[0];
                    docId = columns[1];
                    grade = columns[2];
                } else if (columns.length == 4) {
                    queryId = columns[0];
                    docId = columns[2];
                    grade = columns[3];
                } else {
                    throw new DatasetFormatException(
                            file, number, "expected 3 columns (query-id corpus-id score) or 4 (TREC), got "
                                    + columns.length);
                }
                int relevance;
                try {
                    relevance = Integer.parseInt(grade);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, number, "relevance grade '" + grade + "' is not an integer");
                }
                Integer previous = byQuery.computeIfAbsent(queryId, q -> new LinkedHashMap<>()).put(docId, relevance);
                if (previous != null) {
                    throw new DatasetFormatException(
                            file, number, "duplicate judgment for query " + queryId + " and document " + docId);
                }
            }
        } finally {
            DatasetFiles.close(reader);
        }
        return new Qrels(byQuery);
    }
}
