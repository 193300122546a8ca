/**
 * Literature search as an environment: PICO tasks, the recall-tier environment, the PubMed (E-utilities ESearch) and
 * ClinicalTrials.gov (API v2) clients with their supervision (one rate limiter per API per node, {@code ApiBudgets}, a share of the rate on a cluster; one request per pooled
 * connection, circuit breaker, timeouts, retries honouring {@code Retry-After}), the search cache (LRU + R2DBC) and a
 * local Lucene engine. The server on 127.0.0.1 that speaks both APIs with injected faults lives in the test-support
 * module.
 *
 * <p>Depends on the Pekko HTTP client, R2DBC (through {@code sql.R2dbcDatabase}), Lucene (through {@code lucene}) and
 * Jackson; knows nothing of this project's actors, streams, http or CLI.
 */
package dev.deepretrieval.environments.search;
