package dev.deepretrieval.environments;

/** One retrieved document: its collection id and the retriever's score for it. */
public record Hit(String docId, float score) {}
