package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.environments.dense.EncoderSpec;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.sql.SqlEvaluation;
import dev.deepretrieval.tasks.Baselines;
import dev.deepretrieval.tasks.BeirBaseline;
import dev.deepretrieval.tasks.LiteratureBaseline;
import dev.deepretrieval.tasks.QaBaseline;
import dev.deepretrieval.tasks.Settings;
import dev.deepretrieval.tasks.SqlBaseline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The original-query baseline: every query of a split, unchanged or rewritten by a policy, through the retriever. */
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

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        Bm25Parameters parameters;
        QueryMode mode;
        try {
            parameters = bm25Options.parameters(settings);
            mode = bm25Options.mode(settings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        var request = new Baselines.Request(dataset, split, retriever, parameters, mode, Optional.ofNullable(runFile),
                rewriting.request(), sqlUrl, searchOptions.endpoints(),
                () -> NodeSystem.obtain(settings.raw()).classicSystem(), new ConsoleProgress(System.err));
        Baselines.Result result = Baselines.evaluate(settings, request);
        PrintWriter out = spec.commandLine().getOut();
        result.rewritten().ifPresent(outcome -> PolicyRewriteOptions.print(outcome, out));
        ObjectNode node = switch (result) {
            case BeirBaseline.Result beir -> print(beir, out);
            case QaBaseline.Result qa -> print(qa, out);
            case SqlBaseline.Result sql -> print(sql, out);
            case LiteratureBaseline.Result literature -> print(literature, out);
        };
        if (json) {
            result.rewritten().ifPresent(outcome -> PolicyRewriteOptions.addTo(outcome, node));
            out.println(Json.line(node));
        }
        out.flush();
        return ExitCode.OK;
    }

    private static ObjectNode print(BeirBaseline.Result r, PrintWriter out) {
        out.printf(Locale.ROOT, "dataset    %s (%s split, %d queries evaluated)%n", r.dataset(), r.split(),
                r.evaluation().queries());
        ObjectNode node = Json.object();
        node.put("dataset", r.dataset());
        node.put("split", r.split());
        node.put("retriever", r.retriever());
        if (r.encoder().isPresent()) {
            EncoderSpec encoder = r.encoder().get();
            out.printf(Locale.ROOT, "retriever  dense %s (%s pooling, %s index), %d hits%n", encoder.name(),
                    encoder.pooling().name().toLowerCase(Locale.ROOT), r.index(), r.hits());
            out.printf(Locale.ROOT, "speed      %.0f queries/s (embedding included)%n", r.queries()
                    / Math.max(r.seconds(), 1e-9));
            node.put("encoder", encoder.name());
            node.put("index", r.index());
        } else {
            Bm25Parameters parameters = r.parameters().orElseThrow();
            String mode = r.mode().orElseThrow().name().toLowerCase(Locale.ROOT).replace('_', '-');
            out.printf(Locale.ROOT, "retriever  bm25 %s, %s, %d hits%n", parameters, mode, r.hits());
            out.printf(Locale.ROOT, "speed      %.0f queries/s (%d queries in %.2f s)%n",
                    r.queries() / Math.max(r.seconds(), 1e-9), r.queries(), r.seconds());
            node.put("k1", parameters.k1());
            node.put("b", parameters.b());
            node.put("query_mode", mode);
        }
        out.println();
        out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
        r.evaluation().means().forEach((label, value) -> out.printf(Locale.ROOT, "%-14s %.4f%n", label, value));
        node.put("hits", r.hits());
        node.put("queries", r.evaluation().queries());
        r.evaluation().means().forEach(node::put);
        node.put("seconds", r.seconds());
        r.runFile().ifPresent(file -> node.put("run_file", file.toAbsolutePath().toString()));
        r.significance().ifPresent(significance -> {
            significance.print(out);
            node.set("significance", significance.toJson());
        });
        return node;
    }

    private static ObjectNode print(QaBaseline.Result r, PrintWriter out) {
        String mode = r.mode().name().toLowerCase(Locale.ROOT).replace('_', '-');
        out.printf(Locale.ROOT, "dataset    %s (evidence QA, %d questions, %d passages)%n", r.dataset(), r.questions(),
                r.passages());
        out.printf(Locale.ROOT, "retriever  bm25 %s, %s, answers by DPR's rule%n", r.parameters(), mode);
        out.printf(Locale.ROOT, "speed      %.0f questions/s%n%n", r.questions() / Math.max(r.seconds(), 1e-9));
        out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
        r.hits().forEach((label, value) -> out.printf(Locale.ROOT, "%-14s %.4f%n", label, value));
        ObjectNode node = Json.object();
        node.put("dataset", r.dataset());
        node.put("task", "evidence-qa");
        node.put("retriever", "bm25");
        node.put("k1", r.parameters().k1());
        node.put("b", r.parameters().b());
        node.put("queries", r.questions());
        r.hits().forEach(node::put);
        node.put("seconds", r.seconds());
        return node;
    }

    private static ObjectNode print(SqlBaseline.Result r, PrintWriter out) {
        SqlEvaluation evaluation = r.evaluation();
        out.printf(Locale.ROOT, "dataset    %s (text-to-SQL, %d questions over %d databases)%n", r.dataset(),
                evaluation.questions(), r.databases());
        out.printf(Locale.ROOT, "server     %s; read-only, timeout %d ms, row cap %,d%n", r.server(),
                r.statementTimeout().toMillis(), r.rowCap());
        out.printf(Locale.ROOT, "predicted  %s%n", r.rewritten().isPresent() ? "the policy's SQL" : "the gold SQL itself");
        out.printf(Locale.ROOT, "speed      %.0f questions/s (prediction and gold executed)%n%n",
                evaluation.questions() / Math.max(r.seconds(), 1e-9));
        out.printf(Locale.ROOT, "%-18s %s%n", "metric", "value");
        out.printf(Locale.ROOT, "%-18s %d / %d (%.4f)%n", "gold_executed", evaluation.goldExecuted(),
                evaluation.questions(), evaluation.goldExecutionRate());
        out.printf(Locale.ROOT, "%-18s %.4f%n", "exec_acc", evaluation.executionAccuracy());
        ObjectNode node = Json.object();
        node.put("dataset", r.dataset());
        node.put("task", "text-to-sql");
        node.put("server", r.server());
        node.put("questions", evaluation.questions());
        node.put("gold_executed", evaluation.goldExecuted());
        node.put("gold_execution_rate", evaluation.goldExecutionRate());
        node.put("exec_acc", evaluation.executionAccuracy());
        ObjectNode statuses = node.putObject("prediction_status");
        evaluation.predictionStatus().forEach((status, count) -> statuses.put(status.name().toLowerCase(Locale.ROOT), count));
        node.put("seconds", r.seconds());
        return node;
    }

    private static ObjectNode print(LiteratureBaseline.Result r, PrintWriter out) {
        String recall = "recall@" + r.depth();
        out.printf(Locale.ROOT, "dataset    %s (literature search, %d tasks%s)%n", r.dataset(), r.tasks(),
                r.withoutIncluded() > 0 ? ", " + r.withoutIncluded() + " without included studies left out" : "");
        out.printf(Locale.ROOT, "engine     %s, depth %d; queries: %s%n", r.engine(), r.depth(),
                r.rewritten().isPresent() ? "the policy's" : "the PICO elements joined by OR (the paper's baseline)");
        out.printf(Locale.ROOT, "speed      %.1f s, cache hit rate %.2f%n%n", r.seconds(), r.cacheHitRate());
        out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
        out.printf(Locale.ROOT, "%-14s %.4f%n", recall, r.recall());
        out.printf(Locale.ROOT, "%-14s %d%n", "failed", r.failed());
        ObjectNode node = Json.object();
        node.put("dataset", r.dataset());
        node.put("task", "literature-search");
        node.put("engine", r.engine());
        node.put("queries", r.tasks());
        node.put(recall, r.recall());
        node.put("failed", r.failed());
        node.put("cache_hit_rate", r.cacheHitRate());
        node.put("seconds", r.seconds());
        return node;
    }
}
