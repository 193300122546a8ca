package dev.deepretrieval.runs;

import dev.deepretrieval.tasks.SearchEndpoints;
import java.nio.file.Path;

/**
 * One training run as its starter asks for it; a null field takes {@code deepretrieval.train}'s setting. The same
 * request comes from {@code ./deepretrieval train}'s flags and from the runs API's JSON body.
 *
 * @param task a dataset name from {@code deepretrieval.datasets} or a dataset folder
 * @param template a bundled prompt template's name
 * @param retriever {@code bm25} or {@code dense} (BEIR)
 * @param sqlUrl text-to-SQL: the R2DBC URL of the server
 * @param search literature search without a local corpus: the engine and API URLs
 * @param model the policy to start from
 * @param algorithm {@code ppo}, {@code grpo}, {@code dr-grpo} or {@code rloo}
 * @param out the run folder
 * @param resume continue the run in {@code out} from its newest checkpoint
 * @param skipHeldout stop after training (no held-out evaluation or summary)
 * @param storeUrl the run store's R2DBC URL, or {@code embedded}
 * @param runId the new run's id (a resumed run keeps its own)
 */
public record RunRequest(String task, String template, String retriever, String sqlUrl, SearchEndpoints search,
        Path model, String algorithm, Long steps, Long seed, Path out, boolean resume, boolean skipHeldout,
        String storeUrl, String runId) {

    public RunRequest {
        search = search == null ? SearchEndpoints.CONFIGURED : search;
    }

    /** The same request for a run of id {@code id}. */
    public RunRequest withRunId(String id) {
        return new RunRequest(task, template, retriever, sqlUrl, search, model, algorithm, steps, seed, out, resume,
                skipHeldout, storeUrl, id);
    }

    /** The same run, continued from its newest checkpoint in its folder. */
    public RunRequest resumed() {
        return new RunRequest(task, template, retriever, sqlUrl, search, model, algorithm, steps, seed, out, true,
                skipHeldout, storeUrl, runId);
    }
}
