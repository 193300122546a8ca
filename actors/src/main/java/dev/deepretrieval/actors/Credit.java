package dev.deepretrieval.actors;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a rollout's reward is credited to in the update. */
public enum Credit {
    /** The whole answer: one outcome reward per rollout, every response token sharing its advantage. */
    OUTCOME,
    /**
     * Each word choice of an extractive rewrite: the token that made the choice is credited with the reward of the
     * rollout minus the reward of the same rollout with that one word gone the other way (both scored by the
     * environment). Each rollout then says, for every word it kept or left out, whether that choice helped.
     */
    WORD;

    /** {@code outcome} or {@code word} (any case). */
    public static Credit parse(String text) {
        for (Credit credit : values()) {
            if (credit.name().equalsIgnoreCase(text.strip())) {
                return credit;
            }
        }
        throw new IllegalArgumentException("unknown credit '" + text + "' (known: "
                + Arrays.stream(values()).map(Credit::toString).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
