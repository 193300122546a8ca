package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.answer.AnswerGrammar;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.TokenConstraint;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answer-format-constrained decoding for one policy and template: a token is allowed when the completion, with the
 * token's text appended, is still a prefix of a valid answer ({@link AnswerGrammar}) and the shortest way to finish
 * that answer still fits in the tokens left. So every guided generation ends well-formed, within its budget; a
 * generation that was already well-formed is never corrected (each of its tokens is allowed), so it keeps its tokens.
 * Stop tokens are allowed only once the answer is complete.
 */
public final class GuidedAnswer implements TokenConstraint {

    private static final int UNREACHABLE = Integer.MAX_VALUE / 4;

    private final AnswerGrammar grammar;
    private final String prefill;
    private final String[] tokenTexts;
    private final boolean[] plain;
    private final Set<Integer> stopTokenIds;
    private final Set<String> spellable = new HashSet<>();
    private final int longestText;
    private final Map<String, Integer> fewestTokens = new ConcurrentHashMap<>();

    public GuidedAnswer(Policy policy, PromptTemplate template) {
        this.grammar = new AnswerGrammar(template.format(), template.answerKey());
        this.prefill = template.assistantPrefill();
        this.stopTokenIds = Set.copyOf(policy.stopTokenIds());
        int vocab = policy.config().vocabSize();
        this.tokenTexts = new String[vocab];
        this.plain = new boolean[vocab];
        int longest = 1;
        for (int id = 0; id < vocab; id++) {
            if (stopTokenIds.contains(id)) {
                continue;
            }
            String text;
            try {
                text = policy.tokenizer().decode(new int[] {id});
            } catch (RuntimeException e) {
                continue; // an id the tokenizer does not know is never allowed
            }
            if (!text.isEmpty() && text.indexOf('\uFFFD') < 0) {
                spellable.add(text);
                longest = Math.max(longest, text.length());
            }
            tokenTexts[id] = text;
            plain[id] = AnswerGrammar.isPlain(text);
        }
        this.longestText = longest;
        if (!grammar.start().feed(prefill)) {
            throw new IllegalArgumentException("template " + template.name() + ": its pre-fill '" + prefill
                + "' does not start a valid answer, so it cannot be guided");
        }
    }

    /** The fewest tokens a guided generation needs: those of the shortest valid answer after the pre-fill. */
    public int minimumTokens() {
        AnswerGrammar.State state = grammar.start();
        state.feed(prefill);
        return fewestTokens(state.shortestCompletion());
    }

    @Override
    public Sequence start() {
        AnswerGrammar.State state = grammar.start();
        state.feed(prefill);
        return new Sequence() {
            // the cost of finishing from the current state, when a plain token leaves it unchanged
            private boolean plainHere = state.inPlainText();
            private int finishHere = fewestTokens(state.shortestCompletion());

            @Override
            public boolean allows(int token, int remaining) {
                if (stopTokenIds.contains(token)) {
                    return state.complete();
                }
                String text = token < tokenTexts.length ? tokenTexts[token] : null;
                if (text == null) {
                    return false;
                }
                if (plainHere && plain[token]) {
                    return finishHere <= remaining - 1;
                }
                AnswerGrammar.State next = state.copy();
                return next.feed(text) && fewestTokens(next.shortestCompletion()) <= remaining - 1;
            }

            @Override
            public void accept(int token) {
                if (!stopTokenIds.contains(token) && token < tokenTexts.length && tokenTexts[token] != null) {
                    state.feed(tokenTexts[token]);
                    plainHere = state.inPlainText();
                    finishHere = state.dead() ? UNREACHABLE : fewestTokens(state.shortestCompletion());
                }
            }
        };
    }

    /** The fewest tokens whose texts spell {@code text} exactly (0 for the empty text). */
    int fewestTokens(String text) {
        Integer known = fewestTokens.get(text);
        if (known != null) {
            return known;
        }
        int[] best = new int[text.length() + 1];
        Arrays.fill(best, UNREACHABLE);
        best[text.length()] = 0;
        for (int from = text.length() - 1; from >= 0; from--) {
            for (int length = 1; length <= Math.min(longestText, text.length() - from); length++) {
                if (best[from + length] < UNREACHABLE && spellable.contains(text.substring(from, from + length))) {
                    best[from] = Math.min(best[from], best[from + length] + 1);
                }
            }
        }
        fewestTokens.put(text, best[0]);
        return best[0];
    }
}
