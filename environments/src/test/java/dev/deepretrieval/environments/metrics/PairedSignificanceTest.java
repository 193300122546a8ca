package dev.deepretrieval.environments.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedSignificanceTest {

    @Test
    void studentTMatchesPublishedCriticalValues() {
        // two-sided 5% and 1% points of Student's t (standard tables)
        assertEquals(0.05, PairedSignificance.studentTwoSided(2.228, 10), 2e-4);
        assertEquals(0.01, PairedSignificance.studentTwoSided(3.169, 10), 2e-4);
        assertEquals(0.05, PairedSignificance.studentTwoSided(1.972, 200), 2e-4);
        assertEquals(0.05, PairedSignificance.studentTwoSided(12.706, 1), 2e-4);
        assertEquals(1.0, PairedSignificance.studentTwoSided(0, 30), 1e-12);
        assertEquals(Math.log(24), PairedSignificance.logGamma(5), 1e-12);
    }

    @Test
    void aSmallWorkedExampleByHand() {
        // differences 1, 2, 3, 4: mean 2.5, sd 1.2910, t = 3.873 with 3 df -> p = 0.0305 (two-sided)
        var result = PairedSignificance.of(List.of(0.0, 0.0, 0.0, 0.0), List.of(1.0, 2.0, 3.0, 4.0), 10_000, 1);
        assertEquals(2.5, result.meanDifference(), 1e-12);
        assertEquals(3.8730, result.tStatistic(), 1e-4);
        assertEquals(0.0305, result.tTestP(), 1e-4);
        // 16 equally likely sign patterns; only all-plus and all-minus reach |10|: p = 2/16
        assertEquals(0.125, result.randomizationP(), 0.01);
    }

    @Test
    void noDifferenceIsNotSignificantAndAClearOneIs() {
        var random = new Random(3);
        var a = new ArrayList<Double>();
        var same = new ArrayList<Double>();
        var better = new ArrayList<Double>();
        for (int i = 0; i < 300; i++) {
            double x = random.nextDouble();
            a.add(x);
            same.add(x);
            better.add(x + 0.02 + 0.05 * random.nextGaussian());
        }
        var none = PairedSignificance.of(a, same, 10_000, 7);
        assertEquals(1.0, none.tTestP());
        assertEquals(1.0, none.randomizationP());
        var clear = PairedSignificance.of(a, better, 10_000, 7);
        assertTrue(clear.tTestP() < 1e-6 && clear.randomizationP() < 0.001, clear.toString());
        assertEquals(clear, PairedSignificance.of(a, better, 10_000, 7), "seeded: the same p-values");
    }
}
