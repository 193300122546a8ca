package dev.deepretrieval.policy.model;

/**
 * Llama 3's rotary-frequency scaling ({@code rope_scaling.rope_type = "llama3"}): long wavelengths are divided by
 * {@code factor}, short ones kept, and the band between them interpolated.
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {

    /** Applies the scaling to the inverse frequencies of one head. */
    public double[] apply(double[] inverseFrequencies) {
        double lowFreqWavelength = originalMaxPositions / lowFreqFactor;
        double highFreqWavelength = originalMaxPositions / highFreqFactor;
        double[] scaled = new double[inverseFrequencies.length];
        for (int i = 0; i < scaled.length; i++) {
            double frequency = inverseFrequencies[i];
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highFreqWavelength) {
                scaled[i] = frequency;
            } else if (wavelength > lowFreqWavelength) {
                scaled[i] = frequency / factor;
            } else {
                double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                scaled[i] = (1 - smooth) * frequency / factor + smooth * frequency;
            }
        }
        return scaled;
    }
}
