package dev.deepretrieval.environments.qa;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DPR's answer rule ({@code has_answer} with its SimpleTokenizer): Unicode NFD, tokens are runs of letters, digits and
 * marks or any single other non-space, non-control character, lower-cased; a passage holds an answer when the
 * answer's tokens occur contiguously in the passage's tokens.
 */
public final class DprAnswerMatcher {

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}\\p{M}]+|[^\\p{Z}\\p{C}]");

    private final List<List<String>> answers;

    public DprAnswerMatcher(List<String> answers) {
        var tokenized = new ArrayList<List<String>>();
        for (String answer : answers) {
            List<String> tokens = tokens(answer);
            if (!tokens.isEmpty()) {
                tokenized.add(tokens);
            }
        }
        this.answers = List.copyOf(tokenized);
    }

    /** Whether {@code text} contains any of the answers. */
    public boolean matches(String text) {
        if (answers.isEmpty()) {
            return false;
        }
        List<String> words = tokens(text);
        for (List<String> answer : answers) {
            for (int start = 0; start + answer.size() <= words.size(); start++) {
                if (words.subList(start, start + answer.size()).equals(answer)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** DPR SimpleTokenizer words, uncased. */
    static List<String> tokens(String text) {
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFD);
        var out = new ArrayList<String>();
        Matcher matcher = TOKEN.matcher(normalised);
        while (matcher.find()) {
            out.add(matcher.group().toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
