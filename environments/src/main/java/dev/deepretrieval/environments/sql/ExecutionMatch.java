package dev.deepretrieval.environments.sql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Execution accuracy: do two result sets hold the same rows? The paper compares them as sets of row tuples (order
 * and duplicates ignored, column order significant); {@link #ordered} also requires the same row order, for gold
 * queries with ORDER BY. Values are normalised so that drivers' type choices do not matter: numbers compare by
 * value ({@code 1}, {@code 1.0} and {@code 1L} are equal), everything else by its text.
 */
public final class ExecutionMatch {

    private ExecutionMatch() {}

    /** Set equality of normalised rows. */
    public static boolean asSets(List<List<Object>> predicted, List<List<Object>> gold) {
        return new HashSet<>(normalise(predicted)).equals(new HashSet<>(normalise(gold)));
    }

    /** Row-by-row equality of normalised rows, order included. */
    public static boolean ordered(List<List<Object>> predicted, List<List<Object>> gold) {
        return normalise(predicted).equals(normalise(gold));
    }

    static List<List<Object>> normalise(List<List<Object>> rows) {
        var out = new ArrayList<List<Object>>(rows.size());
        for (List<Object> row : rows) {
            var normalised = new ArrayList<Object>(row.size());
            for (Object value : row) {
                normalised.add(normalise(value));
            }
            out.add(normalised);
        }
        return out;
    }

    private static Object normalise(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number number) {
            BigDecimal decimal = number instanceof BigDecimal d ? d : new BigDecimal(number.toString());
            BigDecimal stripped = decimal.stripTrailingZeros();
            return stripped.signum() == 0 ? BigDecimal.ZERO : stripped;
        }
        if (value instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        return Objects.toString(value);
    }
}
