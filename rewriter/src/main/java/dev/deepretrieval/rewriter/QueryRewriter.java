package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.ContinuousBatcher;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.generation.TokenConstraint;
import dev.deepretrieval.policy.generation.TokenListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites queries with a policy under a task's prompt template, in batches. Sampling is seeded per batch from
 * {@code settings.seed()}: the same queries, settings and batch size give the same rewrites.
 */
public final class QueryRewriter {

    private static final Pattern THINK = Pattern.compile("<think>(.*?)</think>", Pattern.DOTALL);

    private final Policy policy;
    private final PromptTemplate template;
    private final AnswerParser parser;
    private final TokenConstraint constraint;
    private final ExtractiveAnswer extractive; // null unless rewrites are extractive
    private volatile int[] templateHead; // computed on first use

    public QueryRewriter(Policy policy, PromptTemplate template) {
        this(policy, template, TokenConstraint.NONE, null);
    }

    private QueryRewriter(Policy policy, PromptTemplate template, TokenConstraint constraint,
            ExtractiveAnswer extractive) {
        this.policy = policy;
        this.template = template;
        this.parser = new AnswerParser(template.format(), template.answerKey());
        this.constraint = constraint;
        this.extractive = extractive;
    }

    /**
     * This rewriter with answer-format-constrained decoding ({@link GuidedAnswer}): every rewrite is well-formed, and
     * one that was well-formed without guidance keeps its tokens.
     */
    public QueryRewriter guided() {
        return constraint == TokenConstraint.NONE
                ? new QueryRewriter(policy, template, new GuidedAnswer(policy, template), null) : this;
    }

    /**
     * This rewriter decoding extractive rewrites (query reduction, {@link ExtractiveAnswer}): every answer is
     * well-formed and its query is the original query's words, some left out, in order. The policy's choice is which
     * words to keep; a policy that copies the query keeps them all.
     */
    public QueryRewriter extractive() {
        return extractive(0);
    }

    /**
     * As {@link #extractive()}; greedy rewrites leave a word out only when the policy prefers that by at least
     * {@code keepMargin} in log-odds ({@link ExtractiveAnswer#ExtractiveAnswer(Policy, PromptTemplate, double)}).
     */
    public QueryRewriter extractive(double keepMargin) {
        return extractive != null ? this : new QueryRewriter(policy, template, TokenConstraint.NONE,
                new ExtractiveAnswer(policy, template, keepMargin));
    }

    /** This rewriter decoding as {@code decoding} says (from a plain rewriter). */
    public QueryRewriter with(Decoding decoding) {
        return with(decoding, 0);
    }

    /** As {@link #with(Decoding)}, extractive greedy rewrites with {@code keepMargin} ({@link #extractive(double)}). */
    public QueryRewriter with(Decoding decoding, double keepMargin) {
        return switch (decoding) {
            case FREE -> this;
            case GUIDED -> guided();
            case EXTRACTIVE -> extractive(keepMargin);
        };
    }

    /** The constraint one prompt's generation runs under. */
    private TokenConstraint constraintFor(String original) {
        return extractive != null ? extractive.of(original) : constraint;
    }

    /** Fails when {@code settings} leave fewer tokens than the shortest answer the constraint allows needs. */
    private void checkBudget(SamplingSettings settings, List<Prompt> inputs) {
        if (constraint instanceof GuidedAnswer guidedAnswer && settings.maxNewTokens() < guidedAnswer.minimumTokens()) {
            throw new IllegalArgumentException("max tokens " + settings.maxNewTokens() + " is below the "
                    + guidedAnswer.minimumTokens() + " tokens the shortest well-formed answer needs (guided decoding)");
        }
        if (extractive != null) {
            for (Prompt input : inputs) {
                int least = extractive.minimumTokens(input.original());
                if (settings.maxNewTokens() < least) {
                    throw new IllegalArgumentException("max tokens " + settings.maxNewTokens() + " is below the "
                            + least + " tokens the shortest extractive answer of '" + input.original() + "' needs");
                }
            }
        }
    }

    /** The decoding constraint ({@link TokenConstraint#NONE} unless guided). */
    TokenConstraint constraint() {
        return constraint;
    }

    public PromptTemplate template() {
        return template;
    }

    /** The prompt's token ids for one original query. */
    public int[] promptTokens(String query) {
        return policy.promptTokens(template.render(query));
    }

    /**
     * Rewrites every query {@code samples} times (samples of one query are adjacent in the result).
     *
     * @param settings sampling settings; the policy's stop tokens are added to its stop ids
     * @param batchSize sequences generated together
     */
    public List<Rewrite> rewrite(List<String> queries, int samples, SamplingSettings settings, int batchSize) {
        return rewritePrompts(queries.stream().map(q -> new Prompt(q, template.render(q))).toList(), samples, settings,
                batchSize);
    }

    /** A query and the prompt rendered for it (for templates with more slots, such as a database schema). */
    public record Prompt(String original, String text) {}

    /** As {@link #rewrite}, for prompts already rendered. */
    public List<Rewrite> rewritePrompts(List<Prompt> inputs, int samples, SamplingSettings settings, int batchSize) {
        if (samples < 1 || batchSize < 1) {
            throw new IllegalArgumentException("samples and batch size must be >= 1");
        }
        checkBudget(settings, inputs);
        var prompts = new ArrayList<int[]>();
        var originals = new ArrayList<String>();
        var constraints = new ArrayList<TokenConstraint>();
        for (Prompt input : inputs) {
            int[] prompt = policy.promptTokens(input.text());
            TokenConstraint promptConstraint = constraintFor(input.original()); // shared by the prompt's samples
            for (int s = 0; s < samples; s++) {
                prompts.add(prompt);
                originals.add(input.original());
                constraints.add(promptConstraint);
            }
        }
        SamplingSettings withStops = settings.withStopTokens(policy.stopTokenIds());
        var out = new ArrayList<Rewrite>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            SamplingSettings batchSettings = withStops.withSeed(settings.seed() + from);
            List<GeneratedSequence> generated = policy.generator().generate(prompts.subList(from, to), batchSettings,
                    TokenListener.NONE, constraints.subList(from, to));
            for (int i = 0; i < generated.size(); i++) {
                out.add(toRewrite(originals.get(from + i), prompts.get(from + i), generated.get(i)));
            }
        }
        return out;
    }

    /** Hears a streamed rewrite's text as it grows; may cancel it. Called on the generating thread. */
    public interface TextListener {

        /** The completion grew by {@code delta} (whole characters only). */
        void onText(String delta);

        /** Whether to stop before the next token (the rewrite then ends as it is). */
        default boolean cancelled() {
            return false;
        }
    }

    /**
     * One rewrite of one rendered prompt, streamed: {@code listener} hears the completion (the template's pre-fill
     * first) grow as tokens are chosen. The result is the same as {@link #rewritePrompts} gives for that prompt alone.
     */
    public Rewrite rewriteStreaming(Prompt input, SamplingSettings settings, TextListener listener) {
        checkBudget(settings, List.of(input));
        int[] prompt = policy.promptTokens(input.text());
        SamplingSettings withStops = settings.withStopTokens(policy.stopTokenIds());
        GeneratedSequence sequence = policy.generator().generate(List.of(prompt), withStops,
                streaming(prompt, withStops, listener), constraintFor(input.original())).getFirst();
        return toRewrite(input.original(), prompt, sequence);
    }

    /**
     * One rewrite of one rendered prompt in the policy's shared decode loop ({@link Policy#batcher}, continuous
     * batching): it joins the running batch at the next step. {@code listener} hears the completion grow as
     * {@link #rewriteStreaming} tells it; the rewrite is the one {@link #rewriteStreaming} gives. Refused at once
     * (the future fails with a {@link java.util.concurrent.RejectedExecutionException}) when the loop is full.
     */
    public CompletableFuture<Rewrite> rewriteShared(Prompt input, SamplingSettings settings, TextListener listener,
            ContinuousBatcher.Limits limits) {
        checkBudget(settings, List.of(input));
        int[] prompt = policy.promptTokens(input.text());
        SamplingSettings withStops = settings.withStopTokens(policy.stopTokenIds());
        TokenListener tokens = listener == null ? TokenListener.NONE : streaming(prompt, withStops, listener);
        ContinuousBatcher batcher = policy.batcher(limits);
        int[] head = templateHead();
        if (head.length > 0) {
            batcher.sharePrefix(head);
        }
        return batcher.submit(prompt, withStops, constraintFor(input.original()), tokens)
                .thenApply(sequence -> toRewrite(input.original(), prompt, sequence));
    }

    /**
     * The prompt tokens every query's prompt under this template starts with (the instructions before the query),
     * shared in the decode loop so each request prefills only the rest: the tokens two different queries' prompts
     * have in common from the start. Empty when that is a token or less.
     */
    int[] templateHead() {
        int[] head = templateHead;
        if (head == null) {
            int[] one = policy.promptTokens(template.render("a"));
            int[] other = policy.promptTokens(template.render("b"));
            int common = Arrays.mismatch(one, other);
            common = common < 0 ? one.length : common;
            head = common > 1 ? Arrays.copyOf(one, common) : new int[0];
            templateHead = head;
        }
        return head;
    }

    /**
     * Tells {@code listener} the template's pre-fill before the first token, then the completion as it grows (whole
     * characters only), on the generating thread.
     */
    private TokenListener streaming(int[] prompt, SamplingSettings withStops, TextListener listener) {
        var stops = withStops.stopTokenIds();
        var tokens = new ArrayList<Integer>();
        var said = new StringBuilder();
        var continuation = policy.tokenizer().continuationsOf(prompt);
        return new TokenListener() {
            private boolean started;

            /** The pre-fill, said once on the generating thread before the first token is chosen. */
            private void start() {
                if (!started) {
                    started = true;
                    if (!template.assistantPrefill().isEmpty()) {
                        listener.onText(template.assistantPrefill());
                    }
                }
            }

            @Override
            public void onToken(int index, int token) {
                start();
                if (stops.contains(token)) {
                    return;
                }
                tokens.add(token);
                String text = continuation.apply(tokens.stream().mapToInt(Integer::intValue).toArray());
                // a token may end inside a multi-byte character: say only what is stable
                int stable = text.endsWith("\uFFFD") ? text.length() - 1 : text.length();
                if (stable > said.length() && text.startsWith(said.toString())) {
                    listener.onText(text.substring(said.length(), stable));
                    said.append(text, said.length(), stable);
                }
            }

            @Override
            public boolean cancelled(int index) {
                start(); // asked before every token, the first one included
                return listener.cancelled();
            }
        };
    }

    /** Parses a generated continuation of {@code prompt} as the reward would. */
    public Rewrite toRewrite(String original, int[] prompt, GeneratedSequence sequence) {
        String text = policy.tokenizer().decodeContinuation(prompt, withoutStopToken(sequence.tokens()));
        String completion = template.assistantPrefill() + text;
        ParsedAnswer parsed = parser.parse(completion);
        Optional<String> rewritten = parsed.structureAndJsonValid() ? parsed.value() : Optional.empty();
        Matcher think = THINK.matcher(completion);
        Optional<String> thought = think.find() ? Optional.of(think.group(1).strip()) : Optional.empty();
        List<ExtractiveAnswer.WordDecision> decisions = extractive == null ? List.of()
                : extractive.decisions(original, sequence.tokens(), sequence.allowedTokens(), completion, rewritten);
        return new Rewrite(original, completion, rewritten, thought, prompt, sequence.tokens(), sequence.logProbs(),
                sequence.allowedTokens(), decisions);
    }

    private int[] withoutStopToken(int[] tokens) {
        if (tokens.length > 0 && policy.stopTokenIds().contains(tokens[tokens.length - 1])) {
            return Arrays.copyOf(tokens, tokens.length - 1);
        }
        return tokens;
    }
}
