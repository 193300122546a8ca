package dev.deepretrieval.environments.qa;

import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.beir.DatasetFiles;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An evidence-QA folder: {@code passages.jsonl[.gz]} ({@code _id}, {@code title}, {@code text}) and
 * {@code questions.jsonl[.gz]} (or a DPR {@code .txt[.gz]} topics file given separately).
 */
public record QaDataset(String name, Corpus passages, List<QaQuestion> questions) {

    /** Whether {@code folder} looks like a QA folder. */
    public static boolean isQaFolder(Path folder) {
        return DatasetFiles.plainOrGzipped(folder.resolve("passages.jsonl")).isPresent()
                && DatasetFiles.plainOrGzipped(folder.resolve("questions.jsonl")).isPresent();
    }

    public static QaDataset open(String name, Path folder) {
        Corpus passages = Corpus.in(name, folder, "passages.jsonl");
        Path questions = DatasetFiles.plainOrGzipped(folder.resolve("questions.jsonl")).orElseThrow(() ->
                new DatasetFormatException(folder.resolve("questions.jsonl"), 0, "missing (also looked for .gz)"));
        return new QaDataset(name, passages, QuestionsReader.read(questions));
    }

    /** Passage contents as DPR matches answers against: title and text. */
    public Map<String, String> passageTexts() {
        var texts = new HashMap<String, String>();
        passages.forEachDocument(d -> texts.put(d.id(), d.title() + "\n" + d.text()));
        return texts;
    }
}
