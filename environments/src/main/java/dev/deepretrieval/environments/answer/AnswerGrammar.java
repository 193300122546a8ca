package dev.deepretrieval.environments.answer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The answer grammar as a character automaton, for constrained decoding: a completion the automaton accepts to its
 * end parses as a valid answer ({@link AnswerParser}), and every prefix of such a completion is a live state.
 *
 * <p>The language, for {@link AnswerFormat#THINK_THEN_ANSWER} with key {@code query}:
 * <pre>
 *   gap &lt;think&gt; gap &lt;/think&gt; gap &lt;answer&gt; ws { ws "query" ws : ws STRING ws } ws &lt;/answer&gt; gap
 * </pre>
 * where {@code gap} is any text holding none of the four tags (so each tag occurs exactly once, in order), {@code ws}
 * is JSON whitespace and {@code STRING} a JSON string (escapes included, no raw control characters, no tag spelled
 * inside it, since the parser counts tags anywhere). The answer-only
 * variant drops the think part and its tags. The answer object carries exactly the one key: the canonical form the
 * prompts ask for.
 *
 * <p>A {@link State} is a small mutable cursor; {@link State#copy()} is cheap, so a decoder can try every token.
 */
public final class AnswerGrammar {

    private enum Kind { GAP, LITERAL, SPACE, STRING, END }

    private record Item(Kind kind, String text) {}

    private final List<Item> items;
    private final List<String> tags;
    private final int longestTag;

    public AnswerGrammar(AnswerFormat format, String key) {
        Objects.requireNonNull(key, "key");
        var list = new ArrayList<Item>();
        if (format == AnswerFormat.THINK_THEN_ANSWER) {
            tags = List.of("<think>", "</think>", "<answer>", "</answer>");
            list.add(new Item(Kind.GAP, "<think>"));
            list.add(new Item(Kind.GAP, "</think>"));
        } else {
            tags = List.of("<answer>", "</answer>");
        }
        list.add(new Item(Kind.GAP, "<answer>"));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.LITERAL, "{"));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.LITERAL, "\"" + key + "\""));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.LITERAL, ":"));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.STRING, ""));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.LITERAL, "}"));
        list.add(new Item(Kind.SPACE, ""));
        list.add(new Item(Kind.LITERAL, "</answer>"));
        list.add(new Item(Kind.END, ""));
        items = List.copyOf(list);
        longestTag = tags.stream().mapToInt(String::length).max().orElse(1);
    }

    /** A cursor at the start of a completion. */
    public State start() {
        return new State();
    }

    /** Where a completion has got to. */
    public final class State {
        private int item;
        private int matched;      // LITERAL: characters matched; STRING: 0 before the quote, 1 inside, 2 after '\', 3+ hex
        private final StringBuilder tail = new StringBuilder(); // GAP and END: the last characters, to spot tags
        private boolean dead;

        private State() {}

        public State copy() {
            State copy = new State();
            copy.item = item;
            copy.matched = matched;
            copy.tail.append(tail);
            copy.dead = dead;
            return copy;
        }

        /** Whether no continuation can make the text valid any more. */
        public boolean dead() {
            return dead;
        }

        /** Whether the text so far is a complete valid answer (the generation may stop here). */
        public boolean complete() {
            return !dead && items.get(item).kind() == Kind.END;
        }

        /** Feeds text; returns false (and the state is dead) when it leaves the language. */
        public boolean feed(CharSequence text) {
            for (int i = 0; i < text.length() && !dead; i++) {
                feed(text.charAt(i));
            }
            return !dead;
        }

        private void feed(char c) {
            Item current = items.get(item);
            switch (current.kind()) {
                case SPACE -> {
                    if (!isSpace(c)) {
                        item++;
                        feed(c);
                    }
                }
                case LITERAL -> {
                    if (c != current.text().charAt(matched)) {
                        dead = true;
                    } else if (++matched == current.text().length()) {
                        item++;
                        matched = 0;
                    }
                }
                case GAP, END -> {
                    tail.append(c);
                    if (tail.length() > longestTag) {
                        tail.deleteCharAt(0);
                    }
                    for (String tag : tags) {
                        if (endsWith(tail, tag)) {
                            if (current.kind() == Kind.GAP && tag.equals(current.text())) {
                                item++;
                                tail.setLength(0);
                            } else {
                                dead = true;
                            }
                            return;
                        }
                    }
                }
                case STRING -> string(c);
            }
        }

        private void string(char c) {
            switch (matched) {
                case 0 -> {
                    if (c == '"') {
                        matched = 1;
                        tail.setLength(0);
                    } else {
                        dead = true;
                    }
                }
                case 1 -> {
                    if (c == '"') {
                        item++;
                        matched = 0;
                        tail.setLength(0);
                    } else if (c == '\\') {
                        matched = 2;
                        tail.setLength(0);
                    } else if (c < 0x20) {
                        dead = true;
                    } else {
                        // the parser counts tags anywhere in the completion: none may be spelled inside the string
                        tail.append(c);
                        if (tail.length() > longestTag) {
                            tail.deleteCharAt(0);
                        }
                        for (String tag : tags) {
                            if (endsWith(tail, tag)) {
                                dead = true;
                                return;
                            }
                        }
                    }
                }
                case 2 -> {
                    if ("\"\\/bfnrt".indexOf(c) >= 0) {
                        matched = 1;
                    } else if (c == 'u') {
                        matched = 3;
                    } else {
                        dead = true;
                    }
                }
                default -> { // 3..6: the 1st..4th hex digit of a \\u escape
                    if (Character.digit(c, 16) < 0) {
                        dead = true;
                    } else {
                        matched = matched == 6 ? 1 : matched + 1;
                    }
                }
            }
        }

        /**
         * Whether the cursor is in free text (a gap with no tag begun, or inside the JSON string), where any text
         * without {@code <}, {@code "}, {@code \\} or control characters leaves it in the same place with the same
         * {@link #shortestCompletion()}: a decoder may skip trying such tokens one by one.
         */
        public boolean inPlainText() {
            if (dead) {
                return false;
            }
            Kind kind = items.get(item).kind();
            return (kind == Kind.GAP || kind == Kind.END || kind == Kind.STRING && matched == 1) && tail.indexOf("<") < 0;
        }

        /** The shortest text that completes a valid answer from here (empty when complete). */
        public String shortestCompletion() {
            if (dead) {
                throw new IllegalStateException("no completion from a dead state");
            }
            var out = new StringBuilder();
            Item current = items.get(item);
            switch (current.kind()) {
                case GAP -> out.append(current.text(), pendingTagMatch(current.text()), current.text().length());
                case LITERAL -> out.append(current.text(), matched, current.text().length());
                case STRING -> out.append(switch (matched) {
                    case 0 -> "\"\"";
                    case 1 -> "\"";
                    case 2 -> "n\"";
                    default -> "0".repeat(7 - matched) + "\"";
                });
                case SPACE, END -> { }
            }
            for (int i = item + 1; i < items.size(); i++) {
                Item next = items.get(i);
                out.append(switch (next.kind()) {
                    case GAP, LITERAL -> next.text();
                    case STRING -> "\"\"";
                    case SPACE, END -> "";
                });
            }
            return out.toString();
        }

        /** How much of {@code tag} the tail already spells (its longest suffix that is a proper prefix of tag). */
        private int pendingTagMatch(String tag) {
            for (int k = Math.min(tag.length() - 1, tail.length()); k > 0; k--) {
                if (tail.substring(tail.length() - k).equals(tag.substring(0, k))) {
                    return k;
                }
            }
            return 0;
        }
    }

    private static boolean endsWith(StringBuilder text, String suffix) {
        int offset = text.length() - suffix.length();
        if (offset < 0) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (text.charAt(offset + i) != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code text} is plain in the sense of {@link State#inPlainText()}. */
    public static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '"' || c == '\\' || c < 0x20) {
                return false;
            }
        }
        return !text.isEmpty();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
