/** Times `parley test` against the parley mock: checked requests per second and the default run's wall time. */

export async function measureHarness() {
  return { available: false, reason: 'parley test is not available in this build yet' };
}
