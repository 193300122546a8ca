package dev.deepretrieval.environments.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.BeirFolder;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.BeirDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlatBm25IndexTest {

    @TempDir
    Path dir;

    /** Records what the index did. */
    private static final class Events implements IndexBuildListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void started(String name) {
            seen.add("started");
        }

        @Override
        public void finished(String name, int documents, int skippedEmpty, long millis) {
            seen.add("finished " + documents + " skipped " + skippedEmpty);
        }

        @Override
        public void opened(String name, int documents) {
            seen.add("opened " + documents);
        }
    }

    private static final String QUERIES = "{\"_id\": \"q\", \"text\": \"q\"}\n";

    @Test
    void indexIsBuiltOnceThenReusedAndRebuiltWhenTheCorpusChanges() throws IOException {
        Path data = BeirFolder.write(dir.resolve("data"),
                BeirFolder.doc("a", "Title", "alpha") + BeirFolder.doc("b", "", ""), QUERIES, "q\ta\t1\n");
        Path cache = dir.resolve("cache");

        var first = new Events();
        Path firstDir;
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(BeirDataset.open("tiny", data), cache, first)) {
            firstDir = index.directory();
            assertEquals(1, index.documentCount());
        }
        assertEquals(List.of("started", "finished 1 skipped 1", "opened 1"), first.seen);

        var second = new Events();
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(BeirDataset.open("tiny", data), cache, second)) {
            assertEquals(firstDir, index.directory());
        }
        assertEquals(List.of("opened 1"), second.seen);

        BeirFolder.write(data, BeirFolder.doc("a", "Title", "alpha") + BeirFolder.doc("c", "", "gamma"), QUERIES, "q\ta\t1\n");
        var third = new Events();
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(BeirDataset.open("tiny", data), cache, third)) {
            assertNotEquals(firstDir, index.directory());
            assertEquals(2, index.documentCount());
            assertEquals(List.of("c"), index.searcher(Bm25Parameters.ANSERINI, 1024)
                    .search("gamma", QueryMode.BAG_OF_WORDS, 10).stream().map(Hit::docId).toList());
        }
        assertEquals(List.of("started", "finished 2 skipped 0", "opened 2"), third.seen);
        assertFalse(Files.exists(firstDir), "the stale index is removed");
        try (var entries = Files.list(cache.resolve("bm25"))) {
            assertEquals(1, entries.count(), "no temporary build folders are left behind");
        }
    }

    @Test
    void scoreTiesBreakByAscendingCollectionIdAsAnseriniDoes() throws IOException {
        Path data = BeirFolder.write(dir.resolve("ties"),
                BeirFolder.doc("z9", "", "same words here") + BeirFolder.doc("a1", "", "same words here")
                        + BeirFolder.doc("m5", "", "same words here"), QUERIES, "q\ta1\t1\n");
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(BeirDataset.open("ties", data), dir.resolve("cache"),
                IndexBuildListener.SILENT)) {
            List<Hit> hits = index.searcher(Bm25Parameters.ANSERINI, 1024).search("words", QueryMode.BAG_OF_WORDS, 10);
            // corpus order is z9, a1, m5; Anserini (and this index, sorted by id) ranks ties by ascending id
            assertEquals(List.of("a1", "m5", "z9"), hits.stream().map(Hit::docId).toList());
            assertEquals(hits.get(0).score(), hits.get(2).score());
        }
    }

    @Test
    void titleAndTextAreSearchedAsOneAnalysedField() throws IOException {
        try (FlatBm25Index index = SmallIndex.open(dir)) {
            Bm25Searcher searcher = index.searcher(Bm25Parameters.ANSERINI, 1024);
            // possessive, case and Porter stemming: "Cherry's" -> "cherri", "BANANAS" -> "banana"
            assertEquals(java.util.Set.of("d2", "d3"), SmallIndex.ids(searcher, "Cherry's", QueryMode.BAG_OF_WORDS));
            assertEquals(java.util.Set.of("d1", "d3"), SmallIndex.ids(searcher, "BANANAS", QueryMode.BAG_OF_WORDS));
            assertTrue(searcher.search("apple", QueryMode.BAG_OF_WORDS, 1).size() == 1);
        }
    }

    @Test
    void bm25ParametersAreValidated() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Bm25Parameters(-1f, 0.4f));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Bm25Parameters(0.9f, 1.5f));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Bm25Parameters(Float.NaN, 0.4f));
    }
}
