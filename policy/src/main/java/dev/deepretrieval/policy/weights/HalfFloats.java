package dev.deepretrieval.policy.weights;

/** Widening of 16-bit floats to float32 in Java. */
final class HalfFloats {

    private HalfFloats() {}

    /** bfloat16 is the upper half of a float32. */
    static float fromBfloat16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** IEEE 754 binary16. */
    static float fromFloat16(short bits) {
        return Float.float16ToFloat(bits);
    }
}
