package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.TokenConstraint;
import dev.deepretrieval.policy.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Extractive rewrites (query reduction) as constrained decoding: the completion is the format's canonical text
 * ({@link CopyQueryTarget#scaffold}: the fixed thought, the answer tags, the JSON key) around a query made of the
 * original query's words, some left out (never two neighbours), in their order ({@link WordSubsequence}). The
 * policy's only choice is which words to keep, so sampled rollouts explore word choices rather than malformed text,
 * and a policy that copies the query keeps every word. Tokens outside the query are forced; they are the same in
 * every sample of a prompt.
 */
public final class ExtractiveAnswer {

    /**
     * The most neighbouring words a rewrite leaves out in a row. At 1 each decision is binary (write the next word
     * or the one after it) and stopping early is not a choice: leaving a word out is then one token choice against
     * the copy, which a policy learns as a preference over words; with more, a suppressed word would leave the
     * choice to whichever later word or stop the model ranks next.
     */
    static final int MAX_SKIP = 1;

    private final TokenSpelling spelling;
    private final TextTokenizer tokenizer;
    private final String before;
    private final int[] beforeTokens;
    private final String after;
    private final float keepMargin;

    public ExtractiveAnswer(Policy policy, PromptTemplate template) {
        this(policy, template, 0);
    }

    /**
     * @param keepMargin greedy decoding only: a word is left out only when the policy prefers that by at least this
     *     much in log-odds over keeping it (0: whichever it prefers); sampling and log-probs are unaffected
     */
    public ExtractiveAnswer(Policy policy, PromptTemplate template, double keepMargin) {
        if (!(keepMargin >= 0) || Double.isInfinite(keepMargin)) {
            throw new IllegalArgumentException("the keep margin must be a finite number >= 0, got " + keepMargin);
        }
        this.keepMargin = (float) keepMargin;
        if (!template.answerKey().equals("query")) {
            throw new IllegalArgumentException("extractive rewrites are for search queries; template " + template.name()
                    + " answers with '" + template.answerKey() + "'");
        }
        this.spelling = new TokenSpelling(policy);
        this.tokenizer = policy.tokenizer();
        CopyQueryTarget.Scaffold scaffold = CopyQueryTarget.scaffold(template);
        this.before = scaffold.before();
        this.beforeTokens = tokenizer.encode(before);
        this.after = scaffold.after();
    }

    /** The fewest tokens an extractive answer of {@code original} needs (its shortest word kept). */
    public int minimumTokens(String original) {
        int words = language(original).start().cheapestFinish();
        return words >= TokenSpelling.UNREACHABLE ? TokenSpelling.UNREACHABLE
                : beforeTokens.length + words + spelling.fewestTokens(after);
    }

    /**
     * The constraint for rewrites of {@code original}; its sequences (the samples of one prompt) share the
     * completions they have encoded.
     */
    public TokenConstraint of(String original) {
        WordSubsequence words = language(original);
        if (words.words().isEmpty()) {
            throw new IllegalArgumentException("an extractive rewrite needs an original query with at least one word");
        }
        Map<String, int[]> encoded = new HashMap<>();
        return new TokenConstraint() {
            @Override
            public Sequence start() {
                return new Cursor(words, encoded);
            }

            @Override
            public boolean definesPolicy() {
                return true; // the policy is the choice of words: its log-probs are over the allowed tokens
            }
        };
    }

    /**
     * One word choice of an extractive rewrite: the response token that made it, the original query's word it
     * decided (kept or left out), and the completion as it would read had that one word gone the other way (every
     * other choice as made). Scoring both tells the choice's own effect on the reward.
     */
    public record WordDecision(int token, int word, String alternative) {}

    /**
     * The word choices of one extractive rewrite of {@code original}: each response token that chose among several
     * allowed tokens decided whether the first word after the last one written is kept (a token that starts a word
     * decides the word before it in the original query, kept or not; the closing quote decides the last word).
     * Empty when the completion is not a whole extractive answer (cut short by the token budget).
     *
     * @param tokens the generated tokens (the scaffold's forced tokens first)
     * @param allowed per generated token, the tokens it was chosen among
     * @param completion the completion as the reward sees it
     * @param query the answer's query as parsed, when it parsed
     */
    public List<WordDecision> decisions(String original, int[] tokens, int[][] allowed, String completion,
            Optional<String> query) {
        if (query.isEmpty() || allowed == null) {
            return List.of();
        }
        List<String> words = language(original).words();
        String written = CopyQueryTarget.escaped(query.get());
        String expected = before + written + after;
        if (!completion.endsWith(expected)) {
            return List.of();
        }
        String head = completion.substring(0, completion.length() - expected.length() + before.length());
        String tail = completion.substring(completion.length() - after.length());
        int[] kept = alignedWords(words, written.split(" "));
        if (kept.length == 0) {
            return List.of();
        }
        var decisions = new ArrayList<WordDecision>();
        for (int t = beforeTokens.length; t < tokens.length; t++) {
            if (allowed[t] == null || allowed[t].length < 2 || spelling.isStop(tokens[t])) {
                continue;
            }
            int offset = tokenizer.decode(Arrays.copyOfRange(tokens, beforeTokens.length, t)).length();
            int writtenWord = offset >= written.length() ? kept.length : spacesThrough(written, offset);
            int decided = writtenWord == 0 ? 0 : kept[writtenWord - 1] + 1;
            if (decided >= words.size()) {
                continue;
            }
            boolean[] keep = new boolean[words.size()];
            for (int k : kept) {
                keep[k] = true;
            }
            keep[decided] = !keep[decided];
            var alternative = new StringBuilder();
            for (int k = 0; k < words.size(); k++) {
                if (keep[k]) {
                    alternative.append(alternative.isEmpty() ? "" : " ").append(words.get(k));
                }
            }
            if (!alternative.isEmpty()) {
                decisions.add(new WordDecision(t, decided, head + alternative + tail));
            }
        }
        return decisions;
    }

    /** The original word index of each written word (in order, at most {@link #MAX_SKIP} left out between); empty if none fits. */
    private static int[] alignedWords(List<String> words, String[] written) {
        int[] kept = new int[written.length];
        int at = -1;
        for (int m = 0; m < written.length; m++) {
            int found = -1;
            for (int k = at + 1; k < words.size() && k <= at + 1 + MAX_SKIP; k++) {
                if (words.get(k).equals(written[m])) {
                    found = k;
                    break;
                }
            }
            if (found < 0) {
                return new int[0];
            }
            kept[m] = found;
            at = found;
        }
        return kept;
    }

    /** The index of the written word a token starting at {@code offset} writes (a leading space starts the next). */
    private static int spacesThrough(String written, int offset) {
        int spaces = 0;
        for (int i = 0; i <= offset && i < written.length(); i++) {
            spaces += written.charAt(i) == ' ' ? 1 : 0;
        }
        return spaces;
    }

    private WordSubsequence language(String original) {
        return new WordSubsequence(original, MAX_SKIP, spelling::fewestTokens);
    }

    /**
     * One sequence: the tokens of the text before the query (forced, as the cold start wrote them), then the tokens
     * written since, from which everything else is read. Every token is the tokenizer's own spelling of a completion
     * the choices so far can still lead to (the whole completion encoded at once), so the only choices are which
     * words to keep, never how to spell one: a high sampling temperature explores words, not spellings the reward
     * cannot tell apart. Where no such completion's spelling continues the tokens written within the budget, any
     * token that keeps the text in the language is allowed.
     */
    private final class Cursor implements TokenConstraint.Sequence {
        private final WordSubsequence language;
        private final Map<String, int[]> encoded;
        private final List<Integer> written = new ArrayList<>();
        private int forced; // tokens of the text before the query written so far
        private int keepToken = -1; // among the tokens last allowed, the one that keeps every word left (the copy)

        private Cursor(WordSubsequence language, Map<String, int[]> encoded) {
            this.language = language;
            this.encoded = encoded;
        }

        @Override
        public boolean allows(int token, int remaining) {
            return Arrays.binarySearch(allowedTokens(spelling.vocabSize(), remaining), token) >= 0;
        }

        @Override
        public int[] allowedTokens(int vocab, int remaining) {
            if (forced < beforeTokens.length) {
                return new int[] {beforeTokens[forced]};
            }
            String text = tokenizer.decode(written.stream().mapToInt(Integer::intValue).toArray());
            int whole = wholeCharacters(text);
            int[] canonical = canonicalNext(text.substring(0, whole), remaining);
            if (canonical.length > 0) {
                return canonical;
            }
            int[] any = whole == text.length() ? anyFitting(text, vocab, remaining) : new int[0];
            // nothing keeps the text in the language (never expected): stop; the answer then does not parse
            return any.length > 0 ? any : spelling.stopTokens();
        }

        @Override
        public float greedyBonus(int token) {
            return token == keepToken ? keepMargin : 0f;
        }

        @Override
        public void accept(int token) {
            if (spelling.isStop(token)) {
                return;
            }
            if (forced < beforeTokens.length) {
                forced++;
            } else {
                written.add(token);
            }
        }

        /**
         * The next token of each completion {@code text} can still lead to, as the tokenizer spells it: per choice
         * open (finish the word being written, close the query, or go on with one of the next words), one completion
         * that makes the choice and then keeps every word left.
         */
        private int[] canonicalNext(String text, int remaining) {
            QueryText read = readQuery(language, text);
            if (read == null) {
                return new int[0];
            }
            List<String> queries = read.closed() ? List.of(text.substring(0, read.queryLength))
                    : language.completions(read.words, text);
            var next = new TreeSet<Integer>();
            int at = beforeTokens.length + written.size();
            keepToken = -1;
            int longest = -1;
            for (String query : queries) {
                int[] tokens = encoded.computeIfAbsent(before + query + after, tokenizer::encode);
                if (tokens.length + 1 - at > remaining || !startsWithWritten(tokens)) {
                    continue;
                }
                if (at < tokens.length) {
                    next.add(tokens[at]);
                    if (query.length() > longest) {
                        longest = query.length();
                        keepToken = tokens[at];
                    }
                } else {
                    for (int stop : spelling.stopTokens()) {
                        next.add(stop);
                    }
                }
            }
            return next.stream().mapToInt(Integer::intValue).toArray();
        }

        private boolean startsWithWritten(int[] tokens) {
            if (tokens.length < beforeTokens.length + written.size()
                    || !Arrays.equals(tokens, 0, beforeTokens.length, beforeTokens, 0, beforeTokens.length)) {
                return false;
            }
            for (int i = 0; i < written.size(); i++) {
                if (tokens[beforeTokens.length + i] != written.get(i)) {
                    return false;
                }
            }
            return true;
        }

        /** Every token that keeps {@code text} in the language within the budget, whatever its spelling. */
        private int[] anyFitting(String text, int vocab, int remaining) {
            QueryText base = readQuery(language, text);
            if (base == null) {
                return new int[0];
            }
            var allowed = new ArrayList<Integer>();
            // only tokens starting with a character the text can take next need the full check
            for (char c : spelling.firstChars()) {
                if (!base.copy().feed(c)) {
                    continue;
                }
                for (int token : spelling.startingWith(c)) {
                    QueryText next = base.copy();
                    if (token < vocab && next.feed(spelling.text(token)) && next.cost() <= remaining - 1) {
                        allowed.add(token);
                    }
                }
            }
            if (base.complete()) {
                for (int token : spelling.stopTokens()) {
                    allowed.add(token);
                }
            }
            return allowed.stream().mapToInt(Integer::intValue).sorted().toArray();
        }
    }

    /** {@code text}, written after the opening quote, read in {@code language}; null when it leaves the language. */
    private QueryText readQuery(WordSubsequence language, String text) {
        QueryText read = new QueryText(language.start());
        return read.feed(text) ? read : null;
    }

    /** The length of {@code text} without a trailing part of a character (byte tokens not yet whole). */
    private static int wholeCharacters(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return end;
    }

    /**
     * Where the text after the opening quote has got to: the query's words, then (once the query's string is closed
     * by its first unescaped quote) how much of the text after it.
     */
    private final class QueryText {
        private final WordSubsequence.State words;
        private int queryLength; // characters of the query's string content
        private boolean escaping; // the query's last character was an unescaped backslash
        private int afterMatched = -1; // -1 until the query's string is closed

        private QueryText(WordSubsequence.State words) {
            this.words = words;
        }

        QueryText copy() {
            QueryText copy = new QueryText(words.copy());
            copy.queryLength = queryLength;
            copy.escaping = escaping;
            copy.afterMatched = afterMatched;
            return copy;
        }

        boolean closed() {
            return afterMatched >= 0;
        }

        /** Whether the whole answer is written (a stop may come). */
        boolean complete() {
            return afterMatched == after.length();
        }

        boolean feed(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (!feed(text.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        boolean feed(char c) {
            if (closed()) {
                return afterMatched < after.length() && c == after.charAt(afterMatched++);
            }
            if (c == after.charAt(0) && !escaping) { // the closing quote (a quote in a word is escaped)
                if (!words.canClose()) {
                    return false;
                }
                afterMatched = 1;
                return true;
            }
            escaping = c == '\\' && !escaping;
            queryLength++;
            return words.feed(c);
        }

        /** The fewest tokens that finish the answer from here. */
        int cost() {
            if (closed()) {
                return spelling.fewestTokens(after.substring(afterMatched));
            }
            int finish = words.cheapestFinish();
            return finish >= TokenSpelling.UNREACHABLE ? TokenSpelling.UNREACHABLE
                    : finish + spelling.fewestTokens(after);
        }
    }
}
