package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.beir.DatasetFiles;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.search.ApiSettings;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.ClinicalTrialsSearch;
import dev.deepretrieval.environments.search.LocalSearchEngine;
import dev.deepretrieval.environments.search.PubMedSearch;
import dev.deepretrieval.environments.search.ApiBudgets;
import dev.deepretrieval.environments.search.RequestRateLimiter;
import dev.deepretrieval.environments.search.ResilientHttpClient;
import dev.deepretrieval.environments.search.SearchEngine;
import dev.deepretrieval.environments.search.SearchResultStore;
import dev.deepretrieval.environments.sql.R2dbcDatabase;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.ActorSystem;

/**
 * Builds the search engine of a literature task folder from {@code deepretrieval.search}: a local Lucene engine when
 * the folder holds a corpus, otherwise PubMed or ClinicalTrials.gov through the resilient client (one token bucket per
 * API on this node); either behind the search cache.
 */
public final class SearchSetup {

    private static final String PREFIX = "deepretrieval.search.";

    private SearchSetup() {}

    /** Whether a task folder carries its own corpus (searched by the local engine rather than an API). */
    public static boolean hasLocalCorpus(Path folder) {
        return DatasetFiles.plainOrGzipped(folder.resolve("corpus.jsonl")).isPresent();
    }

    /** The prompt template literature tasks are written with by default: the engine's. */
    public static String templateFor(Settings settings, Path folder, SearchEndpoints endpoints) {
        return hasLocalCorpus(folder) ? "pubmed" : engineName(settings, endpoints);
    }

    public static String engineName(Settings settings, SearchEndpoints endpoints) {
        String name = endpoints.engine() != null ? endpoints.engine() : settings.text(PREFIX + "engine");
        if (!name.equals("pubmed") && !name.equals("ctgov")) {
            throw settings.bad(PREFIX + "engine", "must be pubmed or ctgov, got " + name);
        }
        return name;
    }

    /**
     * The cached engine for {@code folder}'s tasks; what it opens goes to {@code owned}.
     *
     * @param system the node's actor system, for the API client (asked for only when the engine is remote)
     */
    public static CachedSearchEngine engine(Settings settings, String datasetName, Path folder,
            SearchEndpoints endpoints, Supplier<ActorSystem> system, Progress progress, OwnedResources owned) {
        SearchEngine engine = hasLocalCorpus(folder) ? local(settings, datasetName, folder, progress, owned)
                : remote(settings, engineName(settings, endpoints), endpoints, system.get(), owned);
        ExecutorService storeIo = owned.add(Executors.newSingleThreadExecutor());
        String store = settings.text(PREFIX + "cache.store");
        Optional<SearchResultStore> persistent = switch (store) {
            case "none" -> Optional.empty();
            case "embedded" -> Optional.of(new SearchResultStore(R2dbcDatabase.embedded(
                    settings.path("deepretrieval.cache-dir").resolve("search").resolve("results"))));
            default -> Optional.of(new SearchResultStore(R2dbcDatabase.of(store)));
        };
        return owned.add(new CachedSearchEngine(engine, settings.positiveInt(PREFIX + "cache.memory-entries"), persistent,
                storeIo));
    }

    /** The local Lucene engine over {@code folder}'s corpus (searched with the model's Boolean queries). */
    public static SearchEngine local(Settings settings, String name, Path folder, Progress progress,
            OwnedResources owned) {
        FlatBm25Index index = owned.add(FlatBm25Index.openOrBuild(Corpus.in(name, folder, "corpus.jsonl"),
                settings.path("deepretrieval.cache-dir"), progress));
        ExecutorService pool = owned.add(Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads")));
        return new LocalSearchEngine("local-" + name, index.searcher(Bm25Settings.configured(settings),
                settings.positiveInt("deepretrieval.bm25.max-query-clauses")), pool);
    }

    private static SearchEngine remote(Settings settings, String api, SearchEndpoints endpoints, ActorSystem system,
            OwnedResources owned) {
        String key = settings.text(PREFIX + "pubmed.api-key");
        ApiSettings apiSettings = apiSettings(settings, api, api.equals("pubmed") ? endpoints.pubmedUrl() : endpoints.ctgovUrl(),
                api.equals("pubmed") && !key.isBlank());
        RequestRateLimiter limiter = ApiBudgets.get(system).limiter(api, apiSettings.requestsPerSecond());
        var client = new ResilientHttpClient(api, apiSettings, limiter, system);
        if (api.equals("pubmed")) {
            return new PubMedSearch(client, apiSettings.baseUrl(), settings.positiveInt(PREFIX + "pubmed.page-size"),
                    Optional.of(key), settings.text(PREFIX + "pubmed.tool"), settings.text(PREFIX + "pubmed.email"));
        }
        return new ClinicalTrialsSearch(client, apiSettings.baseUrl());
    }

    /** An API's settings; PubMed's rate is the keyed one when an API key is set. */
    public static ApiSettings apiSettings(Settings settings, String api, String urlOverride, boolean keyed) {
        String at = PREFIX + api + ".";
        try {
            return new ApiSettings(urlOverride != null ? urlOverride : settings.text(at + "base-url"),
                    settings.number(at + (keyed ? "requests-per-second-with-key" : "requests-per-second")),
                    settings.raw().getDuration(at + "call-timeout"), settings.positiveInt(at + "max-attempts"),
                    settings.raw().getDuration(at + "backoff-min"), settings.raw().getDuration(at + "backoff-max"),
                    settings.positiveInt(at + "breaker-failures"), settings.raw().getDuration(at + "breaker-reset"),
                    settings.positiveInt(at + "max-connections"));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX + api, e.getMessage());
        }
    }
}
