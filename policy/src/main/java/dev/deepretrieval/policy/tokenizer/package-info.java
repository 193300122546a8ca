/**
 * Tokenizers from local files only: Hugging Face {@code tokenizer.json} through DJL's binding, and llama2.c's
 * {@code tok512.bin}; plus the chat formats the paper's prompts use (Qwen's ChatML and plain User/Assistant text).
 *
 * <p>Depends on DJL's tokenizers binding only.
 */
package dev.deepretrieval.policy.tokenizer;
