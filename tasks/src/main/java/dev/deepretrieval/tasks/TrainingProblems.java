package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.rewriter.Decoding;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Opens the training problem a {@code --task} names: a Spider folder, a QA folder, a literature task folder, or a BEIR
 * dataset.
 */
public final class TrainingProblems {

    private static final String PREFIX = "deepretrieval.train.";

    private TrainingProblems() {}

    /**
     * What a run needs to open its problem.
     *
     * @param template a bundled template's name; empty = the one named like the dataset
     * @param sqlUrl text-to-SQL: the server's R2DBC URL, or null for the configured one
     * @param system the node's actor system (asked for only by literature search through an API)
     * @param progress hears index builds and notices about the task
     */
    public record Request(String task, String template, String retriever, String sqlUrl, SearchEndpoints search,
            Path model, String device, int maxTokens, Supplier<ActorSystem> system, Progress progress) {}

    /**
     * How the run's rewrites are decoded ({@code deepretrieval.train.decoding}). Extractive rewrites are reductions of
     * a search query, so text-to-SQL and literature search (whose policies write SQL and Boolean queries, not a
     * subset of the question's words) decode free instead, and say so.
     */
    /** {@code train.keep-margin}: how sure greedy extractive rewrites must be to leave a word out, in log-odds. */
    public static double keepMargin(Settings settings) {
        double margin = settings.number(PREFIX + "keep-margin");
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw settings.bad(PREFIX + "keep-margin", "must be a finite number >= 0, got " + margin);
        }
        return margin;
    }

    public static Decoding decoding(Settings settings, boolean searchQueryFamily, String family, Progress progress) {
        Decoding requested = settings.parsed(PREFIX + "decoding", Decoding::parse);
        if (requested == Decoding.EXTRACTIVE && !searchQueryFamily) {
            progress.notice("decoding: extractive rewrites apply to BEIR and evidence-QA queries; " + family
                    + " decodes free");
            return Decoding.FREE;
        }
        return requested;
    }

    /**
     * The problem {@code request.task()} names, in the first family that recognises its folder.
     *
     * @throws InvalidTaskRequest naming the request's field at fault
     */
    public static TrainingProblem<?> open(Settings settings, Request request) throws Exception {
        DatasetResolver.Resolved resolved = DatasetResolver.resolve(settings, request.task(), "task");
        Progress progress = request.progress();
        TaskFamily family = TaskFamily.of(resolved.folder());
        boolean sql = family == TaskFamily.TEXT_TO_SQL;
        boolean qa = family == TaskFamily.EVIDENCE_QA;
        boolean literature = family == TaskFamily.LITERATURE_SEARCH;
        if (family != TaskFamily.BEIR && !request.retriever().equals("bm25")) {
            throw new InvalidTaskRequest("retriever", request.retriever() + " applies to BEIR datasets; "
                    + resolved.name() + " is " + family.label());
        }
        String defaultTemplate = literature ? SearchSetup.templateFor(settings, resolved.folder(), request.search())
                : resolved.name();
        var rewriting = new GreedyRewriting(template(request.template(), defaultTemplate),
                request.maxTokens(), settings.positiveInt(PREFIX + "heldout.batch-size"),
                decoding(settings, !sql && !literature, family.label(), progress), keepMargin(settings));
        var resources = new OwnedResources();
        try {
            PromptBudget budget = PromptBudget.of(settings, request.model(), request.maxTokens(), resources);
            TrainingProblem<?> problem;
            if (sql) {
                problem = SqlTrainingProblem.open(settings, SpiderDataset.open(resolved.name(), resolved.folder()),
                        request.sqlUrl(), rewriting, budget, progress);
            } else if (literature) {
                problem = LiteratureTrainingProblem.open(settings, resolved.name(), resolved.folder(), request.search(),
                        request.system(), rewriting, budget, progress);
            } else if (qa) {
                problem = QaTrainingProblem.open(settings, QaDataset.open(resolved.name(), resolved.folder()), rewriting,
                        budget, progress);
            } else {
                problem = BeirTrainingProblem.open(settings, BeirDataset.open(resolved.name(), resolved.folder()),
                        request.retriever(), rewriting, budget, progress);
            }
            if (budget.left() > 0) {
                progress.notice(String.format(Locale.ROOT, "%d training prompts longer than %d tokens left out (%d kept)",
                        budget.left(), budget.maxPromptTokens(), problem.tasks().size()));
            }
            return problem;
        } finally {
            resources.close();
        }
    }

    private static PromptTemplate template(String name, String datasetName) {
        try {
            return PromptTemplate.bundled(name.isEmpty() ? datasetName : name);
        } catch (IllegalArgumentException e) {
            throw new InvalidTaskRequest("template", e.getMessage());
        }
    }
}
