package dev.deepretrieval.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.deepretrieval.environments.search.ClinicalTrialsSearch;
import dev.deepretrieval.environments.search.PubMedSearch;
import dev.deepretrieval.environments.search.SearchEngine;
import dev.deepretrieval.environments.search.SearchRequest;
import dev.deepretrieval.io.JsonMapping;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on this machine that speaks the two search APIs' protocols over a local engine: NCBI ESearch
 * ({@code /entrez/eutils/esearch.fcgi}, JSON, {@code retmax}/{@code retstart}) and ClinicalTrials.gov v2
 * ({@code /api/v2/studies}, {@code pageSize}/{@code pageToken}). It injects faults by a {@link FaultPlan}, can
 * simulate an outage (every request 503), and records every request's arrival — so clients are tested, and
 * benchmarked, against the protocol and its failures without the internet.
 */
public final class LiteratureApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapping.mapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");

    private final HttpServer server;
    private final ExecutorService handlers;
    private final SearchEngine engine;
    private final FaultPlan plan;
    private final SplittableRandom random;
    private final AtomicBoolean outage = new AtomicBoolean();
    private final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    private final Map<FaultPlan.Fault, AtomicLong> faults = new EnumMap<>(FaultPlan.Fault.class);
    private final AtomicLong outageAnswers = new AtomicLong();
    private final Map<String, List<String>> rankings = new java.util.concurrent.ConcurrentHashMap<>();

    private LiteratureApiServer(HttpServer server, ExecutorService handlers, SearchEngine engine, FaultPlan plan) {
        this.server = server;
        this.handlers = handlers;
        this.engine = engine;
        this.plan = plan;
        this.random = new SplittableRandom(plan.seed());
        for (FaultPlan.Fault fault : FaultPlan.Fault.values()) {
            faults.put(fault, new AtomicLong());
        }
    }

    /** Starts on 127.0.0.1 ({@code port} 0 = any free port). */
    public static LiteratureApiServer start(SearchEngine engine, FaultPlan plan, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        ExecutorService handlers = Executors.newFixedThreadPool(32);
        server.setExecutor(handlers);
        var api = new LiteratureApiServer(server, handlers, engine, plan);
        server.createContext("/entrez/eutils/esearch.fcgi", api::esearch);
        server.createContext("/api/v2/studies", api::studies);
        server.start();
        return api;
    }

    /** The ESearch base URL ({@code …/entrez/eutils}). */
    public String eutilsUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/entrez/eutils";
    }

    /** The ClinicalTrials.gov base URL. */
    public String clinicalTrialsUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** While on, every request is answered 503 (a sustained outage). */
    public void outage(boolean on) {
        outage.set(on);
    }

    /** Arrival times ({@link System#nanoTime()}) of every request so far. */
    public List<Long> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /** Requests that met {@code fault} (NONE: answered properly). */
    public long count(FaultPlan.Fault fault) {
        return faults.get(fault).get();
    }

    /** Requests answered 503 by the outage. */
    public long outageAnswers() {
        return outageAnswers.get();
    }

    /** The most requests that arrived within any {@code window} (a sliding window over the arrivals). */
    public int maxRequestsWithin(java.time.Duration window) {
        List<Long> times = new ArrayList<>(arrivals());
        Collections.sort(times);
        int best = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (times.get(to) - times.get(from) >= window.toNanos()) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    private FaultPlan.Fault arrive(HttpExchange exchange) throws IOException {
        arrivals.add(System.nanoTime());
        if (outage.get()) {
            outageAnswers.incrementAndGet();
            send(exchange, 503, "{\"error\": \"service unavailable\"}");
            return null;
        }
        FaultPlan.Fault fault;
        synchronized (random) {
            fault = plan.pick(random.nextDouble());
        }
        faults.get(fault).incrementAndGet();
        switch (fault) {
            case RATE_LIMITED -> {
                exchange.getResponseHeaders().add("Retry-After", "1");
                send(exchange, 429, "{\"error\": \"API rate limit exceeded\"}");
                return null;
            }
            case RATE_LIMITED_BARE -> {
                send(exchange, 429, "{\"error\": \"API rate limit exceeded\"}");
                return null;
            }
            case SERVER_ERROR -> {
                send(exchange, 500, "{\"error\": \"internal error\"}");
                return null;
            }
            case DROPPED -> {
                // no status line: the connection just closes
                exchange.close();
                return null;
            }
            case MALFORMED -> {
                send(exchange, 200, "{\"esearchresult\": {\"count\": \"3\", \"idlist\": [\"1\", ");
                return null;
            }
            case SLOW -> {
                try {
                    TimeUnit.MILLISECONDS.sleep(plan.slowDelay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return fault;
            }
            default -> {
                return fault;
            }
        }
    }

    private void esearch(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (arrive(exchange) == null) {
                return;
            }
            Map<String, String> query = parameters(exchange.getRequestURI());
            String term = query.getOrDefault("term", "");
            int retmax = integer(query, "retmax", 20);
            int retstart = integer(query, "retstart", 0);
            Optional<LocalDate> maxDate = Optional.ofNullable(query.get("maxdate")).map(d -> LocalDate.parse(d, DATE));
            List<String> all = results(term, maxDate);
            List<String> page = all.subList(Math.min(retstart, all.size()), Math.min(all.size(), retstart + retmax));
            ObjectNode body = JSON.createObjectNode();
            body.putObject("header").put("type", "esearch").put("version", "0.3");
            ObjectNode result = body.putObject("esearchresult");
            result.put("count", String.valueOf(all.size())).put("retmax", String.valueOf(page.size()))
                    .put("retstart", String.valueOf(retstart));
            page.forEach(result.putArray("idlist")::add);
            send(exchange, 200, JSON.writeValueAsString(body));
        }
    }

    private void studies(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (arrive(exchange) == null) {
                return;
            }
            Map<String, String> query = parameters(exchange.getRequestURI());
            int pageSize = Math.min(ClinicalTrialsSearch.MAX_PAGE, integer(query, "pageSize", 10));
            int offset = query.containsKey("pageToken") ? Integer.parseInt(query.get("pageToken").replace("offset-", "")) : 0;
            String term = query.getOrDefault("query.term", "");
            List<String> all = results(term, Optional.empty());
            List<String> page = all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + pageSize));
            ObjectNode body = JSON.createObjectNode();
            var studies = body.putArray("studies");
            for (String id : page) {
                studies.addObject().putObject("protocolSection").putObject("identificationModule").put("nctId", id);
            }
            if (offset + page.size() < all.size()) {
                body.put("nextPageToken", "offset-" + (offset + page.size()));
            }
            send(exchange, 200, JSON.writeValueAsString(body));
        }
    }

    /** The engine's ranking of a term (kept, as pages of one search ask for it again). */
    private List<String> results(String term, Optional<LocalDate> maxDate) {
        return rankings.computeIfAbsent(term + "\u0000" + maxDate.map(Object::toString).orElse(""), key -> engine.search(
                new SearchRequest(term.isBlank() ? " " : term, maxDate, PubMedSearch.MAX_POSITION)).toCompletableFuture().join());
    }

    private static Map<String, String> parameters(URI uri) {
        var out = new HashMap<String, String>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static int integer(Map<String, String> query, String name, int fallback) {
        try {
            return query.containsKey(name) ? Integer.parseInt(query.get(name)) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
