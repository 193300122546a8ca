package dev.deepretrieval.policy.tokenizer;

import dev.deepretrieval.policy.PolicyLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * llama2.c's tokenizer file ({@code tok512.bin}: int32 max token length, then per token a float32 merge score, an
 * int32 byte length and the bytes) with its algorithms: encoding adds the dummy-prefix space, starts from single
 * characters (unknown ones as byte tokens {@code <0xXX>} = byte + 3) and merges the best-scoring pair until none
 * is left; decoding drops the space after BOS and turns byte tokens back into bytes.
 */
public final class Llama2cTokenizer implements TextTokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final int BYTE_OFFSET = 3;

    private final String[] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(String[] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
    }

    public static Llama2cTokenizer open(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyLoadException(file + ": cannot read tokenizer: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw new PolicyLoadException(file + ": too short for a llama2.c tokenizer");
        }
        in.getInt(); // max token length
        var pieces = new ArrayList<String>();
        var scores = new ArrayList<Float>();
        while (in.hasRemaining()) {
            if (in.remaining() < 8) {
                throw new PolicyLoadException(file + ": truncated at token " + pieces.size());
            }
            float score = in.getFloat();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new PolicyLoadException(file + ": token " + pieces.size() + " has invalid length " + length);
            }
            byte[] piece = new byte[length];
            in.get(piece);
            pieces.add(new String(piece, StandardCharsets.UTF_8));
            scores.add(score);
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        return new Llama2cTokenizer(pieces.toArray(String[]::new), scoreArray);
    }

    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> tokens = new ArrayList<>();
        if (text.isEmpty()) {
            return new int[0];
        }
        Integer space = ids.get(" ");
        if (space != null) {
            tokens.add(space);
        }
        text.codePoints().forEach(cp -> {
            String character = new String(Character.toChars(cp));
            Integer id = ids.get(character);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : character.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add((b & 0xFF) + BYTE_OFFSET);
                }
            }
        });
        while (true) {
            float best = Float.NEGATIVE_INFINITY;
            int bestId = -1;
            int bestIndex = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer merged = ids.get(pieces[tokens.get(i)] + pieces[tokens.get(i + 1)]);
                if (merged != null && scores[merged] > best) {
                    best = scores[merged];
                    bestId = merged;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] tokenIds) {
        var bytes = new java.io.ByteArrayOutputStream();
        int previous = -1;
        for (int id : tokenIds) {
            if (id < 0 || id >= pieces.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length);
            }
            if (id == BOS || id == EOS) {
                previous = id;
                continue;
            }
            String piece = pieces[id];
            if (previous == BOS && piece.startsWith(" ")) {
                piece = piece.substring(1);
            }
            if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
                bytes.write(Integer.parseInt(piece.substring(3, 5), 16));
            } else {
                bytes.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
            }
            previous = id;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
