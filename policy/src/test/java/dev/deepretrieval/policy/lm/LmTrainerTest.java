package dev.deepretrieval.policy.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmTrainerTest {

    private static final ModelConfig CONFIG = new ModelConfig(ModelConfig.LLAMA, 32, 32, 64, 2, 2, 2, 16, 1e-5, 10000,
            Optional.empty(), 64, true, false, false, Optional.of(0), List.of(0), Optional.of(0));

    private static final LmTrainingSettings SETTINGS = new LmTrainingSettings(4, 3, 3e-3, 2, 0.1, 0.01, 1.0, 5, 4, 7);

    /** A gentler rate for the exact-resume comparison: far from the edge where float noise could tip training over. */
    private static final LmTrainingSettings RESUME = new LmTrainingSettings(4, 3, 1e-3, 2, 0.1, 0.01, 1.0, 5, 4, 7);

    /** Documents of a learnable language: each is an arithmetic run {a, a+s, a+2s, ...} mod 31, plus 1. */
    private static List<int[]> documents(int count, long seed) {
        var random = new SplittableRandom(seed);
        var documents = new ArrayList<int[]>();
        for (int d = 0; d < count; d++) {
            int start = random.nextInt(31);
            int stride = 1 + random.nextInt(3);
            int[] doc = new int[10 + random.nextInt(10)];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = 1 + (start + i * stride) % 31;
            }
            documents.add(doc);
        }
        return documents;
    }

    @Test
    void packingCutsTheStreamIntoFullChunksWithSeparators() {
        List<SupervisedExample> chunks = PackedSequences.pack(List.of(new int[] {5, 6, 7}, new int[] {8, 9}), 0, 4);
        assertEquals(1, chunks.size(), "7 tokens (5 6 7 0 8 9 0) make one chunk of 4; the tail of 3 is dropped");
        assertArrayEquals(new int[] {5}, chunks.get(0).context());
        assertArrayEquals(new int[] {6, 7, 0}, chunks.get(0).target());
        assertEquals(3, PackedSequences.targetTokens(chunks));
    }

    @Test
    void trainingLowersTheHeldOutLossFarBelowUniform(@TempDir Path dir) throws IOException {
        List<SupervisedExample> train = PackedSequences.pack(documents(120, 1), 0, 16);
        List<SupervisedExample> heldOut = PackedSequences.pack(documents(20, 2), 0, 16);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 3, manager)) {
            var trainer = new LmTrainer(weights, SETTINGS, new CheckpointStore(dir, 2));
            double before = trainer.heldOutLoss(heldOut);
            var evals = new ArrayList<Double>();
            int reached = trainer.run(train, heldOut, listener(evals), () -> false);
            assertEquals(trainer.totalSteps(train.size()), reached);
            assertEquals(Math.log(32), before, 0.1, "random init predicts about uniformly");
            double after = evals.get(evals.size() - 1);
            assertTrue(after < 0.6 * before, "held-out loss " + before + " -> " + after);
        }
    }

    @Test
    void aStoppedRunResumesToTheSameWeightsAsAnUninterruptedOne(@TempDir Path uninterrupted, @TempDir Path stopped)
            throws IOException {
        List<SupervisedExample> train = PackedSequences.pack(documents(60, 4), 0, 16);
        float[] reference;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 3, manager)) {
            new LmTrainer(weights, RESUME, new CheckpointStore(uninterrupted, 2))
                    .run(train, List.of(), listener(new ArrayList<>()), () -> false);
            reference = weights.parameters().get("model.layers.1.mlp.down_proj.weight").toFloatArray();
        }
        int total;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 3, manager)) {
            var trainer = new LmTrainer(weights, RESUME, new CheckpointStore(stopped, 2));
            total = trainer.totalSteps(train.size());
            int[] steps = {0};
            int reached = trainer.run(train, List.of(), new LmTrainer.Listener() {
                @Override
                public void onStep(LmTrainer.StepReport report) {
                    steps[0] = report.step();
                }

                @Override
                public void onEval(LmTrainer.EvalReport report) {}
            }, () -> steps[0] == 7);
            assertEquals(7, reached, "stops after the step that saw the request");
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 99, manager)) {
            var trainer = new LmTrainer(weights, RESUME, new CheckpointStore(stopped, 2));
            assertEquals(7, trainer.restoreLatest());
            assertEquals(total, trainer.run(train, List.of(), listener(new ArrayList<>()), () -> false));
            assertArrayEquals(reference, weights.parameters().get("model.layers.1.mlp.down_proj.weight").toFloatArray(),
                    1e-6f);
        }
    }

    @Test
    void epochOrderDependsOnlyOnSeedAndEpoch(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 3, manager)) {
            var trainer = new LmTrainer(weights, SETTINGS, new CheckpointStore(dir, 1));
            assertEquals(trainer.epochOrder(50, 2), trainer.epochOrder(50, 2));
            assertTrue(!trainer.epochOrder(50, 1).equals(trainer.epochOrder(50, 2)));
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), trainer.epochOrder(10, 0).stream().sorted().toList());
        }
    }

    private static LmTrainer.Listener listener(List<Double> evals) {
        return new LmTrainer.Listener() {
            @Override
            public void onStep(LmTrainer.StepReport report) {}

            @Override
            public void onEval(LmTrainer.EvalReport report) {
                evals.add(report.loss());
            }
        };
    }
}
