package dev.deepretrieval.cli;

import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.rewriter.QueryRewriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code eval} on a literature task folder: recall at the search depth of the paper's original query (the PICO elements
 * joined by OR) or of a policy's rewrites, on PubMed, ClinicalTrials.gov or a local corpus.
 */
final class LiteratureEval {

    private LiteratureEval() {}

    static int run(Settings settings, String name, Path folder, String split, SearchOptions search,
            PolicyRewriteOptions rewriting, boolean json, PrintWriter out, CommandSpec spec) throws Exception {
        int depth = settings.positiveInt("deepretrieval.search.depth");
        LiteratureTasks.Loaded loaded = LiteratureTasks.read(folder, Optional.of(split));
        List<LiteratureTask> tasks = loaded.tasks();
        try (var owned = new OwnedResources()) {
            CachedSearchEngine engine = SearchSetup.engine(settings, name, folder, search.endpoints(),
                    () -> NodeSystem.obtain(settings.raw()).classicSystem(), new ConsoleProgress(System.err), owned);
            var heldOut = new LiteratureHeldOut(name, tasks, engine, depth, null);
            long start = System.nanoTime();
            PolicyRewriteOptions.Outcome rewritten = null;
            List<String> queries = tasks.stream().map(LiteratureTask::originalQuery).toList();
            if (rewriting.enabled()) {
                rewritten = rewriting.rewrite(settings, SearchSetup.templateFor(settings, folder, search.endpoints()),
                        tasks.stream().map(t -> new Query(t.id(), t.pico())).toList(),
                        template -> tasks.stream().map(t -> new QueryRewriter.Prompt(t.pico(), template.render(t.pico())))
                                .toList(), spec);
                rewritten.print(out);
                queries = rewritten.retrievedQueries().stream().map(Query::text).toList();
            }
            HeldOutEvaluation.Result result = heldOut.evaluate(queries, Optional.empty());
            double seconds = (System.nanoTime() - start) / 1e9;
            String recall = "recall@" + depth;
            out.printf(Locale.ROOT, "dataset    %s (literature search, %d tasks%s)%n", name, tasks.size(),
                    loaded.withoutIncluded() > 0 ? ", " + loaded.withoutIncluded() + " without included studies left out" : "");
            out.printf(Locale.ROOT, "engine     %s, depth %d; queries: %s%n", engine.name(), depth,
                    rewriting.enabled() ? "the policy's" : "the PICO elements joined by OR (the paper's baseline)");
            out.printf(Locale.ROOT, "speed      %.1f s, cache hit rate %.2f%n%n", seconds, engine.hitRate());
            out.printf(Locale.ROOT, "%-14s %s%n", "metric", "value");
            out.printf(Locale.ROOT, "%-14s %.4f%n", recall, result.metrics().get(recall));
            out.printf(Locale.ROOT, "%-14s %.0f%n", "failed", result.metrics().get("failed"));
            if (json) {
                ObjectNode node = Json.object();
                node.put("dataset", name);
                node.put("task", "literature-search");
                node.put("engine", engine.name());
                node.put("queries", tasks.size());
                node.put(recall, result.metrics().get(recall));
                node.put("failed", result.metrics().get("failed").intValue());
                node.put("cache_hit_rate", engine.hitRate());
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
}
