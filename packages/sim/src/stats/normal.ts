/**
 * The complementary error function by the Chebyshev-fitted form of Numerical Recipes (`erfcc`), fractional
 * error below 1.2e-7 everywhere: ample for p-values, and fully deterministic (no platform libm beyond exp).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal cumulative distribution Φ(z). */
export const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);

/** Two-sided p-value of a standard normal statistic: 2(1 − Φ(|z|)). */
export const twoSidedNormalP = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
