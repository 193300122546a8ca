/**
 * Reading the model's answer as the paper's reference code does: the think/answer format check, extraction of the
 * last {@code <answer>…</answer>} block and of the JSON field that carries the query ({@code "query"}) or SQL
 * ({@code "sql"}). Total over all strings: bad output is a result, never an exception.
 *
 * <p>Depends on Jackson only.
 */
package dev.deepretrieval.environments.answer;
