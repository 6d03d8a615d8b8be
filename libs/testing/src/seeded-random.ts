/**
 * Deterministic pseudo-random numbers in [0, 1) from a seed (a linear congruential generator), for
 * randomized tests: the same seed gives the same sequence, so a failure can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
