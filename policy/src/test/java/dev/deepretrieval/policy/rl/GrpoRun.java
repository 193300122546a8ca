package dev.deepretrieval.policy.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A small, fully seeded GRPO run that checkpoints after every update: the fixture of the kill-and-resume test. Run as
 * a program ({@code GrpoRun <checkpoint dir> <steps>}) it prints {@code checkpointed N} after each checkpoint.
 */
final class GrpoRun implements AutoCloseable {

    static final ModelConfig CONFIG = new ModelConfig(ModelConfig.LLAMA, 32, 64, 128, 2, 4, 2, 16, 1e-5, 10000.0,
            Optional.empty(), 256, true, false, false, Optional.of(1), List.of(2), Optional.of(0));
    private static final Set<Integer> TARGET = Set.of(5, 6, 7, 8);
    private static final long SAMPLING_SEED = 1000;

    private final NDManager manager;
    private final DecoderWeights weights;
    private final AdamW adam;
    private final ActorUpdate update;
    private final Generator generator;
    private final CheckpointStore store;
    private long step;
    private final List<String> skipped;

    GrpoRun(Path checkpoints) throws IOException {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        weights = DecoderWeights.random(CONFIG, 17, manager);
        weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
        adam = new AdamW(weights.parameters(), manager, 0.9, 0.999, 1e-8, 0.01, 1.0);
        DecoderLm model = new DecoderLm(weights);
        update = new ActorUpdate(model, adam, new ClippedPolicyLoss(0.2, 0.2, 3.0, LossAggregation.TOKEN_MEAN), 0.001, 1.0);
        generator = new Generator(model, ids -> "");
        store = new CheckpointStore(checkpoints, 3);
        Optional<Checkpoint> latest = store.latestValid();
        skipped = latest.map(Checkpoint::skipped).orElse(List.of());
        if (latest.isPresent()) {
            Checkpoint checkpoint = latest.get();
            checkpoint.restore("actor", weights.parameters());
            checkpoint.restore("actor_adam_m", adam.firstMoments());
            checkpoint.restore("actor_adam_v", adam.secondMoments());
            adam.restoreSteps(checkpoint.state().path("optimizer_steps").asInt());
            step = checkpoint.step();
        }
    }

    long step() {
        return step;
    }

    List<String> skipped() {
        return skipped;
    }

    /** One GRPO update; returns its policy loss, then checkpoints. */
    double update() throws IOException {
        var prompts = new ArrayList<int[]>();
        var groups = new ArrayList<String>();
        for (int i = 0; i < 16; i++) {
            int prompt = (int) ((step * 2 + i / 8) % 4); // the data cursor advances two prompts per step
            prompts.add(new int[] {1, 9 + prompt});
            groups.add("p" + prompt + "-" + i / 8);
        }
        List<GeneratedSequence> rollouts = generator.generate(prompts,
                SamplingSettings.sampling(1.0, 6, Set.of(), SAMPLING_SEED + step));
        double[] scores = new double[rollouts.size()];
        int[] lengths = new int[rollouts.size()];
        var responses = new ArrayList<int[]>();
        var oldLogProbs = new ArrayList<float[]>();
        for (int i = 0; i < rollouts.size(); i++) {
            int[] tokens = rollouts.get(i).tokens();
            scores[i] = (double) Arrays.stream(tokens).filter(TARGET::contains).count() / tokens.length;
            lengths[i] = tokens.length;
            responses.add(tokens);
            oldLogProbs.add(rollouts.get(i).logProbs());
        }
        List<float[]> advantages = Advantages.grouped(scores, groups, lengths, Advantages.GroupBaseline.GRPO);
        Map<String, Double> metrics = update.update(prompts, responses, oldLogProbs, advantages, 2, 2, 1, 5e-3);
        step++;
        ObjectNode state = new ObjectMapper().createObjectNode();
        state.put("optimizer_steps", adam.steps());
        state.put("data_cursor", step * 2 % 4);
        state.putObject("rng").put("sampling_seed", SAMPLING_SEED).put("next_rollout_seed", SAMPLING_SEED + step);
        state.putObject("config").put("algorithm", "grpo").put("lr", 5e-3).put("group_size", 8);
        var groupsToSave = new LinkedHashMap<String, Map<String, NDArray>>();
        groupsToSave.put("actor", weights.parameters());
        groupsToSave.put("actor_adam_m", adam.firstMoments());
        groupsToSave.put("actor_adam_v", adam.secondMoments());
        store.write(step, groupsToSave, state);
        return metrics.get("actor/pg_loss");
    }

    @Override
    public void close() {
        adam.close();
        weights.close();
        manager.close();
    }

    public static void main(String[] args) throws IOException {
        try (GrpoRun run = new GrpoRun(Path.of(args[0]))) {
            int steps = Integer.parseInt(args[1]);
            while (run.step() < steps) {
                double loss = run.update();
                System.out.println("checkpointed " + run.step() + " loss " + loss);
                System.out.flush();
            }
        }
    }
}
