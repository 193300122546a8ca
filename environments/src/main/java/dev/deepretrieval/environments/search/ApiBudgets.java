package dev.deepretrieval.environments.search;

import java.util.Map;
import java.util.HashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request budget per external API on this node (one actor system per JVM): every client of an API — every
 * training run, evaluation and scoring entity that searches PubMed — draws on the same {@link RequestRateLimiter},
 * so the node as a whole keeps to the API's rate however many runs it serves. On a cluster each node keeps to its
 * share ({@link #shareAmong}): the rate divided by the nodes that call the APIs.
 */
public final class ApiBudgets implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(ApiBudgets.class);

    private static final class Id extends AbstractExtensionId<ApiBudgets> {
        @Override
        public ApiBudgets createExtension(ExtendedActorSystem system) {
            return new ApiBudgets();
        }
    }

    private static final Id ID = new Id();

    private final Map<String, RequestRateLimiter> limiters = new HashMap<>(); // guarded by this
    private int ways = 1; // guarded by this

    private ApiBudgets() {}

    public static ApiBudgets get(ActorSystem system) {
        return ID.get(system);
    }

    /**
     * The node's limiter of {@code api}, made at the first call with {@code requestsPerSecond} (the API's whole rate);
     * a later call with another rate gets the same limiter (a node has one budget per API) and a warning.
     */
    public synchronized RequestRateLimiter limiter(String api, double requestsPerSecond) {
        RequestRateLimiter limiter = limiters.computeIfAbsent(api, a -> {
            var made = new RequestRateLimiter(requestsPerSecond);
            made.share(ways);
            return made;
        });
        if (limiter.requestsPerSecond() != requestsPerSecond) {
            LOG.warn("{} is limited to {} requests/s on this node (its first client's setting), not {}", api,
                    limiter.requestsPerSecond(), requestsPerSecond);
        }
        return limiter;
    }

    /** Keeps every API, now and later, to a {@code 1/nodes} share of its rate on this node. */
    public synchronized void shareAmong(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a budget is shared among at least one node, not " + nodes);
        }
        if (nodes != ways) {
            LOG.info("external API budgets shared among {} nodes (was {})", nodes, ways);
        }
        ways = nodes;
        limiters.values().forEach(limiter -> limiter.share(nodes));
    }

    /** The nodes the budgets are shared among now. */
    public synchronized int ways() {
        return ways;
    }
}
