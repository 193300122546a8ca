package dev.deepretrieval.http;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request passes: the body-size limit (413), per-client rate limiting (429 with {@code Retry-After}),
 * bearer-token authentication (401) for state-changing routes and, when configured, for reads too, and the mapping
 * of failures to JSON errors: invalid input 400 naming the field, overload 503. Bad input never yields a 500.
 */
final class ServiceGuards extends AllDirectives implements Authentication {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceGuards.class);

    private final ServeSettings settings;
    private final ClientRateLimiter limiter;

    ServiceGuards(ServeSettings settings, ClientRateLimiter limiter) {
        this.settings = settings;
        this.limiter = limiter;
    }

    /**
     * The whole service: {@code reads} and {@code writes} behind the guards. The write routes check the token themselves
     * with {@link #authenticated}, inside their path and method, so a request for something else is never answered 401.
     */
    Route guard(Route reads, Route writes) {
        return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
                withSizeLimit(settings.maxBodyBytes(), () -> rateLimited(() -> concat(
                        settings.protectReads() ? authenticated(() -> reads) : reads, writes)))));
    }

    /** Pekko's answers to rejected requests (404, 405, 413, ...) with the same JSON error body as the rest. */
    private static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity() instanceof org.apache.pekko.http.scaladsl.model.HttpEntity.Strict strict
                    && !response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                String type = response.status().intValue() == 413 ? "request_too_large"
                        : response.status().reason().toLowerCase(java.util.Locale.ROOT).replace(' ', '_');
                return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ServiceRoutes.text(
                        ResponseBodies.error(type, strict.data().utf8String(), null))));
            }
            return response;
        });
    }

    private Route rateLimited(Supplier<Route> inner) {
        return optionalHeaderValueByName("Authorization", authorization -> extractClientIP(address -> {
            String client = authorization.map(a -> "token:" + a.hashCode()).orElseGet(() -> "ip:" + addressOf(address));
            if (limiter.tryAcquire(client)) {
                return inner.get();
            }
            return complete(HttpResponse.create().withStatus(StatusCodes.TOO_MANY_REQUESTS)
                    .addHeader(RetryAfter.create(limiter.retryAfterSeconds(client)))
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ServiceRoutes.text(ResponseBodies.error(
                            "rate_limited", "more than " + settings.requestsPerSecond() + " requests/s (burst "
                                    + settings.burst() + ") from this client", null)))));
        }));
    }

    private static String addressOf(RemoteAddress address) {
        return address.getAddress().map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }

    /** {@code inner} when the request carries the bearer token (or none is configured), else 401. */
    @Override
    public Route authenticated(Supplier<Route> inner) {
        Optional<String> token = settings.authToken();
        if (token.isEmpty()) {
            return inner.get();
        }
        String expected = "Bearer " + token.get();
        return optionalHeaderValueByName("Authorization", given -> {
            if (given.isPresent() && constantTimeEquals(given.get(), expected)) {
                return inner.get();
            }
            return complete(HttpResponse.create().withStatus(StatusCodes.UNAUTHORIZED)
                    .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "deepretrieval")))
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ServiceRoutes.text(ResponseBodies.error(
                            "unauthorized", given.isPresent() ? "wrong bearer token" : "send Authorization: Bearer <token>",
                            null)))));
        });
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .match(InvalidRequest.class, e -> error(StatusCodes.BAD_REQUEST, "invalid_request", e.getMessage(),
                        e.field().isEmpty() ? null : e.field()))
                .match(Overloaded.class, e -> complete(HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                        .addHeader(RetryAfter.create(1L))
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                                ServiceRoutes.text(ResponseBodies.error("overloaded", e.getMessage(), null))))))
                .match(Conflict.class, e -> error(StatusCodes.CONFLICT, "conflict", e.getMessage(), null))
                .match(EntityStreamSizeException.class, e -> error(StatusCodes.PAYLOAD_TOO_LARGE, "request_too_large",
                        "the body is larger than " + settings.maxBodyBytes() + " bytes", null))
                .match(CompletionException.class, e -> unwrapped(e.getCause()))
                .matchAny(e -> {
                    LOG.error("request failed", e);
                    return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", "the server failed: " + e, null);
                })
                .build();
    }

    private Route unwrapped(Throwable cause) {
        if (cause instanceof InvalidRequest e) {
            return error(StatusCodes.BAD_REQUEST, "invalid_request", e.getMessage(), e.field().isEmpty() ? null : e.field());
        }
        if (cause instanceof Overloaded e) {
            return error(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", e.getMessage(), null);
        }
        LOG.error("request failed", cause);
        return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", "the server failed: " + cause, null);
    }

    private Route error(StatusCode status, String type, String message, String field) {
        return complete(HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(
                ContentTypes.APPLICATION_JSON, ServiceRoutes.text(ResponseBodies.error(type, message, field)))));
    }
}
