package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.dense.DocumentEmbeddings;
import dev.deepretrieval.environments.dense.FlatVectorIndex;
import dev.deepretrieval.environments.dense.HnswVectorIndex;
import dev.deepretrieval.environments.dense.SentenceEncoder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Dense retrieval speed: documents and queries embedded per second, flat vs HNSW search, HNSW recall@100. */
@Command(name = "dense", mixinStandardHelpOptions = true,
        description = "Embeddings/s (documents and queries) and queries/s, flat vs HNSW, with HNSW recall@100 against"
                + " flat, on a dataset's cached document embeddings.",
        footer = ExitCode.HELP_FOOTER)
final class BenchDenseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--dataset", defaultValue = "scifact", paramLabel = "NAME|PATH",
            description = "Dataset (default: ${DEFAULT-VALUE}); its embeddings are computed first if not cached.")
    String dataset;

    @Option(names = "--documents", defaultValue = "256", paramLabel = "N",
            description = "Documents re-embedded to time document encoding (default: ${DEFAULT-VALUE}).")
    int documentSample;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        BeirDataset data = DatasetResolver.open(settings, dataset, "dataset");
        PrintWriter out = spec.commandLine().getOut();
        int batch = DenseSetup.batchSize(settings);
        try (SentenceEncoder encoder = new SentenceEncoder(DenseSetup.encoder(settings))) {
            DocumentEmbeddings embeddings = DenseSetup.embeddings(settings, data.corpus(), encoder, new ConsoleProgress(System.err));
            var sample = new ArrayList<String>();
            data.corpus().forEachDocument(d -> {
                if (sample.size() < documentSample) {
                    sample.add(d.flatContents());
                }
            });
            long t0 = System.nanoTime();
            encoder.encode(sample, batch, i -> {});
            double documentsPerSecond = sample.size() / ((System.nanoTime() - t0) / 1e9);
            List<String> queries = data.queries().values().stream().map(Query::text).toList();
            long t1 = System.nanoTime();
            float[][] vectors = encoder.encodeQueries(queries, batch);
            double queriesEmbeddedPerSecond = queries.size() / ((System.nanoTime() - t1) / 1e9);
            var flat = new FlatVectorIndex(embeddings);
            var flatResults = new ArrayList<List<Hit>>();
            long t2 = System.nanoTime();
            for (float[] v : vectors) {
                flatResults.add(flat.search(v, 100));
            }
            double flatQps = vectors.length / ((System.nanoTime() - t2) / 1e9);
            double hnswQps;
            double recall;
            long build = System.nanoTime();
            try (var hnsw = new HnswVectorIndex(embeddings, settings.path("deepretrieval.cache-dir").resolve("work"),
                    settings.positiveInt("deepretrieval.dense.hnsw.max-connections"),
                    settings.positiveInt("deepretrieval.dense.hnsw.beam-width"),
                    settings.positiveInt("deepretrieval.dense.hnsw.ef-search"))) {
                double buildSeconds = (System.nanoTime() - build) / 1e9;
                long t3 = System.nanoTime();
                var hnswResults = new ArrayList<List<Hit>>();
                for (float[] v : vectors) {
                    hnswResults.add(hnsw.search(v, 100));
                }
                hnswQps = vectors.length / ((System.nanoTime() - t3) / 1e9);
                long found = 0;
                long total = 0;
                for (int i = 0; i < vectors.length; i++) {
                    var exact = new HashSet<>(flatResults.get(i).stream().map(Hit::docId).toList());
                    total += exact.size();
                    found += hnswResults.get(i).stream().filter(h -> exact.contains(h.docId())).count();
                }
                recall = (double) found / total;
                out.printf(Locale.ROOT, "bench dense: %s, %s, %,d documents, %,d queries%n", data.name(),
                        encoder.spec().name(), embeddings.size(), queries.size());
                out.printf(Locale.ROOT, "documents embedded/s   %8.1f  (first %d documents, batch %d)%n",
                        documentsPerSecond, sample.size(), batch);
                out.printf(Locale.ROOT, "queries embedded/s     %8.1f%n", queriesEmbeddedPerSecond);
                out.printf(Locale.ROOT, "flat search q/s        %8.0f  (top 100, exact)%n", flatQps);
                out.printf(Locale.ROOT, "HNSW search q/s        %8.0f  (built in %.1f s; recall@100 vs flat %.4f)%n",
                        hnswQps, buildSeconds, recall);
                if (json) {
                    ObjectNode node = Json.object();
                    node.put("benchmark", "dense");
                    node.put("dataset", data.name());
                    node.put("documents_per_s", documentsPerSecond);
                    node.put("queries_embedded_per_s", queriesEmbeddedPerSecond);
                    node.put("flat_qps", flatQps);
                    node.put("hnsw_qps", hnswQps);
                    node.put("hnsw_recall_at_100", recall);
                    out.println(Json.line(node));
                }
                out.flush();
            }
        }
        return ExitCode.OK;
    }
}
