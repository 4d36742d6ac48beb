/** Errors of the node's lifecycle. One class per condition, each with a stable `name`. */

/**
 * `start()` on a node that was stopped. A stopped node has closed its peer manager and its peer
 * store, so it cannot come up whole again: create a new node with `createPeerMeshNode` (with the
 * same private key and a reopened peer store it is the same peer, with the peers it knew).
 */
export class NodeStoppedError extends Error {
  static override name = 'NodeStoppedError'

  constructor (message = 'this node was stopped and cannot start again; create a new one with createPeerMeshNode', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NodeStoppedError'
  }
}
