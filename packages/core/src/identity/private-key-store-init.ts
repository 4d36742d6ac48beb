/** Options and results of the private key store, the same in both runtimes. */
import type { PrivateKey } from '@libp2p/interface'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type { Logger } from '../logger.js'
import { PrivateKeyCorruptError } from './errors.js'

export interface PrivateKeyStoreInit {
  /**
   * Node.js: the path of the key file (its directory is created if missing).
   * Browser: the name of the node's IndexedDB database (it may be the peer store's database).
   */
  location: string
  /**
   * Told when a key is created, and warned when a key file's permissions had to be tightened.
   *
   * @default silentLogger
   */
  logger?: Logger
}

export interface LoadedPrivateKey {
  privateKey: PrivateKey
  /** True when no key was stored and this call created (and stored) a new Ed25519 key. */
  created: boolean
}

/** A stored key larger than this is refused as corrupt (an RSA-4096 key is about 2.4 KiB). */
export const MAX_PRIVATE_KEY_BYTES = 16 * 1024

/**
 * Decodes stored protobuf bytes (`privateKeyToProtobuf`) into a key.
 *
 * @throws {PrivateKeyCorruptError}
 */
export function decodeStoredPrivateKey (bytes: Uint8Array, location: string): PrivateKey {
  if (bytes.byteLength === 0) throw new PrivateKeyCorruptError('the stored private key is empty', location)
  if (bytes.byteLength > MAX_PRIVATE_KEY_BYTES) {
    throw new PrivateKeyCorruptError(`the stored private key is larger than ${MAX_PRIVATE_KEY_BYTES} bytes`, location)
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new PrivateKeyCorruptError('the stored private key cannot be decoded', location, { cause: err })
  }
}
