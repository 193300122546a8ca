package dev.deepretrieval.environments.sql;

import java.util.Optional;

/**
 * Whether model-written SQL may run.
 *
 * @param statement the single statement to run (trimmed, trailing semicolon removed) when allowed
 * @param rejection why it may not run, when rejected
 */
public record SqlVerdict(Optional<String> statement, Optional<String> rejection) {

    static SqlVerdict allowed(String statement) {
        return new SqlVerdict(Optional.of(statement), Optional.empty());
    }

    static SqlVerdict rejected(String reason) {
        return new SqlVerdict(Optional.empty(), Optional.of(reason));
    }

    public boolean isAllowed() {
        return statement.isPresent();
    }
}
