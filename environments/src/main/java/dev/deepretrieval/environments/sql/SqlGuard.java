package dev.deepretrieval.environments.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The first line of defence before generated SQL reaches a database (the others, which are what make it safe: a
 * reader login that can only read the task data, a read-only transaction rolled back after each statement, a
 * statement timeout and a row cap). Lexes the text — string literals, quoted identifiers and comments understood —
 * and allows exactly one statement that starts with {@code SELECT} or {@code WITH} and contains no keyword that
 * writes, changes the session or waits, and none of the dialect's functions with side effects or server access
 * (a SELECT can call them): total over all strings, never throws.
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

    /** Functions and catalogues that change state or reach the server's files and credentials, per dialect. */
    private static final Set<String> POSTGRESQL_FORBIDDEN = Set.of(
            "set_config", "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir",
            "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir", "lo_create", "lo_creat", "lo_unlink",
            "lo_from_bytea", "lo_put", "lo_get", "lo_open", "lo_close", "lowrite", "loread", "lo_truncate",
            "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
            "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared", "pg_try_advisory_xact_lock",
            "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_all",
            "pg_advisory_unlock_shared", "nextval", "setval", "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal",
            "pg_create_restore_point", "pg_notify", "pg_logical_emit_message", "dblink", "dblink_exec",
            "query_to_xml", "query_to_xml_and_xmlschema", "table_to_xml", "cursor_to_xml", "pg_authid", "pg_shadow",
            "pg_user_mapping", "pg_user_mappings", "pg_hba_file_rules", "pg_file_settings", "pg_ident_file_mappings",
            "pg_import_system_collations", "txid_current", "pg_current_xact_id", "pg_terminate_backend");
    private static final Set<String> MARIADB_FORBIDDEN = Set.of(
            "get_lock", "release_lock", "release_all_locks", "is_free_lock", "is_used_lock", "master_pos_wait",
            "master_gtid_wait", "mysql", "performance_schema", "last_insert_id", "nextval", "setval", "lastval",
            "sys_exec", "sys_eval");

    private SqlGuard() {}

    /** As {@link #check(String)}, also refusing the dialect's dangerous functions and session variables. */
    public static SqlVerdict check(String sql, SqlDialect dialect) {
        SqlVerdict verdict = check(sql);
        if (!verdict.isAllowed()) {
            return verdict;
        }
        Set<String> forbidden = switch (dialect) {
            case POSTGRESQL -> POSTGRESQL_FORBIDDEN;
            case MARIADB, H2 -> MARIADB_FORBIDDEN;
        };
        Lexed lexed = lex(sql);
        for (String word : lexed.words()) {
            if (forbidden.contains(word)) {
                return SqlVerdict.rejected("forbidden function or catalogue " + word);
            }
        }
        if (dialect != SqlDialect.POSTGRESQL && lexed.variables()) {
            return SqlVerdict.rejected("session variables (@) are not allowed");
        }
        return verdict;
    }

    /** The dialect-independent checks (statement shape and keywords). */
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
        Lexed lexed = lex(sql);
        if (lexed.problem() != null) {
            return SqlVerdict.rejected(lexed.problem());
        }
        List<String> words = lexed.words();
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
        String statement = (lexed.statementEnd() >= 0 ? sql.substring(0, lexed.statementEnd()) : sql).strip();
        return SqlVerdict.allowed(statement);
    }

    /**
     * The text lexed: its words (lower case) and whether an {@code @} occurs, outside literals, quoted identifiers
     * and comments; where the first statement ends ({@code ;}, or -1); what makes it unusable, or null.
     */
    private record Lexed(List<String> words, boolean variables, int statementEnd, String problem) {}

    private static Lexed lex(String sql) {
        var words = new ArrayList<String>();
        boolean variables = false;
        int statementEnd = -1;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            boolean token = true;
            if (c == '\'' || c == '"' || c == '`') {
                int close = closingQuote(sql, i, c);
                if (close < 0) {
                    return new Lexed(words, variables, statementEnd,
                            "unterminated " + (c == '\'' ? "string literal" : "quoted identifier"));
                }
                i = close + 1;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                int newline = sql.indexOf('\n', i);
                i = newline < 0 ? n : newline + 1;
                token = false;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                if (close < 0) {
                    return new Lexed(words, variables, statementEnd, "unterminated comment");
                }
                i = close + 2;
                token = false;
            } else if (c == ';') {
                if (statementEnd >= 0) {
                    return new Lexed(words, variables, statementEnd, "more than one statement");
                }
                statementEnd = i;
                i++;
                token = false;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                words.add(sql.substring(start, i).toLowerCase(Locale.ROOT));
            } else {
                variables |= c == '@';
                token = !Character.isWhitespace(c);
                i++;
            }
            if (token && statementEnd >= 0) {
                return new Lexed(words, variables, statementEnd, "more than one statement");
            }
        }
        return new Lexed(words, variables, statementEnd, null);
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
