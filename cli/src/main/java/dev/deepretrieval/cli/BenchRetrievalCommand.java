package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.search.IndexSearcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * BM25 queries/s through the environment's reward path against bare Lucene, in one run.
 *
 * <p>Reward path: a completion in the think/answer format → answer parsing → analysis and query building →
 * {@code IndexSearcher.search} at the depth → collection ids → nDCG/recall → reward. Bare Lucene:
 * {@code IndexSearcher.search} of the same queries, built beforehand with the same analyser. Rounds alternate the
 * two paths so machine noise hits both alike; medians are reported.
 */
@Command(name = "retrieval", mixinStandardHelpOptions = true,
        description = "BM25 reward-path queries/s vs bare Lucene IndexSearcher.search, 1 and 2 threads, depths 1000/3000.",
        footer = ExitCode.HELP_FOOTER)
final class BenchRetrievalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--dataset", paramLabel = "NAME|PATH",
            description = "Dataset whose queries are replayed (default from deepretrieval.bench.retrieval.dataset).")
    String dataset;

    @Option(names = "--rounds", paramLabel = "N", description = "Measured rounds per path (default from config).")
    Integer rounds;

    @Option(names = "--round-seconds", paramLabel = "S", description = "Seconds per round (default from config).")
    Double roundSeconds;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        String prefix = "deepretrieval.bench.retrieval.";
        BeirDataset data = DatasetResolver.open(settings, dataset != null ? dataset : settings.text(prefix + "dataset"), "dataset");
        List<Integer> threadCounts = settings.positiveInts(prefix + "threads");
        List<Integer> depths = settings.positiveInts(prefix + "depths");
        int roundCount = rounds != null ? rounds : settings.positiveInt(prefix + "rounds");
        double seconds = roundSeconds != null ? roundSeconds : settings.number(prefix + "round-seconds");
        double warmup = settings.number(prefix + "warmup-seconds");
        Bm25Parameters parameters = Bm25Settings.configured(settings);
        PrintWriter out = spec.commandLine().getOut();

        List<RetrievalTask> tasks = tasksOf(data);
        List<String> completions = tasks.stream().map(t -> completionFor(t.queryText())).toList();
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(
                data, settings.path("deepretrieval.cache-dir"), new ConsoleProgress(System.err))) {
            Bm25Searcher searcher = index.searcher(parameters, settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            IndexSearcher lucene = searcher.luceneSearcher();
            var prepared = tasks.stream().map(t -> searcher.buildQuery(t.queryText(), QueryMode.BAG_OF_WORDS)).toList();

            out.printf(Locale.ROOT, "bench retrieval: %s, %d queries, bm25 %s, %d rounds x %.1f s per path (median)%n",
                    data.name(), tasks.size(), parameters, roundCount, seconds);
            out.printf(Locale.ROOT, "%-8s %-6s %16s %16s %8s%n", "threads", "depth", "reward path q/s", "bare Lucene q/s", "ratio");
            out.flush();
            ArrayNode rows = Json.object().arrayNode();
            LongAdder sink = new LongAdder(); // keeps results alive so nothing is optimised away
            for (int depth : depths) {
                var environment = new RetrievalEnvironment(new Bm25Retriever(searcher, QueryMode.BAG_OF_WORDS),
                        new RetrievalEnvironmentSettings(AnswerFormat.THINK_THEN_ANSWER, depth, Math.min(10, depth),
                                PaperRewards.BEIR), Runnable::run);
                for (int threads : threadCounts) {
                    ThroughputMeter.measure(threads, tasks.size(), warmup, i -> {
                        EnvironmentResult r = environment.scoreNow(tasks.get(i), completions.get(i));
                        sink.add(r.retrievedIds().size());
                    });
                    var envRounds = new ArrayList<Double>();
                    var bareRounds = new ArrayList<Double>();
                    var ratios = new ArrayList<Double>();
                    for (int round = 0; round < roundCount; round++) {
                        double env = ThroughputMeter.measure(threads, tasks.size(), seconds, i -> {
                            EnvironmentResult r = environment.scoreNow(tasks.get(i), completions.get(i));
                            sink.add(r.retrievedIds().size());
                        });
                        double bare = ThroughputMeter.measure(threads, tasks.size(), seconds, i -> {
                            try {
                                sink.add(lucene.search(prepared.get(i), depth).scoreDocs.length);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                        envRounds.add(env);
                        bareRounds.add(bare);
                        ratios.add(env / bare);
                    }
                    double envMedian = ThroughputMeter.median(envRounds);
                    double bareMedian = ThroughputMeter.median(bareRounds);
                    double ratio = ThroughputMeter.median(ratios);
                    out.printf(Locale.ROOT, "%-8d %-6d %16.0f %16.0f %8.3f%n", threads, depth, envMedian, bareMedian, ratio);
                    out.flush();
                    ObjectNode row = rows.addObject();
                    row.put("threads", threads);
                    row.put("depth", depth);
                    row.put("reward_path_qps", envMedian);
                    row.put("bare_lucene_qps", bareMedian);
                    row.put("ratio", ratio);
                }
            }
            if (json) {
                ObjectNode node = Json.object();
                node.put("benchmark", "retrieval");
                node.put("dataset", data.name());
                node.put("queries", tasks.size());
                node.put("k1", parameters.k1());
                node.put("b", parameters.b());
                node.set("results", rows);
                out.println(Json.line(node));
            }
            out.flush();
            if (sink.sum() < 0) {
                throw new IllegalStateException("unreachable");
            }
        }
        return ExitCode.OK;
    }

    /** Every query of the dataset, with its judgments from whichever split judges it. */
    private static List<RetrievalTask> tasksOf(BeirDataset data) {
        Map<String, Map<String, Integer>> judgments = new HashMap<>();
        for (Split split : data.splits()) {
            data.qrels(split).orElseThrow().asMap().forEach(judgments::putIfAbsent);
        }
        var tasks = new ArrayList<RetrievalTask>();
        for (Query query : data.queries().values()) {
            tasks.add(new RetrievalTask(query.id(), query.text(), judgments.getOrDefault(query.id(), Map.of())));
        }
        return tasks;
    }

    private static String completionFor(String query) {
        ObjectNode answer = Json.object();
        answer.put("query", query);
        return "<think>\nThe claim's own words are a good query.\n</think>\n<answer>" + Json.line(answer) + "</answer>";
    }
}
