package dev.deepretrieval.actors;

import ai.djl.ndarray.NDManager;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.rl.Advantages;
import dev.deepretrieval.policy.rl.RlSettings;
import dev.deepretrieval.policy.rl.RlTrainer;
import dev.deepretrieval.policy.rl.TrainerCheckpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the learner owns: the policy being trained, the critic (a separate copy for PPO), the frozen reference
 * (when a KL term is used), the value head, the optimizers, and the run's checkpoints.
 */
public final class Learner implements Updater {

    private final Policy actor;
    private final Policy critic;
    private final Policy reference;
    private final ValueHead valueHead;
    private final RlTrainer trainer;
    private final TrainerCheckpoints checkpoints;
    private final NDManager optimizerMemory;
    private final boolean rolloutLogProbs;

    private Learner(Policy actor, Policy critic, Policy reference, ValueHead valueHead, RlTrainer trainer,
            TrainerCheckpoints checkpoints, NDManager optimizerMemory, boolean rolloutLogProbs) {
        this.actor = actor;
        this.critic = critic;
        this.reference = reference;
        this.valueHead = valueHead;
        this.trainer = trainer;
        this.checkpoints = checkpoints;
        this.optimizerMemory = optimizerMemory;
        this.rolloutLogProbs = rolloutLogProbs;
    }

    /** Loads the model three ways as the settings need, and opens the run's checkpoint folder. */
    public static Learner create(Path model, RlSettings settings, Path checkpointFolder, int keepCheckpoints,
            String device) {
        return create(model, settings, checkpointFolder, keepCheckpoints, device, false);
    }

    /**
     * @param rolloutLogProbs take the old log-probs of the PPO ratio from the rollouts (the sampler computed them for
     *     the behaviour policy) instead of a second forward pass over every sequence, as verl recomputes them
     */
    public static Learner create(Path model, RlSettings settings, Path checkpointFolder, int keepCheckpoints,
            String device, boolean rolloutLogProbs) {
        Policy actor = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
        boolean ppo = settings.algorithm() == RlSettings.Algorithm.PPO;
        boolean separateCritic = ppo && settings.criticMode() == RlSettings.CriticMode.SEPARATE;
        Policy critic = separateCritic ? PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device)) : null;
        Policy reference = settings.klMode() != RlSettings.KlMode.NONE
                ? PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device)) : null;
        ValueHead head = ppo ? (critic != null ? critic : actor).newValueHead() : null;
        NDManager optimizerMemory = actor.manager().newSubManager();
        RlTrainer trainer = new RlTrainer(settings, actor.weights(), critic == null ? null : critic.weights(), head,
                reference == null ? null : reference.weights(), optimizerMemory);
        var store = new CheckpointStore(checkpointFolder, keepCheckpoints);
        var checkpoints = new TrainerCheckpoints(store, trainer, actor.weights(),
                critic == null ? null : critic.weights(), head);
        return new Learner(actor, critic, reference, head, trainer, checkpoints, optimizerMemory, rolloutLogProbs);
    }

    @Override
    public long restoreLatest() {
        try {
            Optional<Checkpoint> latest = checkpoints.restoreLatest();
            return latest.map(Checkpoint::step).orElse(0L);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints", e);
        }
    }

    @Override
    public Map<String, Double> learn(ScoredBatch batch) {
        var prompts = new ArrayList<int[]>();
        var groups = new ArrayList<String>();
        var responses = new ArrayList<int[]>();
        var logProbs = new ArrayList<float[]>();
        var allowed = new ArrayList<int[][]>();
        for (Rollout r : batch.rollouts()) {
            prompts.add(r.promptTokens());
            groups.add(r.promptId());
            responses.add(r.responseTokens());
            logProbs.add(r.logProbs());
            allowed.add(r.allowedTokens());
        }
        // a constrained policy (extractive decoding) is learned over its allowed tokens, as it was sampled
        boolean constrained = allowed.stream().allMatch(java.util.Objects::nonNull);
        boolean wordCredit = batch.rollouts().stream().anyMatch(r -> !r.counterfactuals().isEmpty());
        var metrics = new LinkedHashMap<String, Double>();
        List<float[]> given = wordCredit ? decisionAdvantages(batch, metrics) : null;
        metrics.putAll(trainer.learn(prompts, groups, responses, batch.rewards(), rolloutLogProbs ? logProbs : null,
                constrained ? allowed : null, given));
        return metrics;
    }

    /**
     * {@link Credit#WORD}: each choice token's advantage is the rollout's reward minus its counterfactual's (the
     * choice's own effect). Metrics: how many choices were scored, how many made a difference, and their mean effect.
     */
    private static List<float[]> decisionAdvantages(ScoredBatch batch, Map<String, Double> metrics) {
        var tokens = new ArrayList<int[]>();
        var effects = new ArrayList<double[]>();
        int[] lengths = new int[batch.rollouts().size()];
        long decisions = 0;
        long mattered = 0;
        double sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            Rollout rollout = batch.rollouts().get(i);
            lengths[i] = rollout.responseTokens().length;
            List<Rollout.Counterfactual> counterfactuals = rollout.counterfactuals();
            int[] at = new int[counterfactuals.size()];
            double[] effect = new double[counterfactuals.size()];
            for (int k = 0; k < at.length; k++) {
                at[k] = counterfactuals.get(k).token();
                effect[k] = batch.rewards()[i] - batch.counterfactualRewards().get(i)[k];
                decisions++;
                mattered += effect[k] != 0 ? 1 : 0;
                sum += effect[k];
            }
            tokens.add(at);
            effects.add(effect);
        }
        metrics.put("actor/word_choices", (double) decisions);
        metrics.put("actor/word_choices_that_mattered", (double) mattered);
        metrics.put("actor/word_choice_effect_mean", decisions == 0 ? 0.0 : sum / decisions);
        return Advantages.perDecision(lengths, tokens, effects);
    }

    @Override
    public long updates() {
        return trainer.updates();
    }

    @Override
    public WeightsSnapshot snapshot() {
        return WeightsSnapshot.of(trainer.updates(), actor.weights().parameters());
    }

    @Override
    public void save(long step, Map<String, Object> state) {
        try {
            checkpoints.save(step, JsonMapping.mapper().valueToTree(state));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + step, e);
        }
    }

    @Override
    public TrainerCheckpoints.Held hold() {
        return checkpoints.hold();
    }

    @Override
    public void restore(TrainerCheckpoints.Held held) {
        checkpoints.restore(held);
    }

    @Override
    public void close() {
        trainer.close();
        optimizerMemory.close();
        actor.close();
        if (critic != null) {
            critic.close();
        }
        if (reference != null) {
            reference.close();
        }
    }
}
