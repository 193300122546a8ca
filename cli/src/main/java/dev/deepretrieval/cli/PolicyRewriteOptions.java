package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RewriteMode;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code eval --policy}: rewrite every query with a policy before retrieval. The first sample of each query is
 * what gets retrieved; with {@code --samples N} the rest measure format validity and exploration.
 */
final class PolicyRewriteOptions {

    @Option(names = "--policy", paramLabel = "FOLDER",
            description = "Rewrite each query with this policy (a Hugging Face folder) before retrieval; an answer"
                    + " that does not parse retrieves nothing.")
    Path policy;

    @Option(names = "--task", paramLabel = "NAME",
            description = "The prompt template (scifact, nfcorpus, squad, nq, triviaqa; default: the dataset's name).")
    String task;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Sample at temperature T (default: greedy decoding).")
    Double temperature;

    @Option(names = "--samples", defaultValue = "1", paramLabel = "N",
            description = "Rewrites per query (default: ${DEFAULT-VALUE}); needs --temperature when N > 1.")
    int samples;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rewrite-mode", paramLabel = "MODE", defaultValue = "replace",
            description = "What is retrieved for a rewrite: replace (the rewrite alone, the paper; an answer that does"
                    + " not parse retrieves nothing) or expand (the original query with the rewrite; an answer that does"
                    + " not parse retrieves the original query). Default: ${DEFAULT-VALUE}.")
    String rewriteMode;

    @Option(names = "--rewrite-weight", paramLabel = "W", defaultValue = "1",
            description = "With --rewrite-mode expand: the rewrite counted W times beside the original query (default:"
                    + " ${DEFAULT-VALUE}).")
    int rewriteWeight;

    @Option(names = "--guided", description = "Constrain decoding to the task's answer format: every answer is"
            + " well-formed, and one that was well-formed without it keeps its tokens (as --decoding guided).")
    boolean guided;

    @Option(names = "--decoding", paramLabel = "MODE", defaultValue = "free",
            description = "What the policy may write: free, guided (the answer format) or extractive (the original"
                    + " query's words, some left out, in order: how train's default run decodes). Default:"
                    + " ${DEFAULT-VALUE}.")
    String decoding;

    @Option(names = "--rewrites", paramLabel = "FILE", description = "Also write every rewrite as JSON lines.")
    Path rewritesFile;

    /** The rewrites of one split and the figures they give. */
    record Outcome(List<Query> retrievedQueries, double formatValidRate, double meanDistinct, double unchangedRate,
            int samples, Decoding decoding, String policyName, String task, double seconds) {

        void addTo(ObjectNode node) {
            node.put("policy", policyName);
            node.put("task", task);
            node.put("samples_per_query", samples);
            node.put("guided", decoding == Decoding.GUIDED);
            node.put("decoding", decoding.toString());
            node.put("format_valid_rate", formatValidRate);
            node.put("mean_distinct_rewrites", meanDistinct);
            node.put("unchanged_rate", unchangedRate);
            node.put("rewrite_seconds", seconds);
        }

        void print(PrintWriter out) {
            out.printf(Locale.ROOT, "policy     %s (%s prompt, %s decoding), %d sample(s) per query: format valid"
                    + " %.4f, distinct rewrites %.2f, unchanged %.4f, %.0f s%n", policyName, task, decoding, samples,
                    formatValidRate, meanDistinct, unchangedRate, seconds);
        }
    }

    boolean enabled() {
        return policy != null;
    }

    Outcome rewrite(Settings settings, String datasetName, List<Query> queries, CommandSpec spec) throws IOException {
        return rewrite(settings, datasetName, queries, template -> queries.stream()
                .map(q -> new QueryRewriter.Prompt(q.text(), template.render(q.text()))).toList(), spec);
    }

    /**
     * As above, with prompts rendered by {@code render} from the chosen template (for templates with more slots).
     * The {@link Outcome#retrievedQueries()} carry the first sample's answer (query or SQL) under each query's id.
     */
    Outcome rewrite(Settings settings, String datasetName, List<Query> queries,
            java.util.function.Function<PromptTemplate, List<QueryRewriter.Prompt>> render, CommandSpec spec)
            throws IOException {
        if (samples < 1) {
            throw new ParameterException(spec.commandLine(), "--samples must be >= 1");
        }
        if (samples > 1 && temperature == null) {
            throw new ParameterException(spec.commandLine(), "--samples > 1 needs --temperature (greedy gives one answer)");
        }
        RewriteMode retrievalMode;
        try {
            retrievalMode = RewriteMode.parse(rewriteMode, rewriteMode.strip().equalsIgnoreCase("expand") ? rewriteWeight : 1);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--rewrite-mode: " + e.getMessage());
        }
        Decoding chosenDecoding;
        try {
            chosenDecoding = guided ? Decoding.GUIDED : Decoding.parse(decoding);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--decoding: " + e.getMessage());
        }
        String taskName = task != null ? task : datasetName;
        PromptTemplate template;
        try {
            template = PromptTemplate.bundled(taskName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--task: " + e.getMessage());
        }
        int maxTokens = settings.positiveInt("deepretrieval.eval.policy.max-tokens");
        int batch = settings.positiveInt("deepretrieval.eval.policy.batch-size");
        SamplingSettings sampling;
        try {
            sampling = temperature == null ? SamplingSettings.greedy(maxTokens, Set.of())
                    : SamplingSettings.sampling(temperature, maxTokens, Set.of(), seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long start = System.nanoTime();
        List<Rewrite> rewrites;
        try (Policy loaded = PolicyLoader.load(policy, Optional.empty(),
                PolicyLoader.device(settings.text("deepretrieval.policy.device")))) {
            System.err.printf(Locale.ROOT, "rewriting %,d queries x %d with %s...%n", queries.size(), samples, policy);
            QueryRewriter rewriter = new QueryRewriter(loaded, template);
            try {
                rewriter = rewriter.with(chosenDecoding);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--decoding: " + e.getMessage());
            }
            rewrites = rewriter.rewritePrompts(render.apply(template), samples, sampling, batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (rewritesFile != null) {
            writeRewrites(queries, rewrites);
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
                samples, chosenDecoding, policy.toString(), taskName, seconds);
    }

    private void writeRewrites(List<Query> queries, List<Rewrite> rewrites) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(rewritesFile, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rewrites.size(); i++) {
                Rewrite r = rewrites.get(i);
                ObjectNode line = Json.object();
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
                writer.write(Json.line(line));
                writer.newLine();
            }
        }
    }
}
