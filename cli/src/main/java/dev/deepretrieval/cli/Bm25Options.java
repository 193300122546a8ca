package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.QueryMode;
import picocli.CommandLine.Option;

/** BM25 flags shared by commands: a preset or explicit k1/b, and the query mode. */
final class Bm25Options {

    /** Named BM25 settings, one flag away. */
    enum Preset {
        /** k1=0.9, b=0.4: Anserini's defaults and its BEIR regressions. */
        anserini(Bm25Parameters.ANSERINI),
        /** k1=1.2, b=0.75: the DeepRetrieval reference code's SciFact setting (Lucene's defaults). */
        paper(Bm25Parameters.LUCENE);

        final Bm25Parameters parameters;

        Preset(Bm25Parameters parameters) {
            this.parameters = parameters;
        }
    }

    @Option(names = "--bm25", paramLabel = "PRESET",
            description = "BM25 preset: anserini (k1=0.9 b=0.4) or paper (k1=1.2 b=0.75, the reference code's SciFact setting).")
    Preset preset;

    @Option(names = "--k1", paramLabel = "K", description = "BM25 k1 (default from deepretrieval.bm25.k1).")
    Float k1;

    @Option(names = "--b", paramLabel = "B", description = "BM25 b (default from deepretrieval.bm25.b).")
    Float b;

    @Option(names = "--query-mode", paramLabel = "MODE",
            description = "bag-of-words or boolean (default from deepretrieval.bm25.query-mode).")
    String queryMode;

    /** Explicit --k1/--b win over --bm25, which wins over the configuration. */
    Bm25Parameters parameters(Settings settings) {
        Bm25Parameters base = preset != null ? preset.parameters : Bm25Settings.configured(settings);
        return new Bm25Parameters(k1 != null ? k1 : base.k1(), b != null ? b : base.b());
    }

    QueryMode mode(Settings settings) {
        return queryMode != null ? QueryMode.parse(queryMode)
                : settings.parsed("deepretrieval.bm25.query-mode", QueryMode::parse);
    }
}
