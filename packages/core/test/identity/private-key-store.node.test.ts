import { chmod, mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PrivateKeyCorruptError, PrivateKeyStoreIoError } from '../../src/identity/errors.js'
import { loadOrCreatePrivateKey } from '../../src/identity/private-key-store.node.js'
import { recordingLogger } from '../store/fixtures.js'

describe('loadOrCreatePrivateKey in Node.js', () => {
  let dir: string
  let location: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peermesh-key-'))
    location = join(dir, 'nested', 'private-key')
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('writes the protobuf bytes of the key to a file of mode 0600, leaving no temporary file', async () => {
    const { privateKey } = await loadOrCreatePrivateKey({ location })
    expect((await stat(location)).mode & 0o777).toBe(0o600)
    expect(new Uint8Array(await readFile(location))).toEqual(privateKeyToProtobuf(privateKey))
    expect(await readdir(join(dir, 'nested'))).toEqual(['private-key'])
  })

  it('restricts a group- or world-readable key file to its owner, with a warning', async () => {
    const { privateKey } = await loadOrCreatePrivateKey({ location })
    await chmod(location, 0o644)
    const logger = recordingLogger()
    const again = await loadOrCreatePrivateKey({ location, logger })
    expect(again.privateKey.equals(privateKey)).toBe(true)
    expect((await stat(location)).mode & 0o777).toBe(0o600)
    expect(logger.warnings()).toHaveLength(1)
    expect(logger.warnings()[0]?.fields).toMatchObject({ location, mode: '644' })
  })

  it.each([
    ['garbage bytes', new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02])],
    ['an empty file', new Uint8Array(0)],
    ['a truncated key', undefined]
  ])('refuses %s with PrivateKeyCorruptError and leaves the file untouched', async (_what, content) => {
    await loadOrCreatePrivateKey({ location })
    const bytes = content ?? (await readFile(location)).subarray(0, 20)
    await writeFile(location, bytes)
    const attempt = loadOrCreatePrivateKey({ location })
    await expect(attempt).rejects.toBeInstanceOf(PrivateKeyCorruptError)
    await expect(attempt).rejects.toMatchObject({ name: 'PrivateKeyCorruptError', location })
    expect(new Uint8Array(await readFile(location))).toEqual(new Uint8Array(bytes))
  })

  it('reports a key location that is a directory as PrivateKeyStoreIoError', async () => {
    await expect(loadOrCreatePrivateKey({ location: dir })).rejects.toBeInstanceOf(PrivateKeyStoreIoError)
  })
})
