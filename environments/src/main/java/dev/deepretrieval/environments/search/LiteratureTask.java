package dev.deepretrieval.environments.search;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A literature-search task in the PICO layout: the review's population, intervention, comparison and outcome, the
 * ids of the studies it included (PMIDs or NCT ids), the review date that limits the search (no later
 * publications), and the split the task file puts it in, if any.
 */
public record LiteratureTask(String id, String population, String intervention, String comparison, String outcome,
        Set<String> included, Optional<LocalDate> reviewDate, Optional<String> split) {

    public LiteratureTask {
        Objects.requireNonNull(id, "id");
        included = Set.copyOf(included);
        if (included.isEmpty()) {
            throw new IllegalArgumentException("task " + id + " has no included studies");
        }
    }

    /** The PICO block of the paper's prompt: {@code P: …\nI: …\nC: …\nO: …\n}. */
    public String pico() {
        return "P: " + population + "\nI: " + intervention + "\nC: " + comparison + "\nO: " + outcome + "\n";
    }

    /** The paper's "original query" baseline: the non-empty PICO elements joined by OR. */
    public String originalQuery() {
        var parts = new ArrayList<String>();
        for (String part : List.of(population, intervention, comparison, outcome)) {
            if (!part.isBlank()) {
                parts.add(part.strip());
            }
        }
        return String.join(" OR ", parts);
    }
}
