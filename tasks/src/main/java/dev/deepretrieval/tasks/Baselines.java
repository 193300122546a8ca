package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.QueryMode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * {@code eval}: a dataset's queries through its family's retriever or executor, unchanged (the original-query
 * baseline) or rewritten by a policy, in the family that recognises the dataset (in {@link TaskFamily}'s order, as
 * training recognises it).
 */
public final class Baselines {

    /**
     * One evaluation. Fields named as the {@code eval} options they come from, so an {@link InvalidTaskRequest}
     * names the one to fix.
     *
     * @param split {@code train}, {@code dev}, {@code test}, or {@code validation} (the queries training carves out)
     * @param retriever BEIR datasets: {@code bm25} or {@code dense}
     * @param parameters BM25's k1 and b; mode its query parsing
     * @param runFile BEIR datasets: where to write the TREC run, if anywhere
     * @param rewriting the policy to rewrite with, if any
     * @param sqlUrl text-to-SQL: the server's R2DBC URL, or null for the configured one
     * @param system the node's actor system (asked for only by literature search through an API)
     */
    public record Request(String dataset, String split, String retriever, Bm25Parameters parameters, QueryMode mode,
            Optional<Path> runFile, Optional<PolicyRewrites.Request> rewriting, String sqlUrl, SearchEndpoints search,
            Supplier<ActorSystem> system, Progress progress) {}

    /** What an evaluation found; one record per family. */
    public sealed interface Result permits BeirBaseline.Result, QaBaseline.Result, SqlBaseline.Result,
            LiteratureBaseline.Result {

        /** The policy's rewrites, when a policy rewrote the queries. */
        Optional<PolicyRewrites.Outcome> rewritten();
    }

    private Baselines() {}

    public static Result evaluate(Settings settings, Request request) throws Exception {
        DatasetResolver.Resolved resolved = DatasetResolver.resolve(settings, request.dataset(), "dataset");
        return switch (TaskFamily.of(resolved.folder())) {
            case TEXT_TO_SQL -> SqlBaseline.evaluate(settings, resolved, request);
            case EVIDENCE_QA -> QaBaseline.evaluate(settings, resolved, request);
            case LITERATURE_SEARCH -> LiteratureBaseline.evaluate(settings, resolved, request);
            case BEIR -> BeirBaseline.evaluate(settings, resolved, request);
        };
    }
}
