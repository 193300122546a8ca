package dev.deepretrieval.policy.generation;

/**
 * Restricts which tokens a sequence may take next (constrained decoding, as vLLM's guided decoding). The sampler
 * chooses among the allowed tokens only: greedy takes the most likely allowed token, sampling renormalises over
 * them. Reported log-probs stay those of the model's own (tempered) distribution, so a constrained generation that
 * the constraint never had to correct has the tokens and log-probs of the unconstrained one.
 */
public interface TokenConstraint {

    /** A fresh constraint state for one sequence. */
    Sequence start();

    /**
     * Whether the constraint is part of the policy rather than a correction of it: the policy then is the model's
     * distribution renormalised over the allowed tokens. Generation reports those renormalised log-probs and records
     * each step's allowed tokens ({@link GeneratedSequence#allowedTokens()}), so that a learner scores the very
     * distribution that was sampled, and probability never leaks to tokens the policy can never write.
     */
    default boolean definesPolicy() {
        return false;
    }

    /** One sequence's constraint state. Used by one thread at a time. */
    interface Sequence {

        /**
         * Whether {@code token} may come next when {@code remaining} tokens, this one included, are left in the
         * sequence's budget.
         */
        boolean allows(int token, int remaining);

        /** Records that {@code token} was chosen. */
        void accept(int token);

        /**
         * Under a constraint that defines the policy, greedy decoding only: added to {@code token}'s logit among the
         * tokens just allowed before the most likely is taken (a margin the others must beat); log-probs are
         * unaffected. 0 by default.
         */
        default float greedyBonus(int token) {
            return 0f;
        }

        /** Every token of {@code vocab} that {@link #allows} here, ascending. */
        default int[] allowedTokens(int vocab, int remaining) {
            int[] out = new int[vocab];
            int n = 0;
            for (int token = 0; token < vocab; token++) {
                if (allows(token, remaining)) {
                    out[n++] = token;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }
    }

    /** No restriction. */
    TokenConstraint NONE = () -> new Sequence() {
        @Override
        public boolean allows(int token, int remaining) {
            return true;
        }

        @Override
        public void accept(int token) {}
    };
}
