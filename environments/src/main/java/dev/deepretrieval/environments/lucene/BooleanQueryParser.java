package dev.deepretrieval.environments.lucene;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * A forgiving Boolean query language for model-written queries, total over all strings: it never throws on input.
 *
 * <p>Grammar, loosest binding first: {@code or := and ([OR] and)*} (adjacent expressions are OR-ed, as in Lucene's
 * classic parser); {@code and := unary ((AND | NOT) unary)*} where {@code x NOT y} means {@code x AND NOT y} (as in
 * PubMed); {@code unary := NOT unary | ( or ) | "phrase" | word}. Operators count only in upper case. PubMed field
 * tags such as {@code [tiab]} or {@code [MeSH Terms]} are ignored. Words are analysed like documents; a word that
 * analyses into several tokens (e.g. {@code COVID-19}) becomes an OR of them, a quoted phrase a phrase query.
 *
 * <p>Repairs: unbalanced parentheses and quotes are closed at the end, dangling operators are dropped, nesting
 * deeper than {@value #MAX_DEPTH} is flattened, parts that analyse to nothing (stop words) are dropped, and a
 * group with only negated parts matches nothing (Lucene's semantics for pure negation). At most {@code maxClauses} clauses are built, counting terms and Boolean clauses,
 * so no input can exceed Lucene's clause limit; the rest of the text is dropped.
 */
public final class BooleanQueryParser {

    static final int MAX_DEPTH = 64;

    private final Analyzer analyzer;
    private final String field;
    private final int maxClauses;

    public BooleanQueryParser(Analyzer analyzer, String field, int maxClauses) {
        if (maxClauses < 1) {
            throw new IllegalArgumentException("maxClauses must be >= 1, got " + maxClauses);
        }
        this.analyzer = analyzer;
        this.field = field;
        this.maxClauses = maxClauses;
    }

    public Query parse(String text) {
        Node tree = new Parser(Lexer.lex(text)).parseAll();
        Query query = tree == null ? null : new Builder().build(tree);
        return query == null ? new MatchNoDocsQuery("no positive terms") : query;
    }

    // ---- lexing -------------------------------------------------------------------------------------------------

    enum Kind { WORD, PHRASE, AND, OR, NOT, OPEN, CLOSE }

    record Lexeme(Kind kind, String text) {}

    static final class Lexer {
        private Lexer() {}

        static List<Lexeme> lex(String text) {
            var out = new ArrayList<Lexeme>();
            int i = 0;
            int n = text.length();
            while (i < n) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(') {
                    out.add(new Lexeme(Kind.OPEN, "("));
                    i++;
                } else if (c == ')') {
                    out.add(new Lexeme(Kind.CLOSE, ")"));
                    i++;
                } else if (c == '[') {
                    int end = text.indexOf(']', i + 1);
                    i = end < 0 ? n : end + 1;
                } else if (c == '"') {
                    int end = text.indexOf('"', i + 1);
                    int stop = end < 0 ? n : end;
                    out.add(new Lexeme(Kind.PHRASE, text.substring(i + 1, stop)));
                    i = end < 0 ? n : end + 1;
                } else {
                    int start = i;
                    while (i < n && !isDelimiter(text.charAt(i))) {
                        i++;
                    }
                    String word = text.substring(start, i);
                    out.add(switch (word) {
                        case "AND", "&&" -> new Lexeme(Kind.AND, word);
                        case "OR", "||" -> new Lexeme(Kind.OR, word);
                        case "NOT" -> new Lexeme(Kind.NOT, word);
                        default -> new Lexeme(Kind.WORD, word);
                    });
                }
            }
            return out;
        }

        private static boolean isDelimiter(char c) {
            return Character.isWhitespace(c) || c == '(' || c == ')' || c == '"' || c == '[';
        }
    }

    // ---- parsing ------------------------------------------------------------------------------------------------

    sealed interface Node permits Word, Phrase, Or, And {}

    record Word(String text) implements Node {}

    record Phrase(String text) implements Node {}

    record Or(List<Node> children) implements Node {}

    /** Conjunction; {@code negated.get(i)} tells whether child i is excluded rather than required. */
    record And(List<Node> children, List<Boolean> negated) implements Node {}

    static final class Parser {
        private final List<Lexeme> lexemes;
        private int pos;
        private int depth;

        Parser(List<Lexeme> lexemes) {
            this.lexemes = lexemes;
        }

        Node parseAll() {
            var parts = new ArrayList<Node>();
            while (pos < lexemes.size()) {
                int before = pos;
                Node node = parseOr();
                if (node != null) {
                    parts.add(node);
                }
                if (pos == before) {
                    pos++; // a stray ')' or operator at top level: drop it
                }
            }
            return or(parts);
        }

        private Node parseOr() {
            var parts = new ArrayList<Node>();
            while (pos < lexemes.size()) {
                Kind kind = peek();
                if (kind == Kind.CLOSE) {
                    break;
                }
                if (kind == Kind.OR || kind == Kind.AND) {
                    pos++; // dangling operator
                    continue;
                }
                Node node = parseAnd();
                if (node != null) {
                    parts.add(node);
                }
            }
            return or(parts);
        }

        private Node parseAnd() {
            var children = new ArrayList<Node>();
            var negated = new ArrayList<Boolean>();
            boolean negate = false;
            boolean expectOperand = true;
            while (pos < lexemes.size()) {
                Kind kind = peek();
                if (kind == Kind.NOT) {
                    pos++;
                    negate = !negate;
                    expectOperand = true;
                    continue;
                }
                if (kind == Kind.AND) {
                    pos++;
                    expectOperand = true;
                    continue;
                }
                if (kind == Kind.OR || kind == Kind.CLOSE || !expectOperand) {
                    break;
                }
                Node operand = parsePrimary();
                if (operand != null) {
                    children.add(operand);
                    negated.add(negate);
                }
                negate = false;
                expectOperand = false;
            }
            if (children.isEmpty()) {
                return null;
            }
            if (children.size() == 1 && !negated.get(0)) {
                return children.get(0);
            }
            return new And(List.copyOf(children), List.copyOf(negated));
        }

        private Node parsePrimary() {
            Lexeme lexeme = lexemes.get(pos++);
            return switch (lexeme.kind()) {
                case WORD -> new Word(lexeme.text());
                case PHRASE -> new Phrase(lexeme.text());
                case OPEN -> {
                    if (depth >= MAX_DEPTH) {
                        yield null; // flatten: the group's contents continue at this level
                    }
                    depth++;
                    Node inner = parseOr();
                    depth--;
                    if (pos < lexemes.size() && peek() == Kind.CLOSE) {
                        pos++;
                    }
                    yield inner;
                }
                default -> null; // operators are handled by the callers; CLOSE never reaches here
            };
        }

        private Kind peek() {
            return lexemes.get(pos).kind();
        }

        private static Node or(List<Node> parts) {
            if (parts.isEmpty()) {
                return null;
            }
            return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
        }
    }

    // ---- building the Lucene query ------------------------------------------------------------------------------

    /** Turns the tree into a Lucene query within the clause budget; {@code null} means "matches nothing". */
    private final class Builder {
        private int budget = maxClauses;

        Query build(Node node) {
            if (budget <= 0) {
                return null;
            }
            return switch (node) {
                case Word word -> word(word.text());
                case Phrase phrase -> phrase(phrase.text());
                case Or or -> or(or.children());
                case And and -> and(and);
            };
        }

        private Query word(String text) {
            List<QueryAnalysis.Token> tokens = QueryAnalysis.tokens(analyzer, field, text);
            if (tokens.isEmpty()) {
                return null;
            }
            if (tokens.size() == 1) {
                budget--;
                return new TermQuery(new Term(field, tokens.get(0).term()));
            }
            var builder = new BooleanQuery.Builder();
            int added = 0;
            for (QueryAnalysis.Token token : tokens) {
                if (budget < 2) {
                    break;
                }
                budget -= 2; // the term and its clause
                builder.add(new TermQuery(new Term(field, token.term())), BooleanClause.Occur.SHOULD);
                added++;
            }
            return added == 0 ? null : builder.build();
        }

        private Query phrase(String text) {
            List<QueryAnalysis.Token> tokens = QueryAnalysis.tokens(analyzer, field, text);
            if (tokens.isEmpty() || budget < tokens.size()) {
                return null;
            }
            budget -= tokens.size();
            if (tokens.size() == 1) {
                return new TermQuery(new Term(field, tokens.get(0).term()));
            }
            var builder = new PhraseQuery.Builder();
            for (QueryAnalysis.Token token : tokens) {
                builder.add(new Term(field, token.term()), token.position());
            }
            return builder.build();
        }

        private Query or(List<Node> children) {
            var clauses = new ArrayList<Query>();
            for (Node child : children) {
                if (budget < 2) {
                    break;
                }
                budget--; // the clause itself
                Query query = build(child);
                if (query != null) {
                    clauses.add(query);
                }
            }
            if (clauses.isEmpty()) {
                return null;
            }
            if (clauses.size() == 1) {
                return clauses.get(0);
            }
            var builder = new BooleanQuery.Builder();
            clauses.forEach(q -> builder.add(q, BooleanClause.Occur.SHOULD));
            return builder.build();
        }

        private Query and(And and) {
            var builder = new BooleanQuery.Builder();
            int required = 0;
            int excludedCount = 0;
            Query only = null;
            for (int i = 0; i < and.children().size(); i++) {
                if (budget < 2) {
                    break;
                }
                budget--;
                Query query = build(and.children().get(i));
                if (query == null) {
                    continue;
                }
                boolean excluded = and.negated().get(i);
                builder.add(query, excluded ? BooleanClause.Occur.MUST_NOT : BooleanClause.Occur.MUST);
                if (!excluded) {
                    required++;
                    only = query;
                } else {
                    excludedCount++;
                }
            }
            if (required == 0) {
                return null;
            }
            if (required == 1 && excludedCount == 0) {
                return only;
            }
            return builder.build();
        }
    }
}
