package dev.deepretrieval.environments.search;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET requests to one search API through everything a network needs: at most one request per pooled connection on
 * the wire, the node's token bucket, a circuit breaker
 * (opens after consecutive failures, half-opens after {@code breakerReset}), a per-attempt timeout, and retries with
 * jittered exponential backoff on 429, 5xx, timeouts, dropped connections and malformed bodies, honouring
 * {@code Retry-After}. A 4xx other than 429 is not retried. When the attempts are spent the stage fails with
 * {@link SearchApiException}, naming the request.
 */
public final class ResilientHttpClient {

    private static final Logger LOG = LoggerFactory.getLogger(ResilientHttpClient.class);
    private static final long BREAKER_TICK_MS = 50;

    /** A response status the caller cannot use. */
    static final class StatusFailure extends IOException {
        final int status;
        final Optional<Duration> retryAfter;

        StatusFailure(int status, Optional<Duration> retryAfter) {
            super("HTTP " + status);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    /** A body the caller's parser rejected. */
    static final class MalformedBody extends IOException {
        MalformedBody(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String api;
    private final ApiSettings settings;
    private final RequestRateLimiter limiter;
    private final Http http;
    private final Materializer materializer;
    private final ConnectionPoolSettings pool;
    private final CircuitBreaker breaker;
    private final RequestSlots slots;
    private final ActorSystem system;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public ResilientHttpClient(String api, ApiSettings settings, RequestRateLimiter limiter, ActorSystem system) {
        this.api = api;
        this.settings = settings;
        this.limiter = limiter;
        this.system = system;
        this.http = Http.get(system);
        this.materializer = Materializer.matFromSystem(system);
        int openRequests = Integer.highestOneBit(Math.max(32, settings.maxConnections() * 8));
        this.pool = ConnectionPoolSettings.create(system).withMaxConnections(settings.maxConnections())
                .withMaxOpenRequests(openRequests).withMaxRetries(0);
        this.slots = new RequestSlots(settings.maxConnections());
        this.breaker = CircuitBreaker.create(system.scheduler(), settings.breakerFailures(), settings.callTimeout(),
                settings.breakerReset());
        breaker.addOnOpenListener(() -> LOG.warn("{}: circuit breaker open after {} consecutive failures", api,
                settings.breakerFailures()));
        breaker.addOnCloseListener(() -> LOG.info("{}: circuit breaker closed", api));
    }

    /** The breaker, for its state. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** HTTP attempts made (first tries and retries). */
    public long attempts() {
        return attempts.get();
    }

    /** Attempts that were retries. */
    public long retries() {
        return retries.get();
    }

    /** Requests given up after every attempt. */
    public long failures() {
        return failures.get();
    }

    /**
     * GETs {@code uri} and parses the body; a parser's exception counts as a malformed body (retried).
     *
     * @param what the request in words, for logs and the final error (e.g. the query)
     */
    public <T> CompletionStage<T> get(String uri, String what, Function<String, T> parser) {
        return attempt(uri, what, parser, 1);
    }

    private <T> CompletionStage<T> attempt(String uri, String what, Function<String, T> parser, int number) {
        attempts.incrementAndGet();
        var sent = new java.util.concurrent.atomic.AtomicBoolean();
        var permit = new java.util.concurrent.atomic.AtomicReference<RequestRateLimiter.Permit>();
        CompletionStage<T> outcome = slots.acquire()
                .thenCompose(slot -> limiter.acquire())
                .thenCompose(held -> {
                    permit.set(held);
                    return breaker.callWithCircuitBreakerCS(() -> {
                        sent.set(true);
                        return once(uri, parser, held);
                    });
                })
                .whenComplete((value, error) -> {
                    if (!sent.get()) {
                        // the open breaker failed it before it went out
                        slots.release();
                        if (permit.get() != null) {
                            permit.get().release();
                        }
                    }
                });
        return outcome.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!retryable(cause) || number >= settings.maxAttempts()) {
                failures.incrementAndGet();
                LOG.warn("{}: giving up on {} after {} attempt(s): {}", api, what, number, cause.toString());
                return CompletableFuture.<T>failedFuture(new SearchApiException(api + " gave no answer for " + what
                        + " after " + number + " attempt(s): " + cause, cause));
            }
            long delay = delayMillis(cause, number);
            retries.incrementAndGet();
            LOG.debug("{}: retry {} of {} in {} ms after {}", api, number, what, delay, cause.toString());
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> attempt(uri, what, parser, number + 1));
        }).thenCompose(Function.identity());
    }

    /**
     * One request on the wire; its slot and rate token are given back when the exchange is over (even after the caller
     * timed out).
     */
    private <T> CompletionStage<T> once(String uri, Function<String, T> parser, RequestRateLimiter.Permit permit) {
        CompletionStage<T> exchange = http.singleRequest(HttpRequest.GET(uri), http.defaultClientHttpsContext(), pool,
                        system.log())
                .thenCompose(response -> {
                    int status = response.status().intValue();
                    if (status != 200) {
                        response.discardEntityBytes(materializer);
                        return CompletableFuture.failedFuture(new StatusFailure(status, retryAfter(response)));
                    }
                    return response.entity().toStrict(settings.callTimeout().toMillis(), materializer)
                            .thenApply(strict -> {
                                String body = strict.getData().utf8String();
                                try {
                                    return parser.apply(body);
                                } catch (RuntimeException e) {
                                    throw new CompletionException(new MalformedBody("malformed body: " + e.getMessage(), e));
                                }
                            });
                });
        exchange.whenComplete((value, error) -> {
            slots.release();
            permit.release();
        });
        return exchange;
    }

    private static boolean retryable(Throwable cause) {
        if (cause instanceof StatusFailure failure) {
            return failure.status == 429 || failure.status >= 500;
        }
        // timeouts, an open breaker, dropped or refused connections, truncated or malformed bodies
        return cause instanceof TimeoutException || cause instanceof CircuitBreakerOpenException
                || cause instanceof IOException || cause instanceof RuntimeException;
    }

    /** Jittered exponential backoff, at least what {@code Retry-After} or an open breaker asks for. */
    private long delayMillis(Throwable cause, int failedAttempt) {
        long base = Math.min(settings.backoffMax().toMillis(),
                settings.backoffMin().toMillis() << Math.min(20, failedAttempt - 1));
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        long asked = 0;
        if (cause instanceof StatusFailure failure && failure.retryAfter.isPresent()) {
            asked = failure.retryAfter.get().toMillis();
        } else if (cause instanceof CircuitBreakerOpenException open) {
            // the breaker half-opens on the scheduler's next tick after its reset timeout
            asked = open.remainingDuration().toMillis() + BREAKER_TICK_MS;
        }
        return Math.max(jittered, asked);
    }

    /** {@code Retry-After} as seconds or as an HTTP date. */
    static Optional<Duration> retryAfter(HttpResponse response) {
        Optional<HttpHeader> header = response.getHeader("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().value().strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException neither) {
                return Optional.empty();
            }
        }
    }
}
