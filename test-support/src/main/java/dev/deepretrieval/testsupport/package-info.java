/**
 * Test doubles that are real servers: {@link dev.deepretrieval.testsupport.LiteratureApiServer} answers the PubMed
 * ESearch and ClinicalTrials.gov protocols on 127.0.0.1 from a local search engine, with the faults a
 * {@link dev.deepretrieval.testsupport.FaultPlan} injects (rate limits, errors, slow and malformed answers, outages).
 * The tests and {@code bench search} use them; the product's environments never do. Depends on environments.
 */
package dev.deepretrieval.testsupport;
