package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** The model and token batches the policy benchmarks measure. */
final class BenchModels {

    private BenchModels() {}

    /** A loaded model (when {@code model} is given) or the configured random-weight one, in {@code manager}. */
    static DecoderWeights weights(Settings settings, Path model, NDManager manager) {
        if (model != null) {
            return PolicyLoader.load(model, Optional.empty(), manager.getDevice()).weights();
        }
        String prefix = "deepretrieval.bench.generate.model.";
        int hidden = settings.positiveInt(prefix + "hidden-size");
        int heads = settings.positiveInt(prefix + "heads");
        var config = new ModelConfig(ModelConfig.LLAMA, settings.positiveInt(prefix + "vocab-size"), hidden,
                settings.positiveInt(prefix + "intermediate-size"), settings.positiveInt(prefix + "layers"), heads,
                settings.positiveInt(prefix + "kv-heads"), hidden / heads, 1e-5, 10000.0, Optional.empty(), 4096, true,
                false, false, Optional.of(1), List.of(2), Optional.of(0));
        return DecoderWeights.random(config, 1, manager);
    }

    static String label(Path model) {
        return model == null ? "random-init" : model.getFileName().toString();
    }

    /** {@code batch} seeded random token sequences of {@code length}, ids in [3, vocab). */
    static List<int[]> tokens(int batch, int length, int vocab, long seed) {
        var random = new SplittableRandom(seed);
        var out = new ArrayList<int[]>();
        for (int b = 0; b < batch; b++) {
            out.add(random.ints(length, 3, vocab).toArray());
        }
        return out;
    }
}
