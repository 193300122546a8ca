package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.rewriter.QueryRewriter;
import java.util.List;
import java.util.Optional;

/**
 * {@code eval} on a literature task folder: recall at the search depth of the paper's original query (the PICO
 * elements joined by OR) or of a policy's rewrites, on PubMed, ClinicalTrials.gov or a local corpus.
 */
public final class LiteratureBaseline {

    /**
     * @param withoutIncluded tasks left out for having no included studies
     * @param recall recall at {@code depth}; failed searches that failed (counted as recall 0)
     */
    public record Result(String dataset, int tasks, int withoutIncluded, String engine, int depth, double recall,
            int failed, double cacheHitRate, double seconds, Optional<PolicyRewrites.Outcome> rewritten)
            implements Baselines.Result {}

    private LiteratureBaseline() {}

    static Result evaluate(Settings settings, DatasetResolver.Resolved resolved, Baselines.Request request)
            throws Exception {
        int depth = settings.positiveInt("deepretrieval.search.depth");
        LiteratureTasks.Loaded loaded = LiteratureTasks.read(resolved.folder(), Optional.of(request.split()));
        List<LiteratureTask> tasks = loaded.tasks();
        try (var owned = new OwnedResources()) {
            CachedSearchEngine engine = SearchSetup.engine(settings, resolved.name(), resolved.folder(), request.search(),
                    request.system(), request.progress(), owned);
            var heldOut = new LiteratureHeldOut(resolved.name(), tasks, engine, depth, null);
            long start = System.nanoTime();
            Optional<PolicyRewrites.Outcome> rewritten = Optional.empty();
            List<String> queries = tasks.stream().map(LiteratureTask::originalQuery).toList();
            if (request.rewriting().isPresent()) {
                PolicyRewrites.Outcome outcome = PolicyRewrites.rewrite(settings, request.rewriting().get(),
                        SearchSetup.templateFor(settings, resolved.folder(), request.search()),
                        tasks.stream().map(t -> new Query(t.id(), t.pico())).toList(),
                        template -> tasks.stream().map(t -> new QueryRewriter.Prompt(t.pico(), template.render(t.pico())))
                                .toList());
                queries = outcome.retrievedQueries().stream().map(Query::text).toList();
                rewritten = Optional.of(outcome);
            }
            HeldOutEvaluation.Result result = heldOut.evaluate(queries, Optional.empty());
            String recall = "recall@" + depth;
            return new Result(resolved.name(), tasks.size(), loaded.withoutIncluded(), engine.name(), depth,
                    result.metrics().get(recall), result.metrics().get("failed").intValue(), engine.hitRate(),
                    (System.nanoTime() - start) / 1e9, rewritten);
        }
    }
}
