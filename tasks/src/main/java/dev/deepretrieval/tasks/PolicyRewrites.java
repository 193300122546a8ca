package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RewriteMode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code eval --policy}: every query of a split rewritten by a policy before retrieval. The first sample of each
 * query is what gets retrieved; further samples measure format validity and exploration.
 */
public final class PolicyRewrites {

    /**
     * What to rewrite with. Fields named as the {@code eval} options they come from, so an {@link InvalidTaskRequest}
     * names the one to fix.
     *
     * @param policy the policy folder
     * @param task the prompt template's name; empty = the dataset's
     * @param temperature sampling temperature; empty = greedy
     * @param samples rewrites per query
     * @param rewriteMode {@code replace} or {@code expand}
     * @param rewriteWeight with {@code expand}: the rewrite's weight beside the original query
     * @param decoding {@code free}, {@code guided} or {@code extractive}
     * @param keepMargin with greedy extractive decoding: how sure the policy must be to leave a word out, in
     *     log-odds; empty = {@code train.keep-margin}, as the trained policy was validated
     * @param rewrites where to write every rewrite as JSON lines, if anywhere
     */
    public record Request(Path policy, Optional<String> task, OptionalDouble temperature, int samples, long seed,
            String rewriteMode, int rewriteWeight, String decoding, OptionalDouble keepMargin,
            Optional<Path> rewrites) {}

    /** The rewrites of one split and the figures they give. */
    public record Outcome(List<Query> retrievedQueries, double formatValidRate, double meanDistinct, double unchangedRate,
            int samples, Decoding decoding, String policyName, String task, double seconds) {}

    private PolicyRewrites() {}

    /** Rewrites {@code queries} with their template's own rendering. */
    public static Outcome rewrite(Settings settings, Request request, String datasetName, List<Query> queries)
            throws IOException {
        return rewrite(settings, request, datasetName, queries, template -> queries.stream()
                .map(q -> new QueryRewriter.Prompt(q.text(), template.render(q.text()))).toList());
    }

    /**
     * As above, with prompts rendered by {@code render} from the chosen template (for templates with more slots). The
     * {@link Outcome#retrievedQueries()} carry the first sample's answer (query or SQL) under each query's id.
     */
    public static Outcome rewrite(Settings settings, Request request, String datasetName, List<Query> queries,
            Function<PromptTemplate, List<QueryRewriter.Prompt>> render) throws IOException {
        int samples = request.samples();
        if (samples < 1) {
            throw new InvalidTaskRequest("samples", "must be >= 1");
        }
        if (samples > 1 && request.temperature().isEmpty()) {
            throw new InvalidTaskRequest("samples", "> 1 needs --temperature (greedy gives one answer)");
        }
        RewriteMode retrievalMode = InvalidTaskRequest.checked("rewrite-mode", () -> RewriteMode.parse(request.rewriteMode(),
                request.rewriteMode().strip().equalsIgnoreCase("expand") ? request.rewriteWeight() : 1));
        Decoding decoding = InvalidTaskRequest.checked("decoding", () -> Decoding.parse(request.decoding()));
        String taskName = request.task().orElse(datasetName);
        PromptTemplate template = InvalidTaskRequest.checked("task", () -> PromptTemplate.bundled(taskName));
        int maxTokens = settings.positiveInt("deepretrieval.eval.policy.max-tokens");
        int batch = settings.positiveInt("deepretrieval.eval.policy.batch-size");
        SamplingSettings sampling = InvalidTaskRequest.checked("temperature", () -> request.temperature().isEmpty()
                ? SamplingSettings.greedy(maxTokens, Set.of())
                : SamplingSettings.sampling(request.temperature().getAsDouble(), maxTokens, Set.of(), request.seed()));
        long start = System.nanoTime();
        List<Rewrite> rewrites;
        try (Policy loaded = PolicyLoader.load(request.policy(), Optional.empty(),
                PolicyLoader.device(settings.text("deepretrieval.policy.device")))) {
            QueryRewriter rewriter = InvalidTaskRequest.checked("decoding", () -> new QueryRewriter(loaded, template)
                    .with(decoding, request.keepMargin().orElse(TrainingProblems.keepMargin(settings))));
            rewrites = rewriter.rewritePrompts(render.apply(template), samples, sampling, batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (request.rewrites().isPresent()) {
            write(request.rewrites().get(), queries, rewrites, samples);
        }
        var retrieved = new ArrayList<Query>(queries.size());
        int valid = 0;
        int unchanged = 0;
        double distinct = 0;
        for (int q = 0; q < queries.size(); q++) {
            List<Rewrite> ofQuery = rewrites.subList(q * samples, (q + 1) * samples);
            Query original = queries.get(q);
            retrieved.add(new Query(original.id(), ofQuery.get(0).rewritten()
                    .map(text -> retrievalMode.retrievalQuery(original.text(), text))
                    .orElseGet(() -> retrievalMode.withoutRewrite(original.text()))));
            Set<String> seen = new HashSet<>();
            for (Rewrite r : ofQuery) {
                valid += r.formatValid() ? 1 : 0;
                unchanged += r.rewritten().map(text -> text.strip().equals(r.original().strip())).orElse(false) ? 1 : 0;
                seen.add(r.rewritten().map(text -> "valid:" + text).orElse("invalid:" + r.completion()));
            }
            distinct += seen.size();
        }
        int total = rewrites.size();
        return new Outcome(retrieved, (double) valid / total, distinct / queries.size(), (double) unchanged / total,
                samples, decoding, request.policy().toString(), taskName, seconds);
    }


    private static void write(Path file, List<Query> queries, List<Rewrite> rewrites, int samples) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rewrites.size(); i++) {
                Rewrite r = rewrites.get(i);
                var line = JsonMapping.mapper().createObjectNode();
                line.put("query_id", queries.get(i / samples).id());
                line.put("sample", i % samples);
                line.put("original", r.original());
                line.put("completion", r.completion());
                line.put("format_valid", r.formatValid());
                var tokens = line.putArray("tokens");
                for (int token : r.generatedTokens()) {
                    tokens.add(token);
                }
                r.rewritten().ifPresent(text -> line.put("rewritten", text));
                writer.write(JsonMapping.mapper().writeValueAsString(line));
                writer.newLine();
            }
        }
    }
}
