package dev.deepretrieval.environments.lucene;

import dev.deepretrieval.environments.BeirFolder;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.BeirDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** A six-document index for query-semantics tests. */
final class SmallIndex {

    static final String CORPUS = BeirFolder.doc("d1", "", "apple banana")
            + BeirFolder.doc("d2", "", "apple cherry")
            + BeirFolder.doc("d3", "", "banana cherry")
            + BeirFolder.doc("d4", "", "durian")
            + BeirFolder.doc("d5", "", "the quick brown fox")
            + BeirFolder.doc("d6", "", "brown quick fox");

    private SmallIndex() {}

    static FlatBm25Index open(Path dir) throws IOException {
        BeirDataset dataset = BeirDataset.open("small",
                BeirFolder.write(dir.resolve("data"), CORPUS, "{\"_id\": \"q\", \"text\": \"q\"}\n", "q\td1\t1\n"));
        return FlatBm25Index.openOrBuild(dataset, dir.resolve("cache"), IndexBuildListener.SILENT);
    }

    static Set<String> ids(Bm25Searcher searcher, String query, QueryMode mode) {
        var ids = new TreeSet<String>();
        for (Hit hit : searcher.search(query, mode, 100)) {
            ids.add(hit.docId());
        }
        return ids;
    }
}
