package dev.deepretrieval.environments.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;

class RequestRateLimiterTest {

    private static List<CompletableFuture<RequestRateLimiter.Permit>> acquire(RequestRateLimiter limiter, int n) {
        var permits = new ArrayList<CompletableFuture<RequestRateLimiter.Permit>>();
        for (int i = 0; i < n; i++) {
            permits.add(limiter.acquire());
        }
        return permits;
    }

    private static long granted(List<CompletableFuture<RequestRateLimiter.Permit>> permits) {
        return permits.stream().filter(CompletableFuture::isDone).count();
    }

    @Test
    void aShareOfTheRateIsTheRateDividedAmongTheNodes() {
        var limiter = new RequestRateLimiter(10);
        assertEquals(10, limiter.tokens());
        limiter.share(3);
        assertEquals(3, limiter.tokens(), "10 requests/s among 3 nodes: 3 each, 9 in all");
        assertEquals(Duration.ofSeconds(1), limiter.window());
        assertEquals(3, granted(acquire(limiter, 5)));
        limiter.share(20);
        assertEquals(1, limiter.tokens());
        assertEquals(Duration.ofSeconds(2), limiter.window(), "half a request a second: one every 2 s");
        assertThrows(IllegalArgumentException.class, () -> limiter.share(0));
    }

    @Test
    void tokensOutBeyondASmallerShareAreNotHandedOutAgainAndALargerShareFreesWaiters() {
        var limiter = new RequestRateLimiter(6);
        List<CompletableFuture<RequestRateLimiter.Permit>> first = acquire(limiter, 6);
        assertEquals(6, granted(first));
        limiter.share(2); // 3 tokens now, 6 out: 3 must come back before anyone else may send
        List<CompletableFuture<RequestRateLimiter.Permit>> waiting = acquire(limiter, 2);
        assertEquals(0, granted(waiting));
        limiter.share(1); // back to 6 tokens, 6 out: still none free
        assertEquals(0, granted(waiting));
        var more = new RequestRateLimiter(4);
        List<CompletableFuture<RequestRateLimiter.Permit>> out = acquire(more, 2);
        more.share(2); // 2 tokens, 2 out
        List<CompletableFuture<RequestRateLimiter.Permit>> queued = acquire(more, 3);
        assertEquals(0, granted(queued));
        more.share(1); // 4 tokens, 2 out: two of the waiters go, in order
        assertTrue(queued.get(0).isDone() && queued.get(1).isDone());
        assertFalse(queued.get(2).isDone());
        assertEquals(2, granted(out));
    }

    @Test
    void aNodeHasOneBudgetPerApiSharedByEveryClientAndEveryLaterOne() throws Exception {
        ActorSystem system = ActorSystem.create("budgets");
        try {
            ApiBudgets budgets = ApiBudgets.get(system);
            RequestRateLimiter pubmed = budgets.limiter("pubmed", 10);
            assertTrue(pubmed == budgets.limiter("pubmed", 10), "one limiter per API on the node");
            assertTrue(pubmed == ApiBudgets.get(system).limiter("pubmed", 3), "whatever a later client configures");
            budgets.shareAmong(4);
            assertEquals(2, pubmed.tokens());
            RequestRateLimiter ctgov = budgets.limiter("ctgov", 50);
            assertEquals(12, ctgov.tokens(), "an API first used after the share keeps to it too");
            assertEquals(4, budgets.ways());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
        }
    }
}
