/**
 * The node's private key in Node.js: one file holding the key's protobuf bytes
 * (`privateKeyToProtobuf`), readable by its owner only (mode 0600). The package.json `browser`
 * map swaps this module for `private-key-store.browser.js` (IndexedDB).
 *
 * Creation is atomic and never overwrites: the key is written to a temporary file created with
 * mode 0600 and fsynced, then hard-linked to its final name, which fails if another process
 * created the key meanwhile (the winner's key is then loaded). A plain `rename` would silently
 * replace that key, giving one of the two processes an identity that no longer exists on disk.
 *
 * @example
 * ```ts
 * const { privateKey, created } = await loadOrCreatePrivateKey({ location: join(dataDir, 'private-key') })
 * ```
 */
import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { silentLogger } from '../logger.js'
import { PrivateKeyStoreIoError } from './errors.js'
import { decodeStoredPrivateKey, type LoadedPrivateKey, type PrivateKeyStoreInit } from './private-key-store-init.js'

export type { LoadedPrivateKey, PrivateKeyStoreInit }

/** Owner read/write only. */
const KEY_FILE_MODE = 0o600
/** Permission bits for group and others. */
const GROUP_OR_OTHER_BITS = 0o077

function errorCode (err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined
}

async function readKeyFile (init: PrivateKeyStoreInit): Promise<Uint8Array | undefined> {
  const { location } = init
  const logger = init.logger ?? silentLogger
  let bytes: Uint8Array
  try {
    bytes = await readFile(location)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined
    throw new PrivateKeyStoreIoError(`could not read the private key file ${location}`, location, { cause: err })
  }
  try {
    const { mode } = await stat(location)
    if ((mode & GROUP_OR_OTHER_BITS) !== 0) {
      logger.warn('private key file was readable by group or others: restricting it to its owner', {
        location,
        mode: (mode & 0o777).toString(8)
      })
      await chmod(location, KEY_FILE_MODE)
    }
  } catch (err) {
    throw new PrivateKeyStoreIoError(`could not restrict the permissions of ${location}`, location, { cause: err })
  }
  return bytes
}

/** Writes `bytes` to a new file at `location`; false if a file appeared there first. */
async function createKeyFile (location: string, bytes: Uint8Array): Promise<boolean> {
  const directory = dirname(location)
  const temporary = `${location}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const file = await open(temporary, 'wx', KEY_FILE_MODE)
    try {
      await file.chmod(KEY_FILE_MODE) // the umask may only have removed bits; make it exact
      await file.writeFile(bytes)
      await file.sync()
    } finally {
      await file.close()
    }
    try {
      await link(temporary, location)
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false
      throw err
    }
    await syncDirectory(directory)
    return true
  } catch (err) {
    throw new PrivateKeyStoreIoError(`could not create the private key file ${location}`, location, { cause: err })
  } finally {
    await unlink(temporary).catch(() => {})
  }
}

/** Makes the new directory entry durable (best effort: not every platform can fsync a directory). */
async function syncDirectory (directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try { await handle.sync() } finally { await handle.close() }
  } catch {
    // some platforms and file systems cannot open or fsync a directory; the rename still happened
  }
}

/**
 * Loads the node's private key from the file `location`, or creates an Ed25519 key there if the
 * file does not exist.
 *
 * @throws {PrivateKeyCorruptError} if the file exists but does not hold a key (it is left untouched)
 * @throws {PrivateKeyStoreIoError} if the file cannot be read or created
 */
export async function loadOrCreatePrivateKey (init: PrivateKeyStoreInit): Promise<LoadedPrivateKey> {
  const { location } = init
  const existing = await readKeyFile(init)
  if (existing !== undefined) return { privateKey: decodeStoredPrivateKey(existing, location), created: false }

  const privateKey = await generateKeyPair('Ed25519')
  if (await createKeyFile(location, privateKeyToProtobuf(privateKey))) {
    ;(init.logger ?? silentLogger).info('created a new private key', { location, peerId: peerIdFromPrivateKey(privateKey).toString() })
    return { privateKey, created: true }
  }
  // Another process created the key first: use theirs.
  const theirs = await readKeyFile(init)
  if (theirs === undefined) {
    throw new PrivateKeyStoreIoError(`the private key file ${location} vanished while it was being created`, location)
  }
  return { privateKey: decodeStoredPrivateKey(theirs, location), created: false }
}

/**
 * Deletes the key file, so that the next {@link loadOrCreatePrivateKey} creates a new identity.
 * Forgetting a key that does not exist is fine.
 *
 * @throws {PrivateKeyStoreIoError}
 */
export async function forgetPrivateKey (init: Pick<PrivateKeyStoreInit, 'location'>): Promise<void> {
  try {
    await unlink(init.location)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return
    throw new PrivateKeyStoreIoError(`could not delete the private key file ${init.location}`, init.location, { cause: err })
  }
}
