package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;

/** One decoder layer's parameters, Hugging Face orientation ({@code [out, in]}); biases may be null. */
record LayerWeights(
        NDArray inputNorm,
        NDArray q,
        NDArray qBias,
        NDArray k,
        NDArray kBias,
        NDArray v,
        NDArray vBias,
        NDArray o,
        NDArray oBias,
        NDArray postAttentionNorm,
        NDArray gate,
        NDArray up,
        NDArray down) {}
