package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.tasks.PolicyRewrites;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

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

    @Option(names = "--keep-margin", paramLabel = "M",
            description = "With --decoding extractive, greedy: leave a word out only when the policy prefers that by"
                    + " at least M in log-odds (default: deepretrieval.train.keep-margin, as train validates).")
    Double keepMargin;

    @Option(names = "--rewrites", paramLabel = "FILE", description = "Also write every rewrite as JSON lines.")
    Path rewritesFile;

    /** The policy rewriting these options ask for, if --policy was given. */
    Optional<PolicyRewrites.Request> request() {
        if (policy == null) {
            return Optional.empty();
        }
        return Optional.of(new PolicyRewrites.Request(policy, Optional.ofNullable(task),
                temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature), samples, seed,
                rewriteMode, rewriteWeight, guided ? "guided" : decoding,
                keepMargin == null ? OptionalDouble.empty() : OptionalDouble.of(keepMargin),
                Optional.ofNullable(rewritesFile)));
    }

    static void print(PolicyRewrites.Outcome outcome, PrintWriter out) {
        out.printf(Locale.ROOT, "policy     %s (%s prompt, %s decoding), %d sample(s) per query: format valid"
                + " %.4f, distinct rewrites %.2f, unchanged %.4f, %.0f s%n", outcome.policyName(), outcome.task(),
                outcome.decoding(), outcome.samples(), outcome.formatValidRate(), outcome.meanDistinct(),
                outcome.unchangedRate(), outcome.seconds());
    }

    static void addTo(PolicyRewrites.Outcome outcome, ObjectNode node) {
        node.put("policy", outcome.policyName());
        node.put("task", outcome.task());
        node.put("samples_per_query", outcome.samples());
        node.put("guided", outcome.decoding() == Decoding.GUIDED);
        node.put("decoding", outcome.decoding().toString());
        node.put("format_valid_rate", outcome.formatValidRate());
        node.put("mean_distinct_rewrites", outcome.meanDistinct());
        node.put("unchanged_rate", outcome.unchangedRate());
        node.put("rewrite_seconds", outcome.seconds());
    }
}
