package dev.deepretrieval.environments.beir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A BEIR-layout folder: {@code corpus.jsonl[.gz]}, {@code queries.jsonl[.gz]} and {@code qrels/<split>.tsv[.gz]}.
 *
 * <p>Queries and qrels are read when the dataset is opened (they are small); the corpus is streamed on demand,
 * since it can be large and is usually read once to build an index.
 */
public final class BeirDataset {

    private final String name;
    private final Path root;
    private final Path corpusFile;
    private final Map<String, Query> queries;
    private final Map<Split, Qrels> qrels;

    private BeirDataset(String name, Path root, Path corpusFile, Map<String, Query> queries, Map<Split, Qrels> qrels) {
        this.name = name;
        this.root = root;
        this.corpusFile = corpusFile;
        this.queries = Collections.unmodifiableMap(queries);
        this.qrels = Collections.unmodifiableMap(qrels);
    }

    /**
     * Opens a BEIR folder and reads its queries and every qrels split present.
     *
     * @param name the dataset's name in logs and cache folders
     * @throws DatasetFormatException when a required file is missing or any line is malformed
     */
    public static BeirDataset open(String name, Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, 0, "not a dataset folder (expected corpus.jsonl, queries.jsonl, qrels/)");
        }
        Path corpus = Corpus.in(name, root, "corpus.jsonl").file();
        Path queryFile = DatasetFiles.plainOrGzipped(root.resolve("queries.jsonl"))
                .orElseThrow(() -> new DatasetFormatException(root.resolve("queries.jsonl"), 0, "missing (also looked for .gz)"));
        Map<String, Query> queries = readQueries(queryFile);
        Map<Split, Qrels> qrels = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            DatasetFiles.plainOrGzipped(root.resolve("qrels").resolve(split.fileName()))
                    .ifPresent(file -> qrels.put(split, QrelsReader.read(file)));
        }
        if (qrels.isEmpty()) {
            throw new DatasetFormatException(root.resolve("qrels"), 0, "no qrels found (expected train.tsv, dev.tsv or test.tsv)");
        }
        return new BeirDataset(name, root, corpus, queries, qrels);
    }

    private static Map<String, Query> readQueries(Path file) {
        var queries = new LinkedHashMap<String, Query>();
        JsonLines.forEach(file, line -> {
            String id = line.requiredText("_id");
            String text = line.requiredText("text");
            if (queries.put(id, new Query(id, text)) != null) {
                throw new DatasetFormatException(file, line.number(), "duplicate query id " + id);
            }
        });
        return queries;
    }

    public String name() {
        return name;
    }

    public Path root() {
        return root;
    }

    /** The corpus file as found on disk (plain or gzipped). */
    public Path corpusFile() {
        return corpusFile;
    }

    /** All queries by id, in file order. */
    public Map<String, Query> queries() {
        return queries;
    }

    /** The splits this folder has qrels for. */
    public List<Split> splits() {
        return List.copyOf(qrels.keySet());
    }

    /** The qrels of a split, if the folder has them. */
    public Optional<Qrels> qrels(Split split) {
        return Optional.ofNullable(qrels.get(split));
    }

    /**
     * The queries of a split: every query id in its qrels, in qrels order.
     *
     * @throws DatasetFormatException when the split is missing or its qrels name a query that queries.jsonl lacks
     */
    public List<Query> queriesOf(Split split) {
        Qrels judged = qrels(split).orElseThrow(() -> new DatasetFormatException(
                root.resolve("qrels").resolve(split.fileName()), 0, "split '" + split.label() + "' not found; available: "
                        + splits().stream().map(Split::label).toList()));
        var result = new ArrayList<Query>();
        for (String id : judged.queryIds()) {
            Query query = queries.get(id);
            if (query == null) {
                throw new DatasetFormatException(
                        root.resolve("qrels").resolve(split.fileName()), 0, "query id " + id + " is not in queries.jsonl");
            }
            result.add(query);
        }
        return result;
    }

    /** The corpus of this dataset. */
    public Corpus corpus() {
        return new Corpus(name, corpusFile);
    }

    /**
     * Streams the corpus in file order. Documents need {@code _id} and {@code text}; {@code title} is optional.
     *
     * @throws DatasetFormatException on a malformed line or a repeated document id
     */
    public void forEachDocument(Consumer<CorpusDocument> consumer) {
        corpus().forEachDocument(consumer);
    }
}
