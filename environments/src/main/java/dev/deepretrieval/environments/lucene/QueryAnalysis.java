package dev.deepretrieval.environments.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/** Runs text through the analyser, keeping each token's position so phrases can respect removed stop words. */
final class QueryAnalysis {

    /** An analysed token and its position in the token stream. */
    record Token(String term, int position) {}

    private QueryAnalysis() {}

    static List<Token> tokens(Analyzer analyzer, String field, String text) {
        var tokens = new ArrayList<Token>();
        try (TokenStream stream = analyzer.tokenStream(field, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
            stream.reset();
            int position = -1;
            while (stream.incrementToken()) {
                position += increment.getPositionIncrement();
                tokens.add(new Token(term.toString(), position));
            }
            stream.end();
        } catch (IOException e) {
            // Analysis reads from a String; an IOException here is a programming error, not bad input.
            throw new UncheckedIOException(e);
        }
        return tokens;
    }
}
