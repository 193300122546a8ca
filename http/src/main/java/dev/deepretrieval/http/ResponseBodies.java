package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.rewriter.Rewrite;

/** The JSON bodies the service answers with: rewrites, OpenAI completions and chunks, errors. */
final class ResponseBodies {

    static final ObjectMapper JSON = JsonMapping.mapper();

    private ResponseBodies() {}

    /**
     * {@code {"query", "rewritten", "fallback", "think", "format_valid", "completion", "task", "model_version",
     * "latency_ms"}}. {@code rewritten} is never empty: when the completion does not parse as an answer, it is the
     * original query and {@code fallback} is true. The latency is the generation's own, to the microsecond (the time
     * on the wire and in queues is the client's to see).
     */
    static ObjectNode rewrite(RewriteRequest request, RewriteService.Generation generation) {
        Rewrite rewrite = generation.rewrite();
        ObjectNode node = JSON.createObjectNode();
        node.put("query", request.query());
        node.put("rewritten", rewrite.rewritten().filter(q -> !q.isBlank()).orElse(request.query()));
        node.put("fallback", rewrite.rewritten().filter(q -> !q.isBlank()).isEmpty());
        node.put("think", rewrite.think().orElse(null));
        node.put("format_valid", rewrite.formatValid());
        node.put("completion", rewrite.completion());
        node.put("task", request.task());
        node.put("model_version", generation.modelVersion());
        node.put("latency_ms", generation.latencyMs());
        return node;
    }

    static ObjectNode delta(String text) {
        return JSON.createObjectNode().put("text", text);
    }

    /** An OpenAI {@code chat.completion}. */
    static ObjectNode chatCompletion(String id, long created, String model, RewriteService.Generation generation) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("object", "chat.completion");
        node.put("created", created);
        node.put("model", model);
        node.put("system_fingerprint", generation.modelVersion());
        ObjectNode choice = node.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant")
                .put("content", generation.generatedText(RewriteService.CHAT));
        choice.putNull("logprobs");
        choice.put("finish_reason", generation.finishReason());
        usage(node, generation);
        return node;
    }

    /** An OpenAI {@code chat.completion.chunk}: a role, a content delta, or the finish reason (all optional). */
    static ObjectNode chatChunk(String id, long created, String model, String version, String role, String content,
            String finishReason) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("object", "chat.completion.chunk");
        node.put("created", created);
        node.put("model", model);
        node.put("system_fingerprint", version);
        ObjectNode choice = node.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return node;
    }

    private static void usage(ObjectNode node, RewriteService.Generation generation) {
        int prompt = generation.rewrite().promptTokens().length;
        int completion = generation.rewrite().generatedTokens().length;
        node.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    /** {@code GET /v1/models}. */
    static ObjectNode models(String model, String version, long created) {
        ObjectNode node = JSON.createObjectNode();
        node.put("object", "list");
        ArrayNode data = node.putArray("data");
        data.addObject().put("id", model).put("object", "model").put("created", created).put("owned_by", "deepretrieval")
                .put("version", version);
        return node;
    }

    /** {@code {"error": {"type", "message", "field"?}}}, OpenAI's error shape with the field at fault. */
    static ObjectNode error(String type, String message, String field) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode error = node.putObject("error");
        error.put("type", type);
        error.put("message", message);
        if (field != null) {
            error.put("field", field);
        }
        return node;
    }
}
