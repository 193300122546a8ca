package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.answer.AnswerGrammar;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.generation.TokenConstraint;

/**
 * Answer-format-constrained decoding for one policy and template: a token is allowed when the completion, with the
 * token's text appended, is still a prefix of a valid answer ({@link AnswerGrammar}) and the shortest way to finish
 * that answer still fits in the tokens left. So every guided generation ends well-formed, within its budget; a
 * generation that was already well-formed is never corrected (each of its tokens is allowed), so it keeps its tokens.
 * Stop tokens are allowed only once the answer is complete.
 */
public final class GuidedAnswer implements TokenConstraint {

    private static final int UNREACHABLE = TokenSpelling.UNREACHABLE;

    private final AnswerGrammar grammar;
    private final String prefill;
    private final TokenSpelling spelling;
    private final boolean[] plain;

    public GuidedAnswer(Policy policy, PromptTemplate template) {
        this.grammar = new AnswerGrammar(template.format(), template.answerKey());
        this.prefill = template.assistantPrefill();
        this.spelling = new TokenSpelling(policy);
        this.plain = new boolean[spelling.vocabSize()];
        for (int id = 0; id < plain.length; id++) {
            plain[id] = spelling.text(id) != null && AnswerGrammar.isPlain(spelling.text(id));
        }
        if (!grammar.start().feed(prefill)) {
            throw new IllegalArgumentException("template " + template.name() + ": its pre-fill '" + prefill
                + "' does not start a valid answer, so it cannot be guided");
        }
    }

    /** The fewest tokens a guided generation needs: those of the shortest valid answer after the pre-fill. */
    public int minimumTokens() {
        AnswerGrammar.State state = grammar.start();
        state.feed(prefill);
        return spelling.fewestTokens(state.shortestCompletion());
    }

    @Override
    public Sequence start() {
        AnswerGrammar.State state = grammar.start();
        state.feed(prefill);
        return new Sequence() {
            // the cost of finishing from the current state, when a plain token leaves it unchanged
            private boolean plainHere = state.inPlainText();
            private int finishHere = spelling.fewestTokens(state.shortestCompletion());

            @Override
            public boolean allows(int token, int remaining) {
                if (spelling.isStop(token)) {
                    return state.complete();
                }
                String text = spelling.text(token);
                if (text == null) {
                    return false;
                }
                if (plainHere && plain[token]) {
                    return finishHere <= remaining - 1;
                }
                AnswerGrammar.State next = state.copy();
                return next.feed(text) && spelling.fewestTokens(next.shortestCompletion()) <= remaining - 1;
            }

            @Override
            public void accept(int token) {
                if (!spelling.isStop(token) && spelling.text(token) != null) {
                    state.feed(spelling.text(token));
                    plainHere = state.inPlainText();
                    finishHere = state.dead() ? UNREACHABLE : spelling.fewestTokens(state.shortestCompletion());
                }
            }
        };
    }
}
