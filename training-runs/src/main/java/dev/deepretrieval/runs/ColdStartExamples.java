package dev.deepretrieval.runs;

import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.qa.QaQuestion;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.lm.SupervisedExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Cold-start examples: each training query inside its task's prompt, with the query itself restated in the answer
 * format as the target (then the end-of-turn token). No reference rewrites are used.
 */
public final class ColdStartExamples {

    /**
     * One source of queries: a dataset folder, what to read ({@code queries} of a split, or the corpus's document
     * {@code titles}), and the prompt template; {@code max} 0 = all.
     */
    public record Source(Path folder, String kind, String split, PromptTemplate template, int max) {}

    private ColdStartExamples() {}

    public static List<String> queries(Source source) {
        List<String> texts;
        if (source.kind().equals("titles")) {
            var titles = new LinkedHashSet<String>();
            Corpus.in(source.folder().getFileName().toString(), source.folder(),
                    QaDataset.isQaFolder(source.folder()) ? "passages.jsonl" : "corpus.jsonl").forEachDocument(d -> {
                        String title = d.title().strip();
                        if (!title.isEmpty()) {
                            titles.add(title);
                        }
                    });
            texts = List.copyOf(titles);
        } else if (QaDataset.isQaFolder(source.folder())) {
            texts = QaDataset.open(source.folder().getFileName().toString(), source.folder()).questions().stream()
                    .map(QaQuestion::question).toList();
        } else {
            BeirDataset data = BeirDataset.open(source.folder().getFileName().toString(), source.folder());
            texts = data.queriesOf(Split.parse(source.split())).stream().map(Query::text).toList();
        }
        return source.max() > 0 && texts.size() > source.max() ? texts.subList(0, source.max()) : texts;
    }

    public static List<SupervisedExample> build(Policy policy, Source source, int endOfTurn) {
        var examples = new ArrayList<SupervisedExample>();
        for (String query : queries(source)) {
            int[] context = policy.promptTokens(source.template().render(query));
            int[] body = policy.tokenizer().encode(CopyQueryTarget.completion(source.template(), query));
            int[] target = new int[body.length + 1];
            System.arraycopy(body, 0, target, 0, body.length);
            target[body.length] = endOfTurn;
            examples.add(new SupervisedExample(context, target));
        }
        return examples;
    }
}
