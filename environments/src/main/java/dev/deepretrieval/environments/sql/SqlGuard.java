package dev.deepretrieval.environments.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The first line of defence before generated SQL reaches a database (the second is a read-only transaction, a
 * statement timeout and a row cap at execution). Lexes the text — string literals, quoted identifiers and comments
 * understood — and allows exactly one statement that starts with {@code SELECT} or {@code WITH} and contains no
 * keyword that writes, changes the session or waits: total over all strings, never throws.
 */
public final class SqlGuard {

    private static final Set<String> FORBIDDEN = Set.of(
            "insert", "update", "delete", "merge", "upsert", "replace", "drop", "create", "alter", "truncate", "rename",
            "grant", "revoke", "set", "reset", "lock", "unlock", "call", "exec", "execute", "do", "copy", "load",
            "attach", "detach", "pragma", "vacuum", "analyze", "handler", "into", "outfile", "dumpfile", "load_file",
            "sleep", "benchmark", "pg_sleep", "pg_sleep_for", "pg_sleep_until", "pg_terminate_backend",
            "pg_cancel_backend", "get_lock", "lo_import", "lo_export", "dbms_lock", "runscript", "script", "shutdown",
            "checkpoint", "commit", "rollback", "savepoint", "begin", "start", "transaction", "prepare", "deallocate",
            "listen", "notify", "file_read", "file_write", "csvwrite", "csvread", "link_schema");

    private SqlGuard() {}

    public static SqlVerdict check(String sql) {
        if (sql == null || sql.isBlank()) {
            return SqlVerdict.rejected("empty SQL");
        }
        if (sql.length() > 20_000) {
            return SqlVerdict.rejected("SQL longer than 20,000 characters");
        }
        for (int k = 0; k < sql.length(); k++) {
            char c = sql.charAt(k);
            if (Character.isISOControl(c) && !Character.isWhitespace(c)) {
                return SqlVerdict.rejected("control character U+" + String.format("%04X", (int) c) + " in SQL");
            }
        }
        List<String> words = new ArrayList<>();
        int statementEnd = -1;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int close = closingQuote(sql, i, c);
                if (close < 0) {
                    return SqlVerdict.rejected("unterminated " + (c == '\'' ? "string literal" : "quoted identifier"));
                }
                if (statementEnd >= 0) {
                    return SqlVerdict.rejected("more than one statement");
                }
                i = close + 1;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                int newline = sql.indexOf('\n', i);
                i = newline < 0 ? n : newline + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                if (close < 0) {
                    return SqlVerdict.rejected("unterminated comment");
                }
                i = close + 2;
            } else if (c == ';') {
                if (statementEnd >= 0) {
                    return SqlVerdict.rejected("more than one statement");
                }
                statementEnd = i;
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                if (statementEnd >= 0) {
                    return SqlVerdict.rejected("more than one statement");
                }
                words.add(sql.substring(start, i).toLowerCase(Locale.ROOT));
            } else {
                if (statementEnd >= 0 && !Character.isWhitespace(c)) {
                    return SqlVerdict.rejected("more than one statement");
                }
                i++;
            }
        }
        if (words.isEmpty()) {
            return SqlVerdict.rejected("no SQL keywords");
        }
        if (!words.get(0).equals("select") && !words.get(0).equals("with")) {
            return SqlVerdict.rejected("only SELECT or WITH queries may run, got " + words.get(0).toUpperCase(Locale.ROOT));
        }
        for (String word : words) {
            if (FORBIDDEN.contains(word)) {
                return SqlVerdict.rejected("forbidden keyword " + word.toUpperCase(Locale.ROOT));
            }
        }
        String statement = (statementEnd >= 0 ? sql.substring(0, statementEnd) : sql).strip();
        return SqlVerdict.allowed(statement);
    }

    /** Index of the quote closing the one at {@code open} (doubled quotes escape), or -1. */
    private static int closingQuote(String sql, int open, char quote) {
        int i = open + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && quote == '\'' && i + 1 < sql.length()) {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i;
            }
            i++;
        }
        return -1;
    }
}
