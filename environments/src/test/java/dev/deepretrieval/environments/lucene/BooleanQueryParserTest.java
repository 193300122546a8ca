package dev.deepretrieval.environments.lucene;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BooleanQueryParserTest {

    @TempDir
    static Path dir;

    private static FlatBm25Index index;
    private static Bm25Searcher searcher;

    @BeforeAll
    static void open() throws IOException {
        index = SmallIndex.open(dir);
        searcher = index.searcher(Bm25Parameters.ANSERINI, 1024);
    }

    @AfterAll
    static void close() throws IOException {
        index.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "apple AND banana | d1",
        "apple OR durian | d1 d2 d4",
        "apple banana | d1 d2 d3",
        "apple NOT banana | d2",
        "apple AND NOT banana | d2",
        "(apple OR banana) AND cherry | d2 d3",
        "apple OR banana AND cherry | d1 d2 d3",
        "\"quick brown fox\" | d5",
        "\"brown quick\" | d6",
        "\"the brown quick\" | d6",
        "\"quick the brown\" | ''",
        "cherry[tiab] AND apple[MeSH Terms] | d2",
        "((apple AND cherry | d2",
        "apple)) OR durian | d1 d2 d4",
        "AND apple OR | d1 d2",
        "Apples | d1 d2",
        "NOT apple | ''",
        "AND OR NOT | ''",
        "the | ''",
        "'' | ''",
        "apple AND the | d1 d2",
        "\"quick brown | d5",
        "apple^2 ~banana* | d1 d2 d3",
        "apple and banana | d1 d2 d3",
    })
    void booleanSemantics(String query, String expected) {
        assertEquals(expectedSet(expected), SmallIndex.ids(searcher, query, QueryMode.BOOLEAN));
    }

    @Test
    void bagOfWordsIgnoresOperators() {
        assertEquals(Set.of("d1", "d2", "d3"), SmallIndex.ids(searcher, "apple AND NOT banana", QueryMode.BAG_OF_WORDS));
        assertEquals(Set.of(), SmallIndex.ids(searcher, "", QueryMode.BAG_OF_WORDS));
    }

    @Test
    void deepNestingIsFlattenedNotOverflowed() {
        String deep = "(".repeat(10_000) + "apple" + ")".repeat(10_000);
        assertEquals(Set.of("d1", "d2"), SmallIndex.ids(searcher, deep, QueryMode.BOOLEAN));
        String unbalanced = "(".repeat(50_000) + "durian";
        assertEquals(Set.of("d4"), SmallIndex.ids(searcher, unbalanced, QueryMode.BOOLEAN));
    }

    @Test
    void tenThousandWordsStayWithinTheClauseLimit() {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            words.append("word").append(i).append(i % 2 == 0 ? " OR " : " ");
        }
        words.append("durian");
        for (QueryMode mode : QueryMode.values()) {
            assertEquals(Set.of(), SmallIndex.ids(searcher, words.toString(), mode), mode.name());
        }
        String repeated = "apple ".repeat(10_000) + "banana";
        assertEquals(Set.of("d1", "d2", "d3"), SmallIndex.ids(searcher, repeated, QueryMode.BAG_OF_WORDS));
        assertTrue(SmallIndex.ids(searcher, repeated, QueryMode.BOOLEAN).containsAll(Set.of("d1", "d2")));
    }

    @Test
    void seededRandomGarbageNeverThrows() {
        String alphabet = "apple banana ()\"[]:^~*?\\/+-!&|{}<>'AND OR NOT \u00e9\u4e2d\ud83d\ude00\u0000\t\n";
        Random random = new Random(20251121L);
        for (int i = 0; i < 3000; i++) {
            int length = random.nextInt(200);
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String query = text.toString();
            for (QueryMode mode : QueryMode.values()) {
                assertDoesNotThrow(() -> searcher.search(query, mode, 10), () -> mode + ": " + query);
            }
        }
    }

    @Test
    void queryModeNamesParse() {
        assertEquals(QueryMode.BAG_OF_WORDS, QueryMode.parse("bag-of-words"));
        assertEquals(QueryMode.BOOLEAN, QueryMode.parse(" Boolean "));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> QueryMode.parse("fuzzy"));
    }

    private static Set<String> expectedSet(String expected) {
        return expected.isBlank() ? Set.of() : Set.of(expected.strip().split("\\s+"));
    }
}
