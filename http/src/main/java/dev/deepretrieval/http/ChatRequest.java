package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A validated OpenAI {@code POST /v1/chat/completions} body: {@code messages} (system, user and assistant turns),
 * {@code temperature}, {@code max_tokens}, {@code seed}, {@code stream}. Any {@code model} name is accepted and
 * answered by the served policy, as clients written for one model name (the paper's rewrite client) expect.
 *
 * @param conversation the messages rendered in ChatML, without the open assistant turn
 */
public record ChatRequest(String conversation, double temperature, int maxTokens, OptionalLong seed, boolean stream) {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    public static ChatRequest parse(JsonNode body, ServeSettings settings) {
        RequestFields fields = new RequestFields(body);
        JsonNode messages = fields.node("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new InvalidRequest("messages", "must be a non-empty array of {role, content}");
        }
        var conversation = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject() || !message.path("role").isTextual() || !ROLES.contains(message.path("role").asText())) {
                throw new InvalidRequest(at + ".role", "must be system, user or assistant");
            }
            if (!message.path("content").isTextual()) {
                throw new InvalidRequest(at + ".content", "must be a string");
            }
            conversation.append("<|im_start|>").append(message.get("role").asText()).append('\n')
                    .append(message.get("content").asText()).append("<|im_end|>\n");
        }
        if (conversation.length() > settings.maxQueryChars() * 8L) {
            throw new InvalidRequest("messages", "longer than " + settings.maxQueryChars() * 8L + " characters in all");
        }
        // OpenAI's temperature default is 1
        double temperature = fields.number("temperature", 1, 0, 2);
        int maxTokens = fields.integer("max_tokens", settings.defaultMaxTokens(), 1, settings.maxTokensLimit());
        return new ChatRequest(conversation.toString(), temperature, maxTokens, fields.optionalLong("seed"),
                fields.flag("stream", false));
    }
}
