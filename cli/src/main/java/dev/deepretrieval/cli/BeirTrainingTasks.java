package dev.deepretrieval.cli;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.streams.TrainingTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A BEIR split's judged queries as training prompts, each inside the task's prompt template. */
final class BeirTrainingTasks implements TrainingTasks<RetrievalTask> {

    private final List<RetrievalTask> tasks;
    private final PromptTemplate template;

    BeirTrainingTasks(BeirDataset dataset, Split split, PromptTemplate template) {
        Qrels qrels = dataset.qrels(split).orElseThrow(() -> new IllegalArgumentException(
                dataset.name() + " has no " + split.label() + " qrels to train on"));
        var list = new ArrayList<RetrievalTask>();
        for (Query query : dataset.queriesOf(split)) {
            Map<String, Integer> judged = qrels.judgments(query.id());
            if (!judged.isEmpty()) {
                list.add(new RetrievalTask(query.id(), query.text(), judged));
            }
        }
        this.tasks = List.copyOf(list);
        this.template = template;
    }

    @Override
    public int size() {
        return tasks.size();
    }

    @Override
    public String promptId(int index) {
        return tasks.get(index).queryId();
    }

    @Override
    public String original(int index) {
        return tasks.get(index).queryText();
    }

    @Override
    public String prompt(int index) {
        return template.render(tasks.get(index).queryText());
    }

    @Override
    public RetrievalTask task(int index) {
        return tasks.get(index);
    }
}
