package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutModel;
import dev.deepretrieval.actors.WeightsSnapshot;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import dev.deepretrieval.runs.WeightFetcher;
import dev.deepretrieval.runs.WeightVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A rollout node's worker: pulls {@link RolloutChunk}s from the {@link RolloutWorkManager} (holding at most
 * {@link #WINDOW}), generates each
 * as the run's own policy actor would (the run's starting model under its template and decoding, with the chunk's
 * weight version fetched by {@link WeightFetcher} and kept while chunks of that version come), sends each rollout back
 * tagged with that version, then {@link RolloutChunk.Done}, and only then confirms the chunk, so a chunk whose worker
 * dies midway is handed out again. A chunk that cannot be generated is answered {@link RolloutChunk.Failed} and
 * confirmed. Generation blocks: spawn it on the blocking dispatcher.
 */
public final class RolloutWorker extends AbstractBehavior<RolloutWorker.Command> {

    /** The key rollout workers register under and the work manager hands work to. */
    public static final ServiceKey<ConsumerController.Command<RolloutChunk>> KEY =
            ServiceKey.create(ConsumerController.serviceKeyClass(), "rollout-workers");

    /**
     * Chunks a worker holds at most (the one it generates and the next two). Pekko's flow control asks for more when
     * half its window is confirmed; with a window of one or two a worker stopped asking after its first chunk
     * (RolloutWorkManagerTest).
     */
    static final int WINDOW = 3;

    public interface Command {}

    private record Delivered(ConsumerController.Delivery<RolloutChunk> delivery) implements Command {}

    /** The open model: how it generates and the weights' version it holds (empty: the starting model's own). */
    private record Loaded(RolloutChunk.Generation generation, Optional<WeightVersion> weights, RolloutModel model) {}

    private final WeightFetcher fetcher;
    private final String name;
    private final Consumer<String> say;
    private Loaded loaded;

    @SuppressWarnings("unchecked")
    private RolloutWorker(ActorContext<Command> context, WeightFetcher fetcher, String name, Consumer<String> say) {
        super(context);
        this.fetcher = fetcher;
        this.name = name;
        this.say = say;
        ActorRef<ConsumerController.Command<RolloutChunk>> consumer = context.spawn(
                consumerController(context.getSystem()), "consumer-controller");
        consumer.tell(new ConsumerController.Start<>(context.messageAdapter(
                (Class<ConsumerController.Delivery<RolloutChunk>>) (Class<?>) ConsumerController.Delivery.class,
                Delivered::new)));
    }

    /** A worker's consumer controller: registered under {@link #KEY}, holding at most {@link #WINDOW} chunks. */
    static Behavior<ConsumerController.Command<RolloutChunk>> consumerController(ActorSystem<?> system) {
        return ConsumerController.create(KEY,
                ConsumerController.Settings$.MODULE$.create(system).withFlowControlWindow(WINDOW));
    }

    /**
     * @param fetcher brings each version's weights to this node
     * @param name how this worker names itself in its replies (its node's address)
     * @param say hears what an operator should see on this node
     */
    public static Behavior<Command> create(WeightFetcher fetcher, String name, Consumer<String> say) {
        return Behaviors.setup(context -> new RolloutWorker(context, fetcher, name, say));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Delivered.class, this::onDelivered)
                .onSignal(PostStop.class, signal -> {
                    closeModel();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onDelivered(Delivered delivered) {
        RolloutChunk chunk = delivered.delivery().message();
        long start = System.nanoTime();
        say.accept(String.format(Locale.ROOT, "generating batch %d chunk %d of run %s with version %d",
                chunk.batchId(), chunk.chunk(), chunk.runId(), chunk.version()));
        try {
            RolloutModel model = modelFor(chunk);
            var prompts = chunk.prompts().stream().map(p -> new QueryRewriter.Prompt(p.original(), p.text())).toList();
            RolloutChunk.Generation g = chunk.generation();
            List<Rewrite> rewrites = model.rewrite(prompts, chunk.samplesPerPrompt(),
                    SamplingSettings.sampling(g.temperature(), g.maxTokens(), Set.of(), chunk.seed()),
                    g.generationBatch());
            for (Rollout rollout : Rollout.of(chunk.batchId(), chunk.firstIndex(), chunk.prompts(),
                    chunk.samplesPerPrompt(), rewrites, chunk.version(), g.credit())) {
                chunk.replyTo().tell(new RolloutChunk.Generated(chunk.batchId(), chunk.chunk(), rollout));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            chunk.replyTo().tell(new RolloutChunk.Done(chunk.batchId(), chunk.chunk(), rewrites.size(), seconds, name));
            say.accept(String.format(Locale.ROOT, "generated batch %d chunk %d of run %s: %d rollouts in %.2f s",
                    chunk.batchId(), chunk.chunk(), chunk.runId(), rewrites.size(), seconds));
        } catch (Exception e) {
            closeModel(); // whatever failed may have left the model half-loaded
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            getContext().getLog().error("cannot generate batch {} chunk {} of run {}: {}", chunk.batchId(),
                    chunk.chunk(), chunk.runId(), reason);
            chunk.replyTo().tell(new RolloutChunk.Failed(chunk.batchId(), chunk.chunk(), name + ": " + reason));
        }
        delivered.delivery().confirmTo().tell(ConsumerController.confirmed());
        return this;
    }

    /** The model generating {@code chunk}: the open one when it matches, else opened (and its weights fetched) now. */
    private RolloutModel modelFor(RolloutChunk chunk) throws Exception {
        if (loaded != null && loaded.generation().equals(chunk.generation())
                && Objects.equals(loaded.weights(), chunk.weights())) {
            return loaded.model();
        }
        if (loaded == null || !loaded.generation().equals(chunk.generation()) || chunk.weights().isEmpty()) {
            closeModel(); // another run's model, or back to the starting model's own weights
            RolloutChunk.Generation g = chunk.generation();
            RolloutModel model = RolloutModel.of(PolicyLoader.load(g.model(), Optional.empty(),
                    PolicyLoader.device(g.device())), PromptTemplate.bundled(g.template()), g.decoding());
            loaded = new Loaded(g, Optional.empty(), model);
        }
        if (chunk.weights().isPresent()) {
            WeightVersion version = chunk.weights().get();
            Path file = fetcher.fetch(version);
            loaded.model().load(WeightsSnapshot.read(version.version(), file));
            loaded = new Loaded(loaded.generation(), chunk.weights(), loaded.model());
        }
        return loaded.model();
    }

    private void closeModel() {
        if (loaded != null) {
            loaded.model().close();
            loaded = null;
        }
    }
}
