package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import picocli.CommandLine.Option;

/** Literature-search flags shared by eval and train: which engine, and where the APIs live. */
final class SearchOptions {

    @Option(names = "--engine", paramLabel = "pubmed|ctgov",
            description = "Literature tasks without a local corpus: the search engine (default from config).")
    String engine;

    @Option(names = "--pubmed-url", paramLabel = "URL",
            description = "Base URL of NCBI E-utilities (default from config: https://eutils.ncbi.nlm.nih.gov/entrez/eutils).")
    String pubmedUrl;

    @Option(names = "--ctgov-url", paramLabel = "URL",
            description = "Base URL of ClinicalTrials.gov (default from config: https://clinicaltrials.gov).")
    String ctgovUrl;

    /** The flags as the task families take them (null where the configuration decides). */
    SearchEndpoints endpoints() {
        return new SearchEndpoints(engine, pubmedUrl, ctgovUrl);
    }
}
