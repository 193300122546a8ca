package dev.deepretrieval.environments.lucene;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.io.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A "flat" BM25 index of a BEIR corpus, as Anserini builds for its BEIR regressions: one {@code contents} field
 * holding title and text, analysed by {@link PorterEnglishAnalyzer}, plus the stored collection id.
 *
 * <p>Built once and cached under {@code <cacheRoot>/bm25/<dataset>-<fingerprint>}; the fingerprint covers the corpus
 * bytes and the analysis chain, so a changed corpus gets a fresh index and stale ones are removed. A build writes to
 * a temporary folder that is renamed into place only when complete, so an interrupted build leaves no half index.
 * The index is sorted by collection id (Lucene index sorting on a doc-values copy of the id), so Lucene's own tie
 * break, ascending document number, is ascending collection id: the order Anserini's searcher gives ties, also for
 * which tied documents make the cut at the k-th hit. BM25's k1 and b act only at search time, so one index serves
 * every setting.
 */
public final class FlatBm25Index implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(FlatBm25Index.class);

    public static final String ID_FIELD = "id";
    public static final String CONTENTS_FIELD = "contents";
    private static final String COMPLETE_MARKER = "COMPLETE";

    private final Path directory;
    private final Directory luceneDirectory;
    private final DirectoryReader reader;
    private final String[] collectionIds;

    private FlatBm25Index(Path directory) throws IOException {
        this.directory = directory;
        this.luceneDirectory = FSDirectory.open(directory);
        this.reader = DirectoryReader.open(luceneDirectory);
        this.collectionIds = loadCollectionIds(reader);
    }

    /**
     * Opens the cached index of {@code dataset}, building it first when no cached index matches the corpus.
     *
     * @throws dev.deepretrieval.environments.beir.DatasetFormatException when the corpus is malformed
     */
    public static FlatBm25Index openOrBuild(BeirDataset dataset, Path cacheRoot, IndexBuildListener listener) {
        return openOrBuild(dataset.corpus(), cacheRoot, listener);
    }

    /** As {@link #openOrBuild(BeirDataset, Path, IndexBuildListener)} for any corpus file. */
    public static FlatBm25Index openOrBuild(Corpus dataset, Path cacheRoot, IndexBuildListener listener) {
        String fingerprint = CorpusFingerprint.of(dataset.file());
        String prefix = sanitise(dataset.name()) + "-";
        Path parent = cacheRoot.resolve("bm25");
        Path target = parent.resolve(prefix + fingerprint.substring(0, 16));
        try {
            Files.createDirectories(parent);
            if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                build(dataset, parent, target, fingerprint, listener);
            }
            removeStale(parent, prefix, target);
            FlatBm25Index index = new FlatBm25Index(target);
            listener.opened(dataset.name(), index.documentCount());
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build or open the BM25 index in " + target, e);
        }
    }

    private static void build(Corpus dataset, Path parent, Path target, String fingerprint,
            IndexBuildListener listener) throws IOException {
        listener.started(dataset.name());
        LOG.info("building BM25 index of {} from {} into {}", dataset.name(), dataset.file(), target);
        long start = System.nanoTime();
        Path temporary = Files.createTempDirectory(parent, ".building-");
        int[] counts = new int[2]; // indexed, skipped
        try {
            var config = new IndexWriterConfig(new PorterEnglishAnalyzer())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                    .setSimilarity(new BM25Similarity())
                    .setRAMBufferSizeMB(256)
                    .setMergePolicy(new LogByteSizeMergePolicy())
                    .setIndexSort(new Sort(new SortField(ID_FIELD, SortField.Type.STRING)));
            try (Directory dir = FSDirectory.open(temporary); IndexWriter writer = new IndexWriter(dir, config)) {
                var document = new Document();
                var id = new StringField(ID_FIELD, "", Field.Store.YES);
                var sortId = new SortedDocValuesField(ID_FIELD, new BytesRef());
                var contents = new TextField(CONTENTS_FIELD, "", Field.Store.NO);
                document.add(id);
                document.add(sortId);
                document.add(contents);
                dataset.forEachDocument(doc -> {
                    String text = doc.flatContents();
                    if (text.isBlank()) {
                        counts[1]++; // like Anserini: an empty document cannot match and is not indexed
                        return;
                    }
                    id.setStringValue(doc.id());
                    sortId.setBytesValue(new BytesRef(doc.id()));
                    contents.setStringValue(text);
                    try {
                        writer.addDocument(document);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (++counts[0] % 10_000 == 0) {
                        listener.progress(dataset.name(), counts[0]);
                    }
                });
                writer.forceMerge(1);
                writer.commit();
            }
            Files.writeString(temporary.resolve("FINGERPRINT"), fingerprint + "\n", StandardCharsets.UTF_8);
            Files.writeString(temporary.resolve(COMPLETE_MARKER), "documents=" + counts[0] + "\n", StandardCharsets.UTF_8);
            // another process may have finished the same build first: its index is identical
            AtomicFiles.publishFolderIfAbsent(temporary, target);
        } finally {
            AtomicFiles.deleteTree(temporary);
        }
        listener.finished(dataset.name(), counts[0], counts[1], (System.nanoTime() - start) / 1_000_000);
    }

    private static void removeStale(Path parent, String prefix, Path keep) throws IOException {
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(prefix) && !entry.equals(keep)
                        && name.substring(prefix.length()).matches("[0-9a-f]{16}")) {
                    LOG.info("removing stale BM25 index {}", entry);
                    AtomicFiles.deleteTree(entry);
                }
            }
        }
    }

    private static String sanitise(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.isEmpty() ? "dataset" : cleaned;
    }

    private static String[] loadCollectionIds(DirectoryReader reader) throws IOException {
        String[] ids = new String[reader.maxDoc()];
        for (LeafReaderContext leaf : reader.leaves()) {
            StoredFields stored = leaf.reader().storedFields();
            for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
                ids[leaf.docBase + doc] = stored.document(doc).get(ID_FIELD);
            }
        }
        return ids;
    }

    /** A searcher with the given BM25 parameters; searchers are cheap, thread-safe and share this index. */
    public Bm25Searcher searcher(Bm25Parameters parameters, int maxQueryClauses) {
        return new Bm25Searcher(reader, collectionIds, parameters, maxQueryClauses);
    }

    /** Number of indexed documents (corpus documents with text). */
    public int documentCount() {
        return reader.numDocs();
    }

    /** The cache folder this index lives in. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        reader.close();
        luceneDirectory.close();
    }
}
