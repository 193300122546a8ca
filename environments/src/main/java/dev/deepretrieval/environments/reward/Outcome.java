package dev.deepretrieval.environments.reward;

/** What scoring one completion came to, before it is turned into a reward. */
public sealed interface Outcome {

    /** The completion failed the task's format check. */
    record FormatInvalid() implements Outcome {}

    /**
     * The format passed but the answer could not be used (invalid JSON, a non-string query, SQL that failed to
     * run): the reference code's "exception" branch.
     */
    record AnswerUnusable() implements Outcome {}

    /** The answer was used and measured: recall, rank of the first hit, nDCG or execution match. */
    record Measured(double metric) implements Outcome {}
}
