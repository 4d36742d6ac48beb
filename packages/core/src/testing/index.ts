/**
 * @peermesh/core/testing: helpers for tests of peermesh and of apps built on it.
 */
export { createFakeClock, type FakeClock } from './fake-clock.js'
