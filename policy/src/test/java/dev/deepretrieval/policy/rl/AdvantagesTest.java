package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden values computed by hand (see each comment). */
class AdvantagesTest {

    private static final float EPS = 1e-6f;

    @Test
    void gaeWithGammaAndLambdaOneGivesReturnsOfFutureRewards() {
        // r = [0, 0, 1], V = [0.5, 0.2, 0.4]: δ2 = 0.6, δ1 = 0.2, δ0 = -0.3; A = [0.5, 0.8, 0.6]; R = [1, 1, 1]
        var estimate = Advantages.gae(List.of(new float[] {0, 0, 1}, new float[] {2}),
                List.of(new float[] {0.5f, 0.2f, 0.4f}, new float[] {1}), 1.0, 1.0);
        assertArrayEquals(new float[] {0.5f, 0.8f, 0.6f}, estimate.advantages().get(0), EPS);
        assertArrayEquals(new float[] {1f, 1f, 1f}, estimate.returns().get(0), EPS);
        // the second sequence ends after one token: V past its end is 0, A = 2 - 1
        assertArrayEquals(new float[] {1f}, estimate.advantages().get(1), EPS);
        assertArrayEquals(new float[] {2f}, estimate.returns().get(1), EPS);
    }

    @Test
    void gaeWithDiscounting() {
        // γ = 0.9, λ = 0.5: δ2 = 0.6; δ1 = 0.9*0.4 - 0.2 = 0.16, A1 = 0.16 + 0.45*0.6 = 0.43;
        // δ0 = 0.9*0.2 - 0.5 = -0.32, A0 = -0.32 + 0.45*0.43 = -0.1265; R = A + V
        var estimate = Advantages.gae(List.of(new float[] {0, 0, 1}), List.of(new float[] {0.5f, 0.2f, 0.4f}), 0.9, 0.5);
        assertArrayEquals(new float[] {-0.1265f, 0.43f, 0.6f}, estimate.advantages().get(0), EPS);
        assertArrayEquals(new float[] {0.3735f, 0.63f, 1.0f}, estimate.returns().get(0), EPS);
    }

    @Test
    void whiteningUsesEveryRealTokenAndTheUnbiasedVariance() {
        // mean 2.5, unbiased variance 5/3, std 1.2909944
        List<float[]> white = Advantages.whiten(List.of(new float[] {1, 2, 3}, new float[] {4}));
        float s = (float) Math.sqrt(5.0 / 3 + 1e-8);
        assertArrayEquals(new float[] {-1.5f / s, -0.5f / s, 0.5f / s}, white.get(0), EPS);
        assertArrayEquals(new float[] {1.5f / s}, white.get(1), EPS);
        assertEquals(-1.161895f, white.get(0)[0], 1e-5f);
    }

    @Test
    void groupBaselines() {
        double[] scores = {1, 0, 0, 1, 7};
        List<String> groups = List.of("a", "a", "a", "a", "solo");
        int[] lengths = {2, 1, 3, 1, 2};
        // group a: mean 0.5, unbiased std sqrt(1/3) = 0.5773503
        List<float[]> grpo = Advantages.grouped(scores, groups, lengths, Advantages.GroupBaseline.GRPO);
        float expected = (float) (0.5 / (Math.sqrt(1.0 / 3) + 1e-6));
        assertArrayEquals(new float[] {expected, expected}, grpo.get(0), EPS);
        assertArrayEquals(new float[] {-expected, -expected, -expected}, grpo.get(2), EPS);
        assertEquals(0.866024f, grpo.get(3)[0], 1e-5f);
        assertArrayEquals(new float[] {7f, 7f}, grpo.get(4), EPS); // a group of one: the score itself, as verl
        List<float[]> dr = Advantages.grouped(scores, groups, lengths, Advantages.GroupBaseline.DR_GRPO);
        assertArrayEquals(new float[] {0.5f, 0.5f}, dr.get(0), EPS);
        assertArrayEquals(new float[] {-0.5f}, dr.get(1), EPS);
        List<float[]> rloo = Advantages.grouped(scores, groups, lengths, Advantages.GroupBaseline.RLOO);
        // sample 0: 1 - mean(0, 0, 1) = 2/3; sample 1: 0 - mean(1, 0, 1) = -2/3
        assertArrayEquals(new float[] {2f / 3, 2f / 3}, rloo.get(0), EPS);
        assertArrayEquals(new float[] {-2f / 3}, rloo.get(1), EPS);
        assertArrayEquals(new float[] {0f, 0f}, rloo.get(4), EPS);
    }

    @Test
    void rewardGoesOnTheLastTokenWithThePerTokenKlPenalty() {
        List<float[]> rewards = Advantages.tokenRewards(new double[] {1.1, -2}, List.of(new float[] {0.1f, -0.2f, 0.3f},
                new float[] {0.5f}), 0.001);
        assertArrayEquals(new float[] {-0.0001f, 0.0002f, 1.0997f}, rewards.get(0), EPS);
        assertArrayEquals(new float[] {-2.0005f}, rewards.get(1), EPS);
    }

    @Test
    void adaptiveKlControllerFollowsZiegler() {
        var controller = new AdaptiveKlController(0.1, 6, 10_000);
        // KL 12 = 2x target: error clipped to 0.2; β = 0.1 (1 + 0.2 * 256 / 10000)
        assertEquals(0.100512, controller.update(12, 256), 1e-12);
        // KL 3 = half the target: error -0.5 clipped to -0.2
        assertEquals(0.100512 * (1 - 0.2 * 256 / 10_000.0), controller.update(3, 256), 1e-12);
        // KL 6.6: error 0.1
        double before = controller.coefficient();
        assertEquals(before * (1 + 0.1 * 100 / 10_000.0), controller.update(6.6, 100), 1e-12);
    }

    @Test
    void perDecisionAdvantagesSitOnTheChoiceTokensScaledByTheRootMeanSquareOfTheNonZeroEffects() {
        // effects 0.3, -0.4 and 0 (a choice that made no difference): rms over the non-zero ones = sqrt(0.125)
        List<float[]> advantages = Advantages.perDecision(new int[] {4, 3},
                List.of(new int[] {1, 3}, new int[] {0}), List.of(new double[] {0.3, -0.4}, new double[] {0.0}));
        double rms = Math.sqrt((0.09 + 0.16) / 2);
        assertArrayEquals(new float[] {0, (float) (0.3 / rms), 0, (float) (-0.4 / rms)}, advantages.get(0), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0}, advantages.get(1), 0f);
        // no choice mattered: every advantage is 0 (no update), not NaN
        assertArrayEquals(new float[] {0, 0}, Advantages.perDecision(new int[] {2}, List.of(new int[] {1}),
                List.of(new double[] {0.0})).get(0), 0f);
        assertThrows(IllegalArgumentException.class, () -> Advantages.perDecision(new int[] {2},
                List.of(new int[] {2}), List.of(new double[] {0.1})));
    }
}
