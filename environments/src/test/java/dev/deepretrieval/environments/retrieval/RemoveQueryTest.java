package dev.deepretrieval.environments.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepretrieval.environments.Hit;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoveQueryTest {

    @Test
    void dropsOnlyTheQuerysOwnDocumentAfterRetrievalAndOnlyWhenAsked() {
        List<Hit> hits = List.of(new Hit("q7", 9f), new Hit("d1", 8f), new Hit("q70", 7f));
        assertEquals(List.of(new Hit("d1", 8f), new Hit("q70", 7f)), RemoveQuery.apply(true, "q7", hits),
                "one shorter, as Anserini's -removeQuery (no hit fetched in its place)");
        assertEquals(hits, RemoveQuery.apply(false, "q7", hits));
        assertEquals(hits, RemoveQuery.apply(true, "q8", hits));
    }
}
