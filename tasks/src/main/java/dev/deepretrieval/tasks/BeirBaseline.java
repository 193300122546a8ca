package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.dense.EncoderSpec;
import dev.deepretrieval.environments.dense.SentenceEncoder;
import dev.deepretrieval.environments.dense.VectorIndex;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.metrics.RunEvaluation;
import dev.deepretrieval.environments.metrics.TrecRun;
import dev.deepretrieval.environments.metrics.TrecRunWriter;
import dev.deepretrieval.environments.retrieval.Bm25BatchSearch;
import dev.deepretrieval.environments.retrieval.RemoveQuery;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code eval} on a BEIR dataset: every query of a split through BM25 or a dense retriever, trec_eval's metrics. */
public final class BeirBaseline {

    /**
     * @param split the split's label, or which split validation was carved from
     * @param retriever {@code bm25} or {@code dense}
     * @param parameters BM25's k1 and b (BM25 only); mode its query parsing
     * @param encoder the dense encoder (dense only); index the dense index type
     * @param queries queries retrieved; seconds their retrieval (dense: with embedding)
     * @param significance with a policy: its rewrites against the original queries, per query on the first metric
     */
    public record Result(String dataset, String split, String retriever, Optional<Bm25Parameters> parameters,
            Optional<QueryMode> mode, Optional<EncoderSpec> encoder, String index, int hits, RunEvaluation evaluation,
            int queries, double seconds, Optional<Path> runFile, Optional<PolicyRewrites.Outcome> rewritten,
            Optional<SignificanceReport> significance) implements Baselines.Result {}

    private BeirBaseline() {}

    static Result evaluate(Settings settings, DatasetResolver.Resolved resolved, Baselines.Request request)
            throws Exception {
        RetrieverKind kind = InvalidTaskRequest.checked("retriever", () -> RetrieverKind.parse(request.retriever()));
        boolean validation = request.split().strip().equalsIgnoreCase("validation");
        Split split = validation ? settings.parsed("deepretrieval.train.split", Split::parse)
                : InvalidTaskRequest.checked("split", () -> Split.parse(request.split()));
        int hits = settings.positiveInt("deepretrieval.eval.hits");
        List<Metric> metrics = metrics(settings);
        boolean removeQuery = settings.flag("deepretrieval.eval.remove-query");
        BeirDataset data = BeirDataset.open(resolved.name(), resolved.folder());
        List<Query> originals = validation ? BeirTrainingProblem.validationQueries(settings, data)
                : data.queriesOf(split);
        Qrels judged = data.qrels(split).orElseThrow(() -> new InvalidTaskRequest("split",
                data.name() + " has no " + split.label() + " judgments"));
        Qrels qrels = validation ? judged.restrictedTo(originals.stream().map(Query::id).toList()) : judged;
        String splitName = validation ? "validation (1 in " + settings.positiveInt("deepretrieval.train.validation.one-in")
                + " of " + split.label() + ")" : split.label();
        Optional<PolicyRewrites.Outcome> rewritten = Optional.empty();
        if (request.rewriting().isPresent()) {
            rewritten = Optional.of(PolicyRewrites.rewrite(settings, request.rewriting().get(), resolved.name(), originals));
        }
        List<Query> queries = rewritten.map(PolicyRewrites.Outcome::retrievedQueries).orElse(originals);
        String tag = settings.text("deepretrieval.eval.run-tag");
        if (kind == RetrieverKind.DENSE) {
            EncoderSpec spec = DenseSetup.encoder(settings);
            try (SentenceEncoder encoder = new SentenceEncoder(spec)) {
                var embeddings = DenseSetup.embeddings(settings, data.corpus(), encoder, request.progress());
                try (VectorIndex index = DenseSetup.index(settings, embeddings)) {
                    long start = System.nanoTime();
                    TrecRun run = dense(settings, encoder, index, queries, hits, removeQuery);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    RunEvaluation evaluation = RunEvaluation.of(run.rankedIds(), qrels, metrics);
                    if (request.runFile().isPresent()) {
                        TrecRunWriter.write(request.runFile().get(), run, tag.replace("bm25", "dense"));
                    }
                    Optional<SignificanceReport> significance = rewritten.isEmpty() ? Optional.empty()
                            : Optional.of(againstOriginal(RunEvaluation.of(dense(settings, encoder, index, originals,
                                    hits, removeQuery).rankedIds(), qrels, metrics), evaluation, metrics));
                    return new Result(data.name(), splitName, "dense", Optional.empty(), Optional.empty(),
                            Optional.of(spec), settings.text("deepretrieval.dense.index"), hits, evaluation,
                            queries.size(), seconds, request.runFile(), rewritten, significance);
                }
            }
        }
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(data, settings.path("deepretrieval.cache-dir"),
                        request.progress());
                ExecutorService pool = Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads"))) {
            Bm25Searcher searcher = index.searcher(request.parameters(),
                    settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            var search = new Bm25BatchSearch(searcher, request.mode(), hits, removeQuery);
            long start = System.nanoTime();
            TrecRun run = TrecRun.of(search.run(queries, pool));
            double seconds = (System.nanoTime() - start) / 1e9;
            RunEvaluation evaluation = RunEvaluation.of(run.rankedIds(), qrels, metrics);
            if (request.runFile().isPresent()) {
                TrecRunWriter.write(request.runFile().get(), run, tag);
            }
            Optional<SignificanceReport> significance = rewritten.isEmpty() ? Optional.empty()
                    : Optional.of(againstOriginal(RunEvaluation.of(TrecRun.of(search.run(originals, pool)).rankedIds(),
                            qrels, metrics), evaluation, metrics));
            return new Result(data.name(), splitName, "bm25", Optional.of(request.parameters()),
                    Optional.of(request.mode()), Optional.empty(), "", hits, evaluation, queries.size(), seconds,
                    request.runFile(), rewritten, significance);
        }
    }

    private static TrecRun dense(Settings settings, SentenceEncoder encoder, VectorIndex index, List<Query> queries,
            int hits, boolean removeQuery) throws Exception {
        float[][] vectors = encoder.encodeQueries(queries.stream().map(Query::text).toList(),
                DenseSetup.batchSize(settings));
        var results = new LinkedHashMap<String, List<Hit>>();
        for (int i = 0; i < queries.size(); i++) {
            String qid = queries.get(i).id();
            results.put(qid, RemoveQuery.apply(removeQuery, qid, index.search(vectors[i], hits)));
        }
        return TrecRun.of(results);
    }

    /** The policy's rewrites against the original queries, per query on the first metric (paired tests). */
    private static SignificanceReport againstOriginal(RunEvaluation original, RunEvaluation policy, List<Metric> metrics) {
        String first = metrics.getFirst().label();
        var perQuery = new LinkedHashMap<String, Map<String, Double>>();
        perQuery.put("original", firstMetric(original, first));
        perQuery.put("policy", firstMetric(policy, first));
        return SignificanceReport.of(first, perQuery, 0);
    }

    private static Map<String, Double> firstMetric(RunEvaluation evaluation, String metric) {
        var values = new LinkedHashMap<String, Double>();
        evaluation.perQuery().forEach((qid, metricValues) -> values.put(qid, metricValues.get(metric)));
        return values;
    }

    private static List<Metric> metrics(Settings settings) {
        try {
            return Metric.parseAll(settings.texts("deepretrieval.eval.metrics"));
        } catch (IllegalArgumentException e) {
            throw settings.bad("deepretrieval.eval.metrics", e.getMessage());
        }
    }

}
