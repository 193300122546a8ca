package dev.deepretrieval.policy.generation;

/** Why a sequence stopped. */
public enum StopReason {
    /** It produced one of the stop token ids. */
    STOP_TOKEN,
    /** Its decoded text came to contain a stop string. */
    STOP_STRING,
    /** It reached the token limit. */
    MAX_TOKENS,
    /** Its listener cancelled it (for example, the client went away). */
    CANCELLED
}
