package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.BeirTrainingProblem;
import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.dense.DocumentEmbeddings;
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
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.qa.QaEvaluation;
import dev.deepretrieval.environments.qa.QaQuestion;
import dev.deepretrieval.environments.retrieval.Bm25BatchSearch;
import dev.deepretrieval.environments.retrieval.RemoveQuery;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.sql.SpiderDatabases;
import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.environments.sql.SqlEnvironment;
import dev.deepretrieval.environments.sql.SqlEvaluation;
import dev.deepretrieval.environments.sql.SqlSettings;
import dev.deepretrieval.environments.sql.SqlTask;
import dev.deepretrieval.rewriter.QueryRewriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The original-query baseline: every query of a split, unchanged, through the retriever. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Runs every query of a dataset split unchanged through the retriever (the \"original query\""
                + " baseline) and prints trec_eval-style metrics (averaged as trec_eval -c).",
        footer = {"%nExample: ./deepretrieval eval --dataset scifact --split test --json", ExitCode.HELP_FOOTER})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    Bm25Options bm25Options;

    @Option(names = "--dataset", required = true, paramLabel = "NAME|PATH",
            description = "A dataset name from deepretrieval.datasets (scifact is bundled) or a BEIR folder.")
    String dataset;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT",
            description = "train, dev, test, or validation: the queries training carves out of its split for validation"
                    + " (deepretrieval.train.validation; BEIR datasets), judged by that split's qrels (default:"
                    + " ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--retriever", defaultValue = "bm25", paramLabel = "NAME",
            description = "The retriever (default: ${DEFAULT-VALUE}; available: bm25, dense).")
    String retriever;

    @Option(names = "--run", paramLabel = "FILE",
            description = "Also write a TREC run file (qid Q0 docid rank score tag) with deepretrieval.eval.hits hits per query.")
    Path runFile;

    @Option(names = "--json", description = "Print the results as one JSON object on the last line of stdout.")
    boolean json;

    @Mixin
    PolicyRewriteOptions rewriting;

    @Mixin
    SearchOptions searchOptions;

    @Option(names = "--sql-url", paramLabel = "URL",
            description = "Text-to-SQL datasets: the R2DBC URL of the server to load and query (default from config:"
                    + " embedded H2), e.g. r2dbc:mariadb://root@127.0.0.1:3306/test.")
    String sqlUrl;

    /** The split as printed: its label, or which split validation was carved from. */
    private String splitName;

    @Override
    public Integer call() throws Exception {
        try {
            RetrieverKind.parse(retriever);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--retriever: " + e.getMessage());
        }
        Settings settings = new Settings(configOptions.load());
        boolean validation = split.strip().equalsIgnoreCase("validation");
        Split chosen;
        try {
            chosen = validation ? settings.parsed("deepretrieval.train.split", Split::parse) : Split.parse(split);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--split: " + e.getMessage()
                    + " (or validation)");
        }
        Bm25Parameters parameters;
        QueryMode mode;
        try {
            parameters = bm25Options.parameters(settings);
            mode = bm25Options.mode(settings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int hits = settings.positiveInt("deepretrieval.eval.hits");
        List<Metric> metrics = parseMetrics(settings);
        boolean removeQuery = settings.flag("deepretrieval.eval.remove-query");
        int threads = settings.positiveInt("deepretrieval.eval.threads");

        PrintWriter out = spec.commandLine().getOut();
        DatasetResolver.Resolved resolved = DatasetResolver.resolve(settings, dataset, "dataset");
        switch (TaskFamily.of(resolved.folder())) { // the families in the order train recognises them
            case TEXT_TO_SQL -> {
                return evaluateSql(settings, SpiderDataset.open(resolved.name(), resolved.folder()), out);
            }
            case EVIDENCE_QA -> {
                return evaluateQa(settings, QaDataset.open(resolved.name(), resolved.folder()), parameters, mode, threads,
                        out);
            }
            case LITERATURE_SEARCH -> {
                return LiteratureEval.run(settings, resolved.name(), resolved.folder(), chosen.label(), searchOptions,
                        rewriting, json, out, spec);
            }
            case BEIR -> { }
        }
        BeirDataset data = BeirDataset.open(resolved.name(), resolved.folder());
        List<Query> queries = validation ? BeirTrainingProblem.validationQueries(settings, data) : data.queriesOf(chosen);
        Qrels qrels = data.qrels(chosen).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "--split: " + data.name() + " has no " + chosen.label() + " judgments"));
        if (validation) {
            qrels = qrels.restrictedTo(queries.stream().map(Query::id).toList());
        }
        splitName = validation ? "validation (1 in " + settings.positiveInt("deepretrieval.train.validation.one-in")
                + " of " + chosen.label() + ")" : chosen.label();
        List<Query> originals = queries;
        PolicyRewriteOptions.Outcome rewritten = null;
        if (rewriting.enabled()) {
            rewritten = rewriting.rewrite(settings, resolved.name(), queries, spec);
            queries = rewritten.retrievedQueries();
            rewritten.print(out);
        }
        if (retriever.equals("dense")) {
            return evaluateDense(settings, data, qrels, queries, hits, metrics, removeQuery, out, rewritten);
        }
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(
                        data, settings.path("deepretrieval.cache-dir"), new ConsoleProgress(System.err));
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            Bm25Searcher searcher = index.searcher(parameters, settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            long start = System.nanoTime();
            TrecRun run = TrecRun.of(new Bm25BatchSearch(searcher, mode, hits, removeQuery).run(queries, pool));
            double seconds = (System.nanoTime() - start) / 1e9;
            RunEvaluation evaluation = RunEvaluation.of(run.rankedIds(), qrels, metrics);
            if (runFile != null) {
                TrecRunWriter.write(runFile, run, settings.text("deepretrieval.eval.run-tag"));
            }
            printTable(out, data, parameters, mode, hits, evaluation, seconds, queries.size());
            SignificanceReport significance = null;
            if (rewritten != null) {
                RunEvaluation original = RunEvaluation.of(TrecRun.of(new Bm25BatchSearch(searcher, mode, hits, removeQuery)
                        .run(originals, pool)).rankedIds(), qrels, metrics);
                significance = againstOriginal(original, evaluation, metrics);
                significance.print(out);
            }
            if (json) {
                ObjectNode node = toJson(data, parameters, mode, hits, evaluation, seconds);
                if (rewritten != null) {
                    rewritten.addTo(node);
                    node.set("significance", significance.toJson());
                }
                out.println(Json.line(node));
            }
            out.flush();
        }
        return ExitCode.OK;
    }

    /** The policy's rewrites against the original queries, per query on the first metric (paired tests). */
    private static SignificanceReport againstOriginal(RunEvaluation original, RunEvaluation policy, List<Metric> metrics) {
        String first = metrics.getFirst().label();
        var perQuery = new java.util.LinkedHashMap<String, Map<String, Double>>();
        perQuery.put("original", firstMetric(original, first));
        perQuery.put("policy", firstMetric(policy, first));
        return SignificanceReport.of(first, perQuery, 0);
    }

    private static Map<String, Double> firstMetric(RunEvaluation evaluation, String metric) {
        var values = new java.util.LinkedHashMap<String, Double>();
        evaluation.perQuery().forEach((qid, metricValues) -> values.put(qid, metricValues.get(metric)));
        return values;
    }

    /** Dense retrieval: queries embedded in batches, exact or HNSW search, the same metrics and run file. */
    private int evaluateDense(Settings settings, BeirDataset data, Qrels qrels, List<Query> queries, int hits,
            List<Metric> metrics, boolean removeQuery, PrintWriter out, PolicyRewriteOptions.Outcome rewritten)
            throws Exception {
        EncoderSpec encoderSpec = DenseSetup.encoder(settings);
        try (SentenceEncoder encoder = new SentenceEncoder(encoderSpec)) {
            DocumentEmbeddings embeddings = DenseSetup.embeddings(settings, data.corpus(), encoder, new ConsoleProgress(System.err));
            try (VectorIndex index = DenseSetup.index(settings, embeddings)) {
                long start = System.nanoTime();
                float[][] vectors = encoder.encodeQueries(queries.stream().map(Query::text).toList(),
                        DenseSetup.batchSize(settings));
                var results = new java.util.LinkedHashMap<String, List<Hit>>();
                for (int i = 0; i < queries.size(); i++) {
                    String qid = queries.get(i).id();
                    List<Hit> found = index.search(vectors[i], hits);
                    results.put(qid, RemoveQuery.apply(removeQuery, qid, found));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                TrecRun run = TrecRun.of(results);
                RunEvaluation evaluation = RunEvaluation.of(run.rankedIds(), qrels, metrics);
                if (runFile != null) {
                    TrecRunWriter.write(runFile, run, settings.text("deepretrieval.eval.run-tag").replace("bm25", "dense"));
                }
                out.printf(Locale.ROOT, "dataset    %s (%s split, %d queries evaluated)%n", data.name(), splitName,
                        evaluation.queries());
                out.printf(Locale.ROOT, "retriever  dense %s (%s pooling, %s index), %d hits%n", encoderSpec.name(),
                        encoderSpec.pooling().name().toLowerCase(Locale.ROOT), settings.text("deepretrieval.dense.index"), hits);
                out.printf(Locale.ROOT, "speed      %.0f queries/s (embedding included)%n%n", queries.size() / Math.max(seconds, 1e-9));
                out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
                evaluation.means().forEach((label, value) -> out.printf(Locale.ROOT, "%-14s %.4f%n", label, value));
                if (json) {
                    ObjectNode node = Json.object();
                    node.put("dataset", data.name());
                    node.put("split", splitName);
                    node.put("retriever", "dense");
                    node.put("encoder", encoderSpec.name());
                    node.put("index", settings.text("deepretrieval.dense.index"));
                    node.put("hits", hits);
                    node.put("queries", evaluation.queries());
                    evaluation.means().forEach(node::put);
                    node.put("seconds", seconds);
                    if (rewritten != null) {
                        rewritten.addTo(node);
                    }
                    out.println(Json.line(node));
                }
                out.flush();
            }
        }
        return ExitCode.OK;
    }

    /** Evidence QA: every question through BM25, Hits@k by DPR's answer rule. */
    private int evaluateQa(Settings settings, QaDataset data, Bm25Parameters parameters, QueryMode mode, int threads,
            PrintWriter out) throws Exception {
        List<Integer> cutoffs = settings.positiveInts("deepretrieval.eval.qa-hits");
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(
                        data.passages(), settings.path("deepretrieval.cache-dir"), new ConsoleProgress(System.err));
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            Bm25Searcher searcher = index.searcher(parameters, settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            long start = System.nanoTime();
            List<QaQuestion> questions = data.questions();
            PolicyRewriteOptions.Outcome rewritten = null;
            if (rewriting.enabled()) {
                rewritten = rewriting.rewrite(settings, data.name(),
                        questions.stream().map(q -> new Query(q.id(), q.question())).toList(), spec);
                rewritten.print(out);
                var byId = new java.util.HashMap<String, String>();
                rewritten.retrievedQueries().forEach(q -> byId.put(q.id(), q.text()));
                questions = questions.stream().map(q -> new QaQuestion(q.id(), byId.get(q.id()), q.answers())).toList();
            }
            Map<String, Double> hits = QaEvaluation.hits(searcher, questions, data.passageTexts(), mode, cutoffs, pool);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "dataset    %s (evidence QA, %d questions, %d passages)%n", data.name(),
                    data.questions().size(), index.documentCount());
            out.printf(Locale.ROOT, "retriever  bm25 %s, %s, answers by DPR's rule%n", parameters,
                    mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            out.printf(Locale.ROOT, "speed      %.0f questions/s%n%n", data.questions().size() / Math.max(seconds, 1e-9));
            out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
            hits.forEach((label, value) -> out.printf(Locale.ROOT, "%-14s %.4f%n", label, value));
            if (json) {
                ObjectNode node = Json.object();
                node.put("dataset", data.name());
                node.put("task", "evidence-qa");
                node.put("retriever", "bm25");
                node.put("k1", parameters.k1());
                node.put("b", parameters.b());
                node.put("queries", data.questions().size());
                hits.forEach(node::put);
                node.put("seconds", seconds);
                if (rewritten != null) {
                    rewritten.addTo(node);
                }
                out.println(Json.line(node));
            }
            out.flush();
        }
        return ExitCode.OK;
    }

    /**
     * Text-to-SQL: every question's SQL (the gold query itself, or the policy's answer) executed read-only and
     * compared with the gold rows; execution accuracy over the questions whose gold query runs.
     */
    private int evaluateSql(Settings settings, SpiderDataset data, PrintWriter out) throws Exception {
        SqlSettings limits = SqlSetup.settings(settings);
        try (SpiderDatabases databases = SqlSetup.load(settings, data, SqlSetup.server(settings, sqlUrl), limits, new ConsoleProgress(System.err))) {
            List<SqlTask> tasks = data.questions();
            List<String> predictions;
            PolicyRewriteOptions.Outcome rewritten = null;
            if (rewriting.enabled()) {
                rewritten = rewriting.rewrite(settings, data.name(),
                        tasks.stream().map(t -> new Query(t.id(), t.question())).toList(),
                        template -> tasks.stream().map(t -> new QueryRewriter.Prompt(t.question(), template.render(
                                t.question(), Map.of("schema", databases.schema(t.databaseId()).promptText())))).toList(),
                        spec);
                rewritten.print(out);
                predictions = rewritten.retrievedQueries().stream().map(Query::text).toList();
            } else {
                predictions = tasks.stream().map(SqlTask::goldSql).toList();
            }
            var environment = new SqlEnvironment(databases, limits, AnswerFormat.THINK_THEN_ANSWER, PaperRewards.SQL);
            long start = System.nanoTime();
            SqlEvaluation evaluation = SqlEvaluation.of(environment, tasks, predictions, limits.maxConnections() * 4);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "dataset    %s (text-to-SQL, %d questions over %d databases)%n", data.name(),
                    evaluation.questions(), data.databaseIds().size());
            out.printf(Locale.ROOT, "server     %s; read-only, timeout %d ms, row cap %,d%n",
                    databases.server().describe(), limits.statementTimeout().toMillis(), limits.rowCap());
            out.printf(Locale.ROOT, "predicted  %s%n", rewriting.enabled() ? "the policy's SQL" : "the gold SQL itself");
            out.printf(Locale.ROOT, "speed      %.0f questions/s (prediction and gold executed)%n%n",
                    evaluation.questions() / Math.max(seconds, 1e-9));
            out.printf(Locale.ROOT, "%-18s %s%n", "metric", "value");
            out.printf(Locale.ROOT, "%-18s %d / %d (%.4f)%n", "gold_executed", evaluation.goldExecuted(),
                    evaluation.questions(), evaluation.goldExecutionRate());
            out.printf(Locale.ROOT, "%-18s %.4f%n", "exec_acc", evaluation.executionAccuracy());
            if (json) {
                ObjectNode node = Json.object();
                node.put("dataset", data.name());
                node.put("task", "text-to-sql");
                node.put("server", databases.server().describe());
                node.put("questions", evaluation.questions());
                node.put("gold_executed", evaluation.goldExecuted());
                node.put("gold_execution_rate", evaluation.goldExecutionRate());
                node.put("exec_acc", evaluation.executionAccuracy());
                ObjectNode statuses = node.putObject("prediction_status");
                evaluation.predictionStatus().forEach((status, count) -> statuses.put(status.name().toLowerCase(Locale.ROOT), count));
                node.put("seconds", seconds);
                if (rewritten != null) {
                    rewritten.addTo(node);
                }
                out.println(Json.line(node));
            }
            out.flush();
        }
        return ExitCode.OK;
    }

    private static List<Metric> parseMetrics(Settings settings) {
        try {
            return Metric.parseAll(settings.texts("deepretrieval.eval.metrics"));
        } catch (IllegalArgumentException e) {
            throw settings.bad("deepretrieval.eval.metrics", e.getMessage());
        }
    }

    private void printTable(PrintWriter out, BeirDataset data, Bm25Parameters parameters, QueryMode mode,
            int hits, RunEvaluation evaluation, double seconds, int queryCount) {
        out.printf(Locale.ROOT, "dataset    %s (%s split, %d queries evaluated)%n",
                data.name(), splitName, evaluation.queries());
        out.printf(Locale.ROOT, "retriever  bm25 %s, %s, %d hits%n",
                parameters, mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), hits);
        out.printf(Locale.ROOT, "speed      %.0f queries/s (%d queries in %.2f s)%n",
                queryCount / Math.max(seconds, 1e-9), queryCount, seconds);
        out.println();
        out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
        evaluation.means().forEach((label, value) -> out.printf(Locale.ROOT, "%-14s %.4f%n", label, value));
    }

    private ObjectNode toJson(BeirDataset data, Bm25Parameters parameters, QueryMode mode, int hits,
            RunEvaluation evaluation, double seconds) {
        ObjectNode node = Json.object();
        node.put("dataset", data.name());
        node.put("split", splitName);
        node.put("retriever", "bm25");
        node.put("k1", parameters.k1());
        node.put("b", parameters.b());
        node.put("query_mode", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        node.put("hits", hits);
        node.put("queries", evaluation.queries());
        evaluation.means().forEach(node::put);
        node.put("seconds", seconds);
        if (runFile != null) {
            node.put("run_file", runFile.toAbsolutePath().toString());
        }
        return node;
    }
}
