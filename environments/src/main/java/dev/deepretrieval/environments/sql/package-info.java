/**
 * Text-to-SQL: guarding model-written SQL (one read-only query, nothing that writes, waits or escapes) and comparing
 * result sets as the paper does (sets of row tuples; an order-sensitive option for ORDER BY queries).
 *
 * <p>Depends on the JDK only; execution over R2DBC builds on these.
 */
package dev.deepretrieval.environments.sql;
