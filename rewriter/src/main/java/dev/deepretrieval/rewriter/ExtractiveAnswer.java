package dev.deepretrieval.rewriter;

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
    private final String before;
    private final String after;

    public ExtractiveAnswer(Policy policy, PromptTemplate template) {
        if (!template.answerKey().equals("query")) {
            throw new IllegalArgumentException("extractive rewrites are for search queries; template " + template.name()
                    + " answers with '" + template.answerKey() + "'");
        }
        this.spelling = new TokenSpelling(policy);
        CopyQueryTarget.Scaffold scaffold = CopyQueryTarget.scaffold(template);
        this.before = scaffold.before();
        this.after = scaffold.after();
    }

    /** The fewest tokens an extractive answer of {@code original} needs (its shortest word kept). */
    public int minimumTokens(String original) {
        String shortest = new WordSubsequence(original, MAX_SKIP).start().shortestRemainder();
        return shortest == null ? TokenSpelling.UNREACHABLE
                : spelling.fewestTokens(before) + spelling.fewestTokens(shortest) + spelling.fewestTokens(after);
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
                return new Cursor(words.start());
            }

            @Override
            public boolean definesPolicy() {
                return true; // the policy is the choice of words: its log-probs are over the allowed tokens
            }
        };
    }

    /** One sequence: how much of the text before the query is written, the query's words, then the text after. */
    private final class Cursor implements TokenConstraint.Sequence {
        private int beforeMatched;
        private final WordSubsequence.State words;
        private boolean inQuery;
        private boolean escaping; // the query's last character was an unescaped backslash
        private int afterMatched = -1; // -1 until the query's string is closed

        private Cursor(WordSubsequence.State words) {
            this.words = words;
        }

        private Cursor(Cursor other) {
            this.beforeMatched = other.beforeMatched;
            this.words = other.words.copy();
            this.inQuery = other.inQuery;
            this.escaping = other.escaping;
            this.afterMatched = other.afterMatched;
        }

        @Override
        public boolean allows(int token, int remaining) {
            if (spelling.isStop(token)) {
                return afterMatched == after.length();
            }
            String text = spelling.text(token);
            if (text == null) {
                return false;
            }
            Cursor next = new Cursor(this);
            return next.feed(text) && next.cost() <= remaining - 1;
        }

        @Override
        public int[] allowedTokens(int vocab, int remaining) {
            // only tokens starting with a character the cursor can take next need the full check
            var allowed = new java.util.ArrayList<Integer>();
            for (char c : spelling.firstChars()) {
                if (new Cursor(this).feed(c)) {
                    for (int token : spelling.startingWith(c)) {
                        if (token < vocab && allows(token, remaining)) {
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
            String text = spelling.text(token);
            if (!spelling.isStop(token) && text != null && !feed(text)) {
                throw new IllegalStateException("token " + token + " was chosen against the extractive constraint");
            }
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
            String remainder = words.shortestRemainder();
            if (remainder == null) {
                return TokenSpelling.UNREACHABLE;
            }
            String rest = inQuery ? "" : before.substring(beforeMatched);
            return spelling.fewestTokens(rest) + spelling.fewestTokens(remainder) + spelling.fewestTokens(after);
        }
    }
}
