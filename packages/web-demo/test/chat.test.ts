import { describe, expect, it } from 'vitest'
import type { BroadcastMessage } from '@peermesh/core'
import { createMessageLedger } from '../src/chat.js'

function message (id: string, text = 'hi'): BroadcastMessage {
  return { id, from: 'peer', text, sentAt: 0, self: false }
}

describe('chat', () => {
  describe('MessageLedger', () => {
    it('keeps each message once, however often gossip delivers it', () => {
      const ledger = createMessageLedger()
      expect(ledger.add(message('1'))).toBe(true)
      expect(ledger.add(message('1'))).toBe(false)
      expect(ledger.add(message('2'))).toBe(true)
      expect(ledger.messages().map((m) => m.id)).toEqual(['1', '2'])
      expect(ledger.duplicates()).toBe(1)
    })

    it('keeps only the newest maxMessages messages', () => {
      const ledger = createMessageLedger({ maxMessages: 2, maxRememberedIds: 10 })
      for (const id of ['1', '2', '3']) ledger.add(message(id))
      expect(ledger.messages().map((m) => m.id)).toEqual(['2', '3'])
    })

    it('still hides a late duplicate of a message no longer shown', () => {
      const ledger = createMessageLedger({ maxMessages: 1, maxRememberedIds: 10 })
      ledger.add(message('1'))
      ledger.add(message('2'))
      expect(ledger.add(message('1'))).toBe(false)
    })

    it('forgets the oldest ids beyond maxRememberedIds', () => {
      const ledger = createMessageLedger({ maxMessages: 10, maxRememberedIds: 2 })
      for (const id of ['1', '2', '3']) ledger.add(message(id))
      expect(ledger.add(message('1'))).toBe(true)
      expect(ledger.add(message('3'))).toBe(false)
    })
  })
})
