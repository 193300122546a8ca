package dev.deepretrieval.cli;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.rewriter.Decoding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Opens the training problem a {@code --task} names: a Spider folder, a QA folder, a literature task folder, or a BEIR
 * dataset.
 */
final class TrainingProblems {

    private static final String PREFIX = "deepretrieval.train.";

    private TrainingProblems() {}

    /** What the run needs to open its problem. */
    /** @param template a bundled template's name; empty = the one named like the dataset */
    record Request(String task, String template, String retriever, String sqlUrl, SearchOptions search, Path model,
            String device, int maxTokens) {}

    /**
     * How the run's rewrites are decoded ({@code deepretrieval.train.decoding}). Extractive rewrites are reductions of
     * a search query, so text-to-SQL and literature search (whose policies write SQL and Boolean queries, not a
     * subset of the question's words) decode free instead, and say so.
     */
    static Decoding decoding(Settings settings, boolean searchQueryFamily, String family, PrintWriter err) {
        Decoding requested = settings.parsed(PREFIX + "decoding", Decoding::parse);
        if (requested == Decoding.EXTRACTIVE && !searchQueryFamily) {
            err.printf(Locale.ROOT, "decoding: extractive rewrites apply to BEIR and evidence-QA queries; %s decodes"
                    + " free%n", family);
            return Decoding.FREE;
        }
        return requested;
    }

    static TrainingProblem<?> open(Settings settings, Request request, CommandSpec spec, PrintWriter err) throws Exception {
        DatasetResolver.Resolved resolved = DatasetResolver.resolve(settings, request.task(), spec);
        boolean sql = SpiderDataset.isSpiderFolder(resolved.folder());
        boolean qa = !sql && QaDataset.isQaFolder(resolved.folder());
        boolean literature = !sql && !qa && LiteratureTasks.isTaskFolder(resolved.folder());
        if ((sql || qa || literature) && !request.retriever().equals("bm25")) {
            throw new ParameterException(spec.commandLine(), "--retriever " + request.retriever() + " applies to BEIR"
                    + " datasets; " + resolved.name() + " is " + (sql ? "text-to-SQL" : qa ? "evidence QA (BM25)"
                    : "literature search"));
        }
        String defaultTemplate = literature ? SearchSetup.templateFor(settings, resolved.folder(), request.search())
                : resolved.name();
        var rewriting = new GreedyRewriting(template(request.template(), defaultTemplate, spec),
                request.maxTokens(), settings.positiveInt(PREFIX + "heldout.batch-size"),
                decoding(settings, !sql && !literature, sql ? "text-to-SQL" : "literature search", err));
        var resources = new OwnedResources();
        try {
            PromptBudget budget = PromptBudget.of(settings, request.model(), request.maxTokens(), resources);
            TrainingProblem<?> problem;
            if (sql) {
                problem = SqlTrainingProblem.open(settings, SpiderDataset.open(resolved.name(), resolved.folder()),
                        request.sqlUrl(), rewriting, budget, err);
            } else if (literature) {
                problem = LiteratureTrainingProblem.open(settings, resolved.name(), resolved.folder(), request.search(),
                        rewriting, budget, err);
            } else if (qa) {
                problem = QaTrainingProblem.open(settings, QaDataset.open(resolved.name(), resolved.folder()), rewriting,
                        budget);
            } else {
                problem = BeirTrainingProblem.open(settings, BeirDataset.open(resolved.name(), resolved.folder()),
                        request.retriever(), rewriting, budget);
            }
            if (budget.left() > 0) {
                err.printf(Locale.ROOT, "%d training prompts longer than %d tokens left out (%d kept)%n", budget.left(),
                        budget.maxPromptTokens(), problem.tasks().size());
            }
            return problem;
        } finally {
            resources.close();
        }
    }

    private static PromptTemplate template(String name, String datasetName, CommandSpec spec) {
        try {
            return PromptTemplate.bundled(name.isEmpty() ? datasetName : name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + " (choose one with --template)");
        }
    }
}
