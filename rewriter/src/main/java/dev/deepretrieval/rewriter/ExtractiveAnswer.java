package dev.deepretrieval.rewriter;

import dev.deepretrieval.policy.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.TokenConstraint;

/**
 * Extractive rewrites (query reduction) as constrained decoding: the completion is the format's canonical text
 * ({@link CopyQueryTarget#scaffold}: the fixed thought, the answer tags, the JSON key) around a query made of the
 * original query's words, some left out (never two neighbours), in their order ({@link WordSubsequence}). The policy's only choice is which
 * words to keep, so sampled rollouts explore word choices rather than malformed text, and a policy that copies the
 * query keeps every word. Tokens outside the query are forced; they are the same in every sample of a prompt.
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
    private final java.util.function.ToIntFunction<String> tokensOf; // one instance: word tails are cached per function

    public ExtractiveAnswer(Policy policy, PromptTemplate template) {
        if (!template.answerKey().equals("query")) {
            throw new IllegalArgumentException("extractive rewrites are for search queries; template " + template.name()
                    + " answers with '" + template.answerKey() + "'");
        }
        this.spelling = new TokenSpelling(policy);
        this.tokenizer = policy.tokenizer();
        CopyQueryTarget.Scaffold scaffold = CopyQueryTarget.scaffold(template);
        this.before = scaffold.before();
        this.beforeTokens = policy.tokenizer().encode(before);
        this.after = scaffold.after();
        this.tokensOf = spelling::fewestTokens;
    }

    /** The fewest tokens an extractive answer of {@code original} needs (its shortest word kept). */
    public int minimumTokens(String original) {
        int words = new WordSubsequence(original, MAX_SKIP).start().cheapestFinish(tokensOf);
        return words >= TokenSpelling.UNREACHABLE ? TokenSpelling.UNREACHABLE
                : beforeTokens.length + words + spelling.fewestTokens(after);
    }

    /** The constraint for rewrites of {@code original}. */
    public TokenConstraint of(String original) {
        var words = new WordSubsequence(original, MAX_SKIP);
        if (words.words().isEmpty()) {
            throw new IllegalArgumentException("an extractive rewrite needs an original query with at least one word");
        }
        return new TokenConstraint() {
            @Override
            public Sequence start() {
                return new Cursor(words, new HashMap<>());
            }

            @Override
            public boolean definesPolicy() {
                return true; // the policy is the choice of words: its log-probs are over the allowed tokens
            }
        };
    }

    /**
     * One sequence: how much of the text before the query is written, the query's words, then the text after. Every
     * token is the tokenizer's own spelling of a completion the choices so far can still lead to (as the cold start
     * wrote them: the whole completion encoded at once), so the only choices are which words to keep, never how to
     * spell one: a high sampling temperature explores words, not spellings the reward cannot tell apart. Where no
     * such completion's spelling continues the tokens written (text the tokenizer splits across a choice), any
     * token that keeps the text in the language is allowed.
     */
    private final class Cursor implements TokenConstraint.Sequence {
        private final WordSubsequence language;
        private final Map<String, int[]> encoded; // completions already encoded, shared by the copies of a cursor
        private final List<Integer> written = new ArrayList<>();
        private final List<Integer> pending = new ArrayList<>(); // byte tokens of a character not yet whole
        private boolean lost; // the character-level state could not follow (the fallback then allows only stops)
        private int forced; // tokens of the text before the query written so far
        private int beforeMatched;
        private final WordSubsequence.State words;
        private boolean inQuery;
        private boolean escaping; // the query's last character was an unescaped backslash
        private int afterMatched = -1; // -1 until the query's string is closed

        private Cursor(WordSubsequence language, Map<String, int[]> encoded) {
            this.language = language;
            this.encoded = encoded;
            this.words = language.start();
        }

        private Cursor(Cursor other) {
            this.language = other.language;
            this.encoded = other.encoded;
            this.written.addAll(other.written);
            this.pending.addAll(other.pending);
            this.lost = other.lost;
            this.forced = other.forced;
            this.beforeMatched = other.beforeMatched;
            this.words = other.words.copy();
            this.inQuery = other.inQuery;
            this.escaping = other.escaping;
            this.afterMatched = other.afterMatched;
        }

        @Override
        public boolean allows(int token, int remaining) {
            return Arrays.binarySearch(allowedTokens(spelling.vocabSize(), remaining), token) >= 0;
        }

        /** Whether {@code token} keeps the text in the language, within the budget (spelling aside). */
        private boolean fits(int token, int remaining) {
            if (spelling.isStop(token)) {
                return afterMatched == after.length();
            }
            String text = spelling.text(token);
            if (text == null || forced < beforeTokens.length && token != beforeTokens[forced]) {
                return false;
            }
            Cursor next = new Cursor(this);
            return next.feed(text) && next.cost() <= remaining - 1;
        }

        @Override
        public int[] allowedTokens(int vocab, int remaining) {
            if (forced < beforeTokens.length) {
                return new int[] {beforeTokens[forced]};
            }
            int[] canonical = canonicalNext(remaining);
            if (canonical.length > 0) {
                return canonical;
            }
            int[] any = lost ? new int[0] : anyFitting(vocab, remaining);
            // nothing keeps the text in the language (never expected): stop; the answer then does not parse
            return any.length > 0 ? any : spelling.stopTokens();
        }

        /**
         * The next token of each completion the text so far can still lead to, as the tokenizer spells it: per choice
         * open here (keep the word being written, or the word after it, or close the query), one completion that
         * makes the choice and then keeps every word left.
         */
        private int[] canonicalNext(int remaining) {
            String query = queryWritten();
            var next = new TreeSet<Integer>();
            for (String completion : completions(query)) {
                int[] tokens = encoded.computeIfAbsent(before + completion + after, tokenizer::encode);
                int at = beforeTokens.length + written.size();
                if (tokens.length + 1 - at > remaining || !startsWithWritten(tokens)) {
                    continue;
                }
                if (at < tokens.length) {
                    next.add(tokens[at]);
                } else {
                    for (int stop : spelling.stopTokens()) {
                        next.add(stop);
                    }
                }
            }
            return next.stream().mapToInt(Integer::intValue).toArray();
        }

        /**
         * The text written after the opening quote, decoded from the tokens (so a character spread over several
         * byte tokens counts once it is whole; a trailing part of one is left out: the completions that finish it
         * still spell the tokens written).
         */
        private String queryWritten() {
            String text = tokenizer.decode(written.stream().mapToInt(Integer::intValue).toArray());
            int end = text.length();
            while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            return text.substring(0, end);
        }

        /** Full queries in the language that continue {@code text}, one per choice open after it. */
        private List<String> completions(String text) {
            int close = closingQuote(text);
            if (close >= 0) {
                return List.of(text.substring(0, close)); // closed: only the text after the query is left
            }
            WordSubsequence.State state = language.start();
            for (int i = 0; i < text.length(); i++) {
                if (!state.feed(text.charAt(i))) {
                    return List.of();
                }
            }
            return language.completions(state, text);
        }

        private boolean startsWithWritten(int[] tokens) {
            int offset = beforeTokens.length;
            if (tokens.length < offset + written.size()) {
                return false;
            }
            for (int i = 0; i < beforeTokens.length; i++) {
                if (tokens[i] != beforeTokens[i]) {
                    return false;
                }
            }
            for (int i = 0; i < written.size(); i++) {
                if (tokens[offset + i] != written.get(i)) {
                    return false;
                }
            }
            return true;
        }

        /** Every token that keeps the text in the language within the budget, whatever its spelling. */
        private int[] anyFitting(int vocab, int remaining) {
            // only tokens starting with a character the cursor can take next need the full check
            var allowed = new ArrayList<Integer>();
            for (char c : spelling.firstChars()) {
                if (new Cursor(this).feed(c)) {
                    for (int token : spelling.startingWith(c)) {
                        if (token < vocab && fits(token, remaining)) {
                            allowed.add(token);
                        }
                    }
                }
            }
            if (afterMatched == after.length()) {
                for (int token : spelling.stopTokens()) {
                    allowed.add(token);
                }
            }
            return allowed.stream().mapToInt(Integer::intValue).sorted().toArray();
        }

        @Override
        public void accept(int token) {
            if (spelling.isStop(token)) {
                return;
            }
            if (forced < beforeTokens.length) {
                forced++;
                lost |= !feed(spelling.text(token));
                return;
            }
            written.add(token);
            // the character-level state serves the fallback only; a token that is part of a character waits for
            // the rest of it
            pending.add(token);
            String text = tokenizer.decode(pending.stream().mapToInt(Integer::intValue).toArray());
            if (text.indexOf('\uFFFD') < 0) {
                pending.clear();
                lost |= !feed(text);
            }
        }

        /** Where the query's string closes in {@code text} (its first quote not escaped), or -1. */
        private static int closingQuote(String text) {
            boolean escaped = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' && !escaped) {
                    return i;
                }
                escaped = c == '\\' && !escaped;
            }
            return -1;
        }

        private boolean feed(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (!feed(text.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        private boolean feed(char c) {
            if (!inQuery && afterMatched < 0) {
                if (c != before.charAt(beforeMatched)) {
                    return false;
                }
                inQuery = ++beforeMatched == before.length();
                return true;
            }
            if (inQuery) {
                if (c == after.charAt(0) && !escaping) { // the closing quote (a quote in a word is escaped)
                    if (!words.canClose()) {
                        return false;
                    }
                    inQuery = false;
                    afterMatched = 1;
                    return true;
                }
                escaping = c == '\\' && !escaping;
                return words.feed(c);
            }
            return afterMatched < after.length() && c == after.charAt(afterMatched++);
        }

        /** The fewest tokens that finish the answer from here. */
        private int cost() {
            if (afterMatched >= 0) {
                return spelling.fewestTokens(after.substring(afterMatched));
            }
            int words = this.words.cheapestFinish(tokensOf);
            return words >= TokenSpelling.UNREACHABLE ? TokenSpelling.UNREACHABLE
                    : (beforeTokens.length - forced) + words + spelling.fewestTokens(after);
        }
    }
}
