package dev.deepretrieval.environments.metrics;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Paired significance of the difference between two systems' per-query scores, as IR papers report it: the paired
 * t-test and the paired randomization (sign-flip permutation) test, both two-sided.
 *
 * @param queries the number of paired queries
 * @param meanDifference mean of (b − a) over the queries
 * @param tStatistic the paired t statistic (0 when every difference is 0)
 * @param tTestP two-sided p-value of the paired t-test (Student's t with n − 1 degrees of freedom)
 * @param permutations the number of random sign flips drawn
 * @param randomizationP two-sided p-value of the randomization test: (1 + flips whose |mean| reaches the observed
 *     |mean|) / (1 + permutations)
 */
public record PairedSignificance(int queries, double meanDifference, double tStatistic, double tTestP,
        int permutations, double randomizationP) {

    /** The default number of permutations (10,000, as Smucker et al. recommend for IR). */
    public static final int PERMUTATIONS = 10_000;

    /**
     * Compares system {@code b} against system {@code a} on the same queries.
     *
     * @param a per-query scores of the first system
     * @param b per-query scores of the second, in the same query order
     * @param seed seeds the sign flips, so the p-value is reproducible
     */
    public static PairedSignificance of(List<Double> a, List<Double> b, int permutations, long seed) {
        if (a.size() != b.size() || a.size() < 2) {
            throw new IllegalArgumentException("need two equally long lists of at least 2 paired scores, got "
                    + a.size() + " and " + b.size());
        }
        if (permutations < 1) {
            throw new IllegalArgumentException("permutations must be >= 1, got " + permutations);
        }
        int n = a.size();
        double[] d = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            d[i] = b.get(i) - a.get(i);
            sum += d[i];
        }
        double mean = sum / n;
        double squares = 0;
        for (double x : d) {
            squares += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(squares / (n - 1));
        double t;
        double tP;
        if (sd == 0) {
            t = 0;
            tP = mean == 0 ? 1 : 0;
        } else {
            t = mean / (sd / Math.sqrt(n));
            tP = studentTwoSided(Math.abs(t), n - 1);
        }
        double observed = Math.abs(sum);
        var random = new SplittableRandom(seed);
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            double flipped = 0;
            for (double x : d) {
                flipped += random.nextBoolean() ? x : -x;
            }
            if (Math.abs(flipped) >= observed - 1e-12) {
                atLeast++;
            }
        }
        return new PairedSignificance(n, mean, t, tP, permutations, (1.0 + atLeast) / (1.0 + permutations));
    }

    /** P(|T| ≥ t) for Student's t with {@code df} degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
    static double studentTwoSided(double t, int df) {
        return regularizedBeta(df / (df + t * t), df / 2.0, 0.5);
    }

    /** The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * betaFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 500; m++) {
            int m2 = 2 * m;
            double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + even * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + even / c;
            c = Math.abs(c) < tiny ? tiny : c;
            h *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + odd * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + odd / c;
            c = Math.abs(c) < tiny ? tiny : c;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return h;
    }

    /** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine coefficients). */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double z = x - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
