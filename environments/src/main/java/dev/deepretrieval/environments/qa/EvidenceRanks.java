package dev.deepretrieval.environments.qa;

import java.util.List;
import java.util.Map;

/** The rank of the first answer-bearing passage in a ranked list of passage ids. */
public final class EvidenceRanks {

    private EvidenceRanks() {}

    /** 1-based rank, or 0 when no retrieved passage holds an answer. */
    public static int firstHit(List<String> rankedIds, Map<String, String> passageTexts, DprAnswerMatcher answers) {
        for (int i = 0; i < rankedIds.size(); i++) {
            String text = passageTexts.get(rankedIds.get(i));
            if (text != null && answers.matches(text)) {
                return i + 1;
            }
        }
        return 0;
    }
}
