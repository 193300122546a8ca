package dev.deepretrieval.environments.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The analysis chain of Anserini's default English analyser: Unicode word tokenisation (UAX#29), possessive
 * removal, lower-casing, Lucene's English stop words, Porter stemming. Used for documents and queries alike.
 */
public final class PorterEnglishAnalyzer extends Analyzer {

    /** Changes whenever the chain changes, so cached indexes built with an older chain are rebuilt. */
    public static final String VERSION = "standard+possessive+lowercase+lucene-english-stop+porter/1";

    private final CharArraySet stopWords = EnglishAnalyzer.ENGLISH_STOP_WORDS_SET;

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        StandardTokenizer source = new StandardTokenizer();
        TokenStream result = new EnglishPossessiveFilter(source);
        result = new LowerCaseFilter(result);
        result = new StopFilter(result, stopWords);
        result = new PorterStemFilter(result);
        return new TokenStreamComponents(source, result);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
        return new LowerCaseFilter(in);
    }
}
