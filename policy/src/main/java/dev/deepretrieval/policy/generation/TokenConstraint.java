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

    /** One sequence's constraint state. Used by one thread at a time. */
    interface Sequence {

        /**
         * Whether {@code token} may come next when {@code remaining} tokens, this one included, are left in the
         * sequence's budget.
         */
        boolean allows(int token, int remaining);

        /** Records that {@code token} was chosen. */
        void accept(int token);
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
