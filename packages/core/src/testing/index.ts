/**
 * @peermesh/core/testing: helpers for tests of peermesh and of apps built on it.
 */
export { createFakeClock, type FakeClock } from './fake-clock.js'
export { createTestNetwork, TestNetwork, WaitForTimeoutError, type TestNetworkOptions, type TestNode } from './test-network.js'
