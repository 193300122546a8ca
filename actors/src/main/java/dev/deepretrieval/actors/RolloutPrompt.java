package dev.deepretrieval.actors;

/**
 * One prompt to roll out.
 *
 * @param promptId the task instance it was built from (the group of group baselines; the key of its task)
 * @param original the original query inside the prompt
 * @param text the rendered prompt
 */
public record RolloutPrompt(String promptId, String original, String text) {}
