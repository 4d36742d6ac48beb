/**
 * The broadcast chat: a form that publishes through `node.broadcast()` and a bounded list of
 * messages, each shown once (gossip may deliver a message more than once; we dedupe by its id).
 *
 * Test hooks: `data-testid=chat-input`, `chat-send`, and `chat-message` (with `data-from`).
 */
import type { BroadcastMessage } from '@peermesh/core'
import { shortPeerId } from './mesh-graph-model.js'

/** Bounds of the chat, in one place. */
export const CHAT_LIMITS = {
  /** Messages kept on screen; older ones are dropped. */
  maxMessages: 200,
  /** Message ids remembered for dedupe (more than are shown, so late duplicates stay hidden). */
  maxRememberedIds: 2000,
  /** Longest text the input accepts. */
  maxTextLength: 500,
  /** Longer received texts are cut for display. */
  maxDisplayedTextLength: 2000
} as const

/** A message ledger: remembers ids (bounded, oldest forgotten first) and keeps the newest messages. */
export interface MessageLedger {
  /** Adds a message; false when its id was already seen (a duplicate, not shown again). */
  add: (message: BroadcastMessage) => boolean
  messages: () => BroadcastMessage[]
  /** How many messages were dropped as duplicates. */
  duplicates: () => number
}

export function createMessageLedger (limits: { maxMessages: number, maxRememberedIds: number } = CHAT_LIMITS): MessageLedger {
  const seen = new Set<string>()
  const kept: BroadcastMessage[] = []
  let duplicates = 0
  return {
    add (message) {
      if (seen.has(message.id)) {
        duplicates++
        return false
      }
      seen.add(message.id)
      if (seen.size > limits.maxRememberedIds) {
        // Sets iterate in insertion order: the first entry is the oldest id.
        const oldest = seen.values().next()
        if (oldest.done !== true) seen.delete(oldest.value)
      }
      kept.push(message)
      if (kept.length > limits.maxMessages) kept.shift()
      return true
    },
    messages: () => [...kept],
    duplicates: () => duplicates
  }
}

/** Clock time of a message for display, `HH:MM:SS` in the viewer's time zone. */
export function formatMessageTime (sentAt: number): string {
  if (!Number.isFinite(sentAt)) return '--:--:--'
  return new Date(sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export interface ChatElements {
  form: HTMLFormElement
  input: HTMLInputElement
  send: HTMLButtonElement
  list: HTMLOListElement
  status: HTMLElement
}

export interface ChatView {
  /** Shows a message unless it was shown before. */
  show: (message: BroadcastMessage) => void
  /** Enables sending once the node runs. */
  setSender: (send: ((text: string) => Promise<void>) | undefined) => void
}

export function createChat (elements: ChatElements): ChatView {
  const ledger = createMessageLedger()
  let send: ((text: string) => Promise<void>) | undefined
  elements.input.maxLength = CHAT_LIMITS.maxTextLength

  const updateEnabled = (): void => {
    elements.send.disabled = send === undefined || elements.input.value.trim() === ''
  }
  elements.input.addEventListener('input', updateEnabled)
  updateEnabled()

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = elements.input.value.trim()
    if (send === undefined || text === '') return
    elements.send.disabled = true
    elements.status.textContent = 'sending…'
    send(text).then(() => {
      elements.input.value = ''
      elements.status.textContent = ''
    }, (err: unknown) => {
      const name = err instanceof Error ? err.name : 'Error'
      const message = err instanceof Error ? err.message : String(err)
      elements.status.textContent = `Not sent (${name}): ${message}`
    }).finally(() => {
      updateEnabled()
      elements.input.focus()
    })
  })

  return {
    show (message) {
      if (!ledger.add(message)) return
      const item = document.createElement('li')
      item.dataset.testid = 'chat-message'
      item.dataset.from = message.from
      item.dataset.messageId = message.id
      if (message.self) item.classList.add('self')
      const meta = document.createElement('span')
      meta.className = 'meta'
      const time = document.createElement('time')
      time.dateTime = Number.isFinite(message.sentAt) ? new Date(message.sentAt).toISOString() : ''
      time.textContent = formatMessageTime(message.sentAt)
      const who = document.createElement('span')
      who.className = 'from'
      who.title = message.from
      who.textContent = message.self ? 'me' : shortPeerId(message.from)
      meta.append(time, ' ', who)
      const text = document.createElement('span')
      text.className = 'text'
      text.textContent = message.text.slice(0, CHAT_LIMITS.maxDisplayedTextLength)
      item.append(meta, ' ', text)
      elements.list.append(item)
      while (elements.list.children.length > CHAT_LIMITS.maxMessages) elements.list.firstElementChild?.remove()
      elements.list.scrollTop = elements.list.scrollHeight
    },
    setSender (sender) {
      send = sender
      updateEnabled()
    }
  }
}
