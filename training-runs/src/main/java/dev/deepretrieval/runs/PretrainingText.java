package dev.deepretrieval.runs;

import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.beir.CorpusDocument;
import dev.deepretrieval.environments.qa.QaDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents causal-LM pretraining reads: the corpora of the named datasets (BEIR corpora, QA passage
 * collections), each document as {@code title\ntext}, in file order, with every {@code every}-th document held out.
 */
public record PretrainingText(List<String> train, List<String> heldOut) {

    /** @param maxDocuments read at most this many documents per corpus (0 = all) */
    public static PretrainingText load(List<Path> datasetFolders, int heldOutEvery, int maxDocuments) {
        if (heldOutEvery < 2) {
            throw new IllegalArgumentException("held-out-every must be >= 2, got " + heldOutEvery);
        }
        var train = new ArrayList<String>();
        var heldOut = new ArrayList<String>();
        int[] index = {0};
        for (Path folder : datasetFolders) {
            Corpus corpus = Corpus.in(folder.getFileName().toString(), folder,
                    QaDataset.isQaFolder(folder) ? "passages.jsonl" : "corpus.jsonl");
            int[] read = {0};
            corpus.forEachDocument(document -> {
                if (maxDocuments > 0 && read[0]++ >= maxDocuments) {
                    return;
                }
                String text = text(document);
                if (!text.isBlank()) {
                    (index[0]++ % heldOutEvery == 0 ? heldOut : train).add(text);
                }
            });
        }
        return new PretrainingText(List.copyOf(train), List.copyOf(heldOut));
    }

    private static String text(CorpusDocument document) {
        String title = document.title().strip();
        String body = document.text().strip();
        return title.isEmpty() ? body : body.isEmpty() ? title : title + "\n" + body;
    }
}
