package dev.deepretrieval.environments.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepretrieval.environments.BeirFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirDatasetTest {

    @TempDir
    Path dir;

    private static final String QUERIES = "{\"_id\": \"q1\", \"text\": \"first query\"}\n{\"_id\": \"q2\", \"text\": \"second\"}\n";

    @Test
    void readsCorpusQueriesAndGradedQrels() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "T1", "text one") + "\n" + "{\"_id\": 7, \"text\": \"no title\"}\n",
                QUERIES, "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t7\t0\nq2\td1\t1\n");
        BeirDataset dataset = BeirDataset.open("tiny", dir);
        var docs = new ArrayList<CorpusDocument>();
        dataset.forEachDocument(docs::add);
        assertEquals(List.of(new CorpusDocument("d1", "T1", "text one"), new CorpusDocument("7", "", "no title")), docs);
        assertEquals("T1 text one", docs.get(0).flatContents());
        assertEquals("no title", docs.get(1).flatContents());
        assertEquals(List.of(Split.TEST), dataset.splits());
        assertEquals(Map.of("d1", 2, "7", 0), dataset.qrels(Split.TEST).orElseThrow().judgments("q1"));
        assertEquals(List.of("q1", "q2"), dataset.queriesOf(Split.TEST).stream().map(Query::id).toList());
    }

    @Test
    void bundledSciFactHasTheBeirCounts() {
        BeirDataset scifact = BeirDataset.open("scifact", BeirFolder.bundledSciFact());
        assertEquals(1109, scifact.queries().size());
        assertEquals(300, scifact.queriesOf(Split.TEST).size());
        assertEquals(339, scifact.qrels(Split.TEST).orElseThrow().judgmentCount());
        assertEquals(809, scifact.queriesOf(Split.TRAIN).size());
        int[] docs = {0};
        scifact.forEachDocument(d -> docs[0]++);
        assertEquals(5183, docs[0]);
    }

    @Test
    void invalidJsonNamesFileAndLine() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a") + "{\"_id\": \"d2\", \"text\": \n", QUERIES, "q1\td1\t1\n");
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir).forEachDocument(d -> {}));
        assertEquals(2, e.line());
        assertEquals(dir.resolve("corpus.jsonl.gz"), e.file());
        assertEquals(true, e.getMessage().startsWith(dir.resolve("corpus.jsonl.gz") + ":2: invalid JSON"), e.getMessage());
    }

    @Test
    void missingTextFieldIsReported() throws IOException {
        BeirFolder.write(dir, "{\"_id\": \"d1\", \"title\": \"t\"}\n", QUERIES, "q1\td1\t1\n");
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir).forEachDocument(d -> {}));
        assertEquals(dir.resolve("corpus.jsonl.gz") + ":1: missing field \"text\"", e.getMessage());
    }

    @Test
    void duplicateDocumentIdIsReported() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a") + BeirFolder.doc("d1", "", "b"), QUERIES, "q1\td1\t1\n");
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir).forEachDocument(d -> {}));
        assertEquals(dir.resolve("corpus.jsonl.gz") + ":2: duplicate document id d1", e.getMessage());
    }

    @Test
    void nonIntegerGradeIsReportedWithItsLine() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a"), QUERIES, "query-id\tcorpus-id\tscore\nq1\td1\thigh\n");
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir));
        assertEquals(dir.resolve("qrels/test.tsv") + ":2: relevance grade 'high' is not an integer", e.getMessage());
    }

    @Test
    void wrongColumnCountAndDuplicateJudgmentAreReported() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a"), QUERIES, "q1\td1\n");
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir));
        assertEquals(1, e.line());
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a"), QUERIES, "q1 d1 1\nq1 0 d1 2\n");
        e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir));
        assertEquals(dir.resolve("qrels/test.tsv") + ":2: duplicate judgment for query q1 and document d1", e.getMessage());
    }

    @Test
    void invalidUtf8IsReported() throws IOException {
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a"), QUERIES, "q1\td1\t1\n");
        Files.write(dir.resolve("queries.jsonl"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir));
        assertEquals(dir.resolve("queries.jsonl") + ":1: not valid UTF-8", e.getMessage());
    }

    @Test
    void missingFilesAndUnknownQueriesAreReported() throws IOException {
        var e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir.resolve("absent")));
        assertEquals(0, e.line());
        BeirFolder.write(dir, BeirFolder.doc("d1", "", "a"), QUERIES, "q404\td1\t1\n");
        BeirDataset dataset = BeirDataset.open("x", dir);
        e = assertThrows(DatasetFormatException.class, () -> dataset.queriesOf(Split.TEST));
        assertEquals(dir.resolve("qrels/test.tsv") + ": query id q404 is not in queries.jsonl", e.getMessage());
        e = assertThrows(DatasetFormatException.class, () -> dataset.queriesOf(Split.TRAIN));
        assertEquals(dir.resolve("qrels/train.tsv") + ": split 'train' not found; available: [test]", e.getMessage());
        Files.delete(dir.resolve("corpus.jsonl.gz"));
        e = assertThrows(DatasetFormatException.class, () -> BeirDataset.open("x", dir));
        assertEquals(dir.resolve("corpus.jsonl") + ": missing (also looked for .gz)", e.getMessage());
    }
}
