package dev.deepretrieval.environments.beir;

import java.util.Locale;

/** The qrels splits a BEIR folder may hold. */
public enum Split {
    TRAIN,
    DEV,
    TEST;

    /** The split's file name under {@code qrels/}. */
    public String fileName() {
        return label() + ".tsv";
    }

    /** The lower-case name used on the command line and in file names. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code train}, {@code dev} or {@code test} (any case). */
    public static Split parse(String text) {
        for (Split split : values()) {
            if (split.label().equalsIgnoreCase(text.strip())) {
                return split;
            }
        }
        throw new IllegalArgumentException("unknown split '" + text + "' (expected train, dev or test)");
    }
}
