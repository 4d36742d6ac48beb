import { describe, expect, it } from 'vitest'
import { OutboxPriority, PeerOutbox } from '../../src/session/peer-outbox.js'

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill)

describe('PeerOutbox', () => {
  it('drops the oldest message of the lowest priority when full, and counts it', () => {
    const outbox = new PeerOutbox({ maxQueuedMessages: 3 })
    expect(outbox.enqueue(bytes(1, 1), OutboxPriority.Bulk)).toBe(true)
    expect(outbox.enqueue(bytes(1, 2), OutboxPriority.Normal)).toBe(true)
    expect(outbox.enqueue(bytes(1, 3), OutboxPriority.Bulk)).toBe(true)
    expect(outbox.enqueue(bytes(1, 4), OutboxPriority.Control)).toBe(true)
    expect(outbox.size).toBe(3)
    expect(outbox.drops).toBe(1)
  })

  it('refuses a message when everything queued outranks it', () => {
    const outbox = new PeerOutbox({ maxQueuedMessages: 2 })
    outbox.enqueue(bytes(1), OutboxPriority.Control)
    outbox.enqueue(bytes(1), OutboxPriority.Control)
    expect(outbox.enqueue(bytes(1), OutboxPriority.Bulk)).toBe(false)
    expect(outbox.drops).toBe(1)
    expect(outbox.size).toBe(2)
  })

  it('bounds the queued bytes as well as the count', () => {
    const outbox = new PeerOutbox({ maxQueuedMessages: 100, maxQueuedBytes: 10 })
    expect(outbox.enqueue(bytes(6))).toBe(true)
    expect(outbox.enqueue(bytes(6))).toBe(true)
    expect(outbox.size).toBe(1)
    expect(outbox.enqueue(bytes(11))).toBe(false)
  })

  it('writes control messages first and never blocks enqueue while a write is slow', async () => {
    const outbox = new PeerOutbox()
    const written: number[] = []
    let releaseFirst!: () => void
    const firstWrite = new Promise<void>(resolve => { releaseFirst = resolve })
    const controller = new AbortController()
    const writer = outbox.run(async b => {
      written.push(b[0] ?? -1)
      if (written.length === 1) await firstWrite
    }, controller.signal)
    outbox.enqueue(bytes(1, 1), OutboxPriority.Normal)
    await expect.poll(() => written.length).toBe(1)
    // the writer is stuck on a slow write; enqueue still returns at once
    expect(outbox.enqueue(bytes(1, 2), OutboxPriority.Bulk)).toBe(true)
    expect(outbox.enqueue(bytes(1, 3), OutboxPriority.Control)).toBe(true)
    releaseFirst()
    await expect.poll(() => written).toEqual([1, 3, 2])
    outbox.close()
    await writer
    expect(outbox.written).toBe(3)
  })

  it('calls the sent callback once the message is written', async () => {
    const outbox = new PeerOutbox()
    const controller = new AbortController()
    const writer = outbox.run(async () => {}, controller.signal)
    const sent = new Promise<void>(resolve => { outbox.enqueue(bytes(1), OutboxPriority.Control, resolve) })
    await sent
    outbox.close()
    await writer
    expect(outbox.written).toBe(1)
  })
})
