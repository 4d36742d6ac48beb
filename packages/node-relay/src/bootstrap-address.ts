/**
 * Validates a `--bootstrap` value: a NodeAddress URL or a multiaddr ending in `/p2p/<peerId>`,
 * returned in canonical NodeAddress URL form. Throws core's `InvalidNodeAddressError`.
 */
import { parseNodeAddress } from '@peermesh/core'

export function validateBootstrapAddress (item: string): string {
  return parseNodeAddress(item).toString()
}
