package dev.deepretrieval.policy.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE tokenizer (GPT-2 / Qwen family) and writes it as a Hugging Face {@code tokenizer.json}
 * that {@link HfTokenizer} loads: GPT-2's pre-tokenisation regex, every byte mapped to a printable character, then
 * the most frequent adjacent pair merged until the vocabulary is full. Ties go to the lexicographically smallest
 * pair, so training is deterministic: the same text gives the same tokenizer, byte for byte.
 */
public final class ByteLevelBpeTrainer {

    /** GPT-2's split: contractions, letter runs, digit runs, other runs, each with an optional leading space. */
    private static final Pattern PRE_TOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private static final char[] BYTE_TO_CHAR = byteToChar();

    private final int vocabSize;
    private final List<String> specialTokens;

    /**
     * @param vocabSize the final vocabulary size, special tokens included (at least 256 + specials)
     * @param specialTokens tokens never split, given the first ids (e.g. {@code <|endoftext|>}, {@code <answer>})
     */
    public ByteLevelBpeTrainer(int vocabSize, List<String> specialTokens) {
        if (vocabSize < 256 + specialTokens.size()) {
            throw new IllegalArgumentException("vocabulary must hold the 256 bytes and the special tokens");
        }
        this.vocabSize = vocabSize;
        this.specialTokens = List.copyOf(specialTokens);
    }

    /** The learned vocabulary (token → id) and merges, in order. */
    public record Result(Map<String, Integer> vocabulary, List<String[]> merges) {}

    /** Learns merges from the texts. */
    public Result train(Iterable<String> texts) {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String text : texts) {
            Matcher m = PRE_TOKENIZE.matcher(text);
            while (m.find()) {
                wordCounts.merge(toByteChars(m.group()), 1, Integer::sum);
            }
        }
        // words in a stable order, each as a list of symbols
        List<String> words = new ArrayList<>(new TreeMap<>(wordCounts).keySet());
        int[] counts = new int[words.size()];
        List<List<String>> symbols = new ArrayList<>();
        for (int w = 0; w < words.size(); w++) {
            counts[w] = wordCounts.get(words.get(w));
            var list = new ArrayList<String>();
            words.get(w).codePoints().forEach(cp -> list.add(new String(Character.toChars(cp))));
            symbols.add(list);
        }
        var vocabulary = new LinkedHashMap<String, Integer>();
        for (String special : specialTokens) {
            vocabulary.put(special, vocabulary.size());
        }
        var bytes = new ArrayList<String>();
        for (char c : BYTE_TO_CHAR) {
            bytes.add(String.valueOf(c));
        }
        bytes.sort(null);
        for (String b : bytes) {
            vocabulary.putIfAbsent(b, vocabulary.size());
        }
        Map<Pair, Long> pairCounts = new HashMap<>();
        Map<Pair, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < symbols.size(); w++) {
            addPairs(symbols.get(w), w, counts[w], pairCounts, pairWords);
        }
        var merges = new ArrayList<String[]>();
        while (vocabulary.size() < vocabSize && !pairCounts.isEmpty()) {
            Pair best = null;
            long bestCount = 0;
            for (var entry : pairCounts.entrySet()) {
                long c = entry.getValue();
                if (c > bestCount || (c == bestCount && c > 0 && entry.getKey().compareTo(best) < 0)) {
                    best = entry.getKey();
                    bestCount = c;
                }
            }
            if (best == null || bestCount < 1) {
                break;
            }
            String merged = best.left() + best.right();
            merges.add(new String[] {best.left(), best.right()});
            vocabulary.putIfAbsent(merged, vocabulary.size());
            for (int w : new ArrayList<>(pairWords.getOrDefault(best, Set.of()))) {
                List<String> word = symbols.get(w);
                removePairs(word, w, counts[w], pairCounts, pairWords);
                var rebuilt = new ArrayList<String>(word.size());
                for (int i = 0; i < word.size(); i++) {
                    if (i + 1 < word.size() && word.get(i).equals(best.left()) && word.get(i + 1).equals(best.right())) {
                        rebuilt.add(merged);
                        i++;
                    } else {
                        rebuilt.add(word.get(i));
                    }
                }
                symbols.set(w, rebuilt);
                addPairs(rebuilt, w, counts[w], pairCounts, pairWords);
            }
        }
        return new Result(vocabulary, merges);
    }

    private record Pair(String left, String right) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair other) {
            int c = left.compareTo(other.left);
            return c != 0 ? c : right.compareTo(other.right);
        }
    }

    private static void addPairs(List<String> word, int w, int count, Map<Pair, Long> pairCounts,
            Map<Pair, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < word.size(); i++) {
            Pair pair = new Pair(word.get(i), word.get(i + 1));
            pairCounts.merge(pair, (long) count, Long::sum);
            pairWords.computeIfAbsent(pair, p -> new HashSet<>()).add(w);
        }
    }

    private static void removePairs(List<String> word, int w, int count, Map<Pair, Long> pairCounts,
            Map<Pair, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < word.size(); i++) {
            Pair pair = new Pair(word.get(i), word.get(i + 1));
            long left = pairCounts.merge(pair, (long) -count, Long::sum);
            if (left <= 0) {
                pairCounts.remove(pair);
                pairWords.remove(pair);
            } else {
                Set<Integer> owners = pairWords.get(pair);
                if (owners != null && !containsPair(word, pair, i + 1)) {
                    owners.remove(w);
                }
            }
        }
    }

    private static boolean containsPair(List<String> word, Pair pair, int from) {
        for (int i = from; i + 1 < word.size(); i++) {
            if (word.get(i).equals(pair.left()) && word.get(i + 1).equals(pair.right())) {
                return true;
            }
        }
        return false;
    }

    /** Writes the result as a Hugging Face {@code tokenizer.json}, atomically. */
    public void write(Result result, Path file) throws IOException {
        ObjectMapper mapper = JsonMapping.mapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : specialTokens) {
            ObjectNode token = added.addObject();
            token.put("id", result.vocabulary().get(special));
            token.put("content", special);
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", false);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        result.vocabulary().forEach(vocab::put);
        ArrayNode merges = model.putArray("merges");
        for (String[] merge : result.merges()) {
            merges.add(merge[0] + " " + merge[1]);
        }
        AtomicFiles.writeJson(file, root);
    }

    private static String toByteChars(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            out.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return out.toString();
    }

    /** GPT-2's printable stand-in for every byte: printable Latin-1 maps to itself, the rest to 256 + n. */
    private static char[] byteToChar() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }
}
