package dev.deepretrieval.testsupport;

import java.time.Duration;

/**
 * Faults a {@link LiteratureApiServer} injects, each a share of requests (drawn in this order from one seeded
 * generator): 429 with {@code Retry-After}, 429 without, 500, a response slower than {@code slowDelay}, a dropped
 * connection, and a 200 whose body is not JSON. The rest are answered properly.
 */
public record FaultPlan(double rateLimited, double rateLimitedBare, double serverError, double slow, Duration slowDelay,
        double dropped, double malformed, long seed) {

    public FaultPlan {
        double total = rateLimited + rateLimitedBare + serverError + slow + dropped + malformed;
        if (rateLimited < 0 || rateLimitedBare < 0 || serverError < 0 || slow < 0 || dropped < 0 || malformed < 0
                || total > 1) {
            throw new IllegalArgumentException("fault shares must be >= 0 and sum to at most 1: " + this);
        }
    }

    /** Every request answered properly. */
    public static FaultPlan none() {
        return new FaultPlan(0, 0, 0, 0, Duration.ZERO, 0, 0, 0);
    }

    /** What to do with one request. */
    public enum Fault { NONE, RATE_LIMITED, RATE_LIMITED_BARE, SERVER_ERROR, SLOW, DROPPED, MALFORMED }

    /** The fault for a draw {@code u} in [0, 1). */
    public Fault pick(double u) {
        double edge = rateLimited;
        if (u < edge) {
            return Fault.RATE_LIMITED;
        }
        if (u < (edge += rateLimitedBare)) {
            return Fault.RATE_LIMITED_BARE;
        }
        if (u < (edge += serverError)) {
            return Fault.SERVER_ERROR;
        }
        if (u < (edge += slow)) {
            return Fault.SLOW;
        }
        if (u < (edge += dropped)) {
            return Fault.DROPPED;
        }
        if (u < edge + malformed) {
            return Fault.MALFORMED;
        }
        return Fault.NONE;
    }
}
