/**
 * Wilson's score interval for a binomial share: `successes` of `trials`, at 95% by default. Used
 * for the false-alarm and detection rates of the evaluation, where a share of 0/50 still has an
 * upper bound (about 7%) instead of the Wald interval's [0, 0].
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): [number, number] {
  if (trials === 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
