package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the rewriter tests run on: the bundled policy and the bundled SciFact test claims. */
final class BundledFixtures {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private BundledFixtures() {}

    /** The bundled default policy on the CPU (the caller closes it). */
    static Policy policy() {
        return PolicyLoader.load(ROOT.resolve("models/default-policy"), Optional.empty(), PolicyLoader.device("cpu"));
    }

    /** The first {@code n} SciFact test claims, in file order. */
    static List<String> testClaims(int n) {
        return BeirDataset.open("scifact", ROOT.resolve("data/beir-scifact")).queriesOf(Split.TEST).stream()
                .limit(n).map(Query::text).toList();
    }
}
