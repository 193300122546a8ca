package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.environments.sql.SpiderDataset;
import java.nio.file.Path;

/** The task families, and the one order in which a dataset folder is recognised as one of them. */
public enum TaskFamily {
    /** A Spider-layout folder: questions over databases, scored by execution match. */
    TEXT_TO_SQL("text-to-SQL"),
    /** Questions with answers over a passage collection (BM25, the rank of the first answer-bearing passage). */
    EVIDENCE_QA("evidence QA (BM25)"),
    /** Systematic-review tasks searched through PubMed, ClinicalTrials.gov or a local corpus (recall). */
    LITERATURE_SEARCH("literature search"),
    /** A BEIR dataset (nDCG over judged documents), the family a folder is when it is none of the others. */
    BEIR("BEIR");

    private final String label;

    TaskFamily(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The family the dataset in {@code folder} belongs to, tried in declaration order. */
    public static TaskFamily of(Path folder) {
        if (SpiderDataset.isSpiderFolder(folder)) {
            return TEXT_TO_SQL;
        }
        if (QaDataset.isQaFolder(folder)) {
            return EVIDENCE_QA;
        }
        if (LiteratureTasks.isTaskFolder(folder)) {
            return LITERATURE_SEARCH;
        }
        return BEIR;
    }
}
