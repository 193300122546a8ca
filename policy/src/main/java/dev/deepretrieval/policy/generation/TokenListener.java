package dev.deepretrieval.policy.generation;

/** Hears each token of a generation as it is chosen (streaming), and may cancel a sequence. Called on the generating thread. */
public interface TokenListener {

    /** Hears nothing and cancels nothing. */
    TokenListener NONE = new TokenListener() {
        @Override
        public void onToken(int sequence, int token) {}
    };

    /** Sequence {@code sequence} (its index in the batch) just produced {@code token}. */
    void onToken(int sequence, int token);

    /** Whether sequence {@code sequence} should stop before its next token. */
    default boolean cancelled(int sequence) {
        return false;
    }
}
