package dev.deepretrieval.policy.lm;

import dev.deepretrieval.policy.Gradients;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.rl.AdamW;
import dev.deepretrieval.policy.rl.LearningRateSchedule;
import dev.deepretrieval.policy.scoring.Scorer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Next-token training of a decoder on {@link SupervisedExample}s: mean cross-entropy over target tokens, AdamW with
 * warm-up and cosine decay, held-out loss at intervals, and checkpoints from which a run resumes exactly (weights,
 * optimizer moments, step; the data order is a function of the seed and the epoch).
 */
public final class LmTrainer implements AutoCloseable {

    /** What one optimizer step did. */
    public record StepReport(int step, int totalSteps, int epoch, double loss, double learningRate, double gradNorm,
            long targetTokens) {}

    /** Held-out loss (mean negative log-likelihood per target token) after {@code step}. */
    public record EvalReport(int step, double loss) {

        public double perplexity() {
            return Math.exp(loss);
        }
    }

    /** Receives progress; called on the training thread. */
    public interface Listener {
        void onStep(StepReport report);

        void onEval(EvalReport report);

        default void onCheckpoint(int step) {}
    }

    private final DecoderWeights weights;
    private final DecoderLm model;
    private final LmTrainingSettings settings;
    private final CheckpointStore checkpoints;
    private final AdamW optimizer;
    private int step;

    public LmTrainer(DecoderWeights weights, LmTrainingSettings settings, CheckpointStore checkpoints) {
        this.weights = weights;
        this.model = new DecoderLm(weights);
        this.settings = settings;
        this.checkpoints = checkpoints;
        weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
        this.optimizer = new AdamW(weights.parameters(), weights.manager(), 0.9, 0.95, 1e-8, settings.weightDecay(),
                settings.maxGradNorm());
    }

    /** Steps in a run over {@code examples}. */
    public int totalSteps(int examples) {
        int perEpoch = examples / settings.batchSize();
        if (perEpoch == 0) {
            throw new IllegalArgumentException(examples + " examples are fewer than one batch of " + settings.batchSize());
        }
        return perEpoch * settings.epochs();
    }

    /**
     * Trains from the current step (0, or where {@link #restoreLatest()} left it) to the end, unless {@code stop}
     * turns true, in which case it checkpoints and returns early.
     *
     * @return the step reached
     */
    public int run(List<SupervisedExample> train, List<SupervisedExample> heldOut, Listener listener,
            BooleanSupplier stop) throws IOException {
        int perEpoch = train.size() / settings.batchSize();
        int total = totalSteps(train.size());
        LearningRateSchedule schedule = settings.schedule(total);
        int lastSaved = step;
        List<Integer> order = null;
        int orderEpoch = -1;
        while (step < total) {
            int epoch = step / perEpoch;
            if (epoch != orderEpoch) {
                order = epochOrder(train.size(), epoch);
                orderEpoch = epoch;
            }
            int from = (step % perEpoch) * settings.batchSize();
            var batch = new ArrayList<SupervisedExample>(settings.batchSize());
            for (int i = from; i < from + settings.batchSize(); i++) {
                batch.add(train.get(order.get(i)));
            }
            double rate = schedule.at(step);
            double[] lossAndNorm = trainStep(batch, rate);
            step++;
            listener.onStep(new StepReport(step, total, epoch, lossAndNorm[0], rate, lossAndNorm[1],
                    PackedSequences.targetTokens(batch)));
            boolean last = step == total;
            if (!heldOut.isEmpty() && (step % settings.evalEvery() == 0 || last)) {
                listener.onEval(new EvalReport(step, heldOutLoss(heldOut)));
            }
            if (step % settings.checkpointEvery() == 0 || last || stop.getAsBoolean()) {
                save(step);
                lastSaved = step;
                listener.onCheckpoint(step);
            }
            if (stop.getAsBoolean()) {
                break;
            }
        }
        if (lastSaved != step) {
            save(step);
        }
        return step;
    }

    /** The order of the training examples in {@code epoch}: a seeded shuffle, the same on every resume. */
    List<Integer> epochOrder(int size, int epoch) {
        var order = new ArrayList<Integer>(size);
        for (int i = 0; i < size; i++) {
            order.add(i);
        }
        var random = new SplittableRandom(settings.seed() * 1_000_003L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer swap = order.get(i);
            order.set(i, order.get(j));
            order.set(j, swap);
        }
        return order;
    }

    private double[] trainStep(List<SupervisedExample> batch, double learningRate) {
        double loss;
        try (NDManager scope = weights.manager().newSubManager();
                GradientCollector collector = Gradients.collector()) {
            NDArray nll = meanNegativeLogLikelihood(scope, batch);
            loss = nll.getFloat();
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("the training loss is " + loss + " at step " + (step + 1)
                        + " (learning rate " + learningRate + "); lower the learning rate or resume from a checkpoint");
            }
            collector.backward(nll);
        }
        double norm = optimizer.step(learningRate);
        return new double[] {loss, norm};
    }

    private NDArray meanNegativeLogLikelihood(NDManager scope, List<SupervisedExample> batch) {
        var contexts = new ArrayList<int[]>(batch.size());
        var targets = new ArrayList<int[]>(batch.size());
        for (SupervisedExample example : batch) {
            contexts.add(example.context());
            targets.add(example.target());
        }
        Scorer.TokenLogProbs scored = new Scorer(model).responseLogProbs(scope, contexts, targets);
        return scored.logProbs().sum().neg().div(scored.mask().sum());
    }

    /** Mean negative log-likelihood per target token over {@code examples}, without gradients. */
    public double heldOutLoss(List<SupervisedExample> examples) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            double sum = 0;
            long tokens = 0;
            for (int from = 0; from < examples.size(); from += settings.batchSize()) {
                List<SupervisedExample> slice = examples.subList(from, Math.min(examples.size(), from + settings.batchSize()));
                long sliceTokens = PackedSequences.targetTokens(slice);
                try (NDManager scope = weights.manager().newSubManager()) {
                    sum += meanNegativeLogLikelihood(scope, slice).getFloat() * sliceTokens;
                }
                tokens += sliceTokens;
            }
            return sum / tokens;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Restores the newest valid checkpoint (weights, moments, step) if there is one; returns the step reached. */
    public int restoreLatest() throws IOException {
        Optional<Checkpoint> latest = checkpoints.latestValid();
        if (latest.isPresent()) {
            Checkpoint checkpoint = latest.get();
            groups().forEach(checkpoint::restore);
            optimizer.restoreSteps(checkpoint.state().path("optimizer_steps").asInt());
            step = checkpoint.state().path("step").asInt();
        }
        return step;
    }

    private void save(int step) throws IOException {
        ObjectNode state = JsonMapping.mapper().createObjectNode();
        state.put("step", step);
        state.put("optimizer_steps", optimizer.steps());
        state.put("seed", settings.seed());
        checkpoints.write(step, groups(), state);
    }

    private Map<String, Map<String, NDArray>> groups() {
        var groups = new LinkedHashMap<String, Map<String, NDArray>>();
        groups.put("model", weights.parameters());
        groups.put("adam_m", optimizer.firstMoments());
        groups.put("adam_v", optimizer.secondMoments());
        return groups;
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
