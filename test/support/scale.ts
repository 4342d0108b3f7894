/**
 * How many generated cases the seeded model tests run. `npm test` runs a quick share that still covers every kind of
 * generated tenant; `npm run test:full` (MXLOCK_TEST_FULL=1) runs all of them, as before a release or after a change
 * to the simulator's core. The suite stays near a minute on two cores (the README's two-command contract).
 */
export const FULL = process.env['MXLOCK_TEST_FULL'] === '1';

/** `full` cases under MXLOCK_TEST_FULL=1, else `quick`. */
export function cases(quick: number, full: number): number {
  return FULL ? full : quick;
}
