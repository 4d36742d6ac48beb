// Runs in real Chromium: the chat form and message list in a real DOM.
import { beforeEach, describe, expect, it } from 'vitest'
import type { BroadcastMessage } from '@peermesh/core'
import { createChat } from '../src/chat.js'
import type { ChatElements } from '../src/chat.js'

describe('Chat (Chromium)', () => {
  let elements: ChatElements

  beforeEach(() => {
    document.body.innerHTML = `
      <ol id="list"></ol>
      <form id="form"><input id="input" data-testid="chat-input"><button id="send" data-testid="chat-send" type="submit">Send</button></form>
      <p id="status"></p>`
    elements = {
      form: document.getElementById('form') as HTMLFormElement,
      input: document.getElementById('input') as HTMLInputElement,
      send: document.getElementById('send') as HTMLButtonElement,
      list: document.getElementById('list') as HTMLOListElement,
      status: document.getElementById('status') as HTMLElement
    }
  })

  function message (id: string, from: string, text: string): BroadcastMessage {
    return { id, from, text, sentAt: Date.now(), self: false }
  }

  it('shows each message once, with its sender in data-from and its text as text', () => {
    const chat = createChat(elements)
    chat.show(message('m1', 'peer-a', '<b>hi</b>'))
    chat.show(message('m1', 'peer-a', '<b>hi</b>'))
    chat.show(message('m2', 'peer-b', 'yo'))
    const shown = [...document.querySelectorAll<HTMLElement>('[data-testid=chat-message]')]
    expect(shown.map((li) => li.dataset.from)).toEqual(['peer-a', 'peer-b'])
    expect(shown[0]?.querySelector('b')).toBeNull()
    expect(shown[0]?.querySelector('.text')?.textContent).toBe('<b>hi</b>')
  })

  it('keeps the send button disabled until the node runs and there is text', () => {
    const chat = createChat(elements)
    elements.input.value = 'hello'
    elements.input.dispatchEvent(new Event('input'))
    expect(elements.send.disabled).toBe(true)
    chat.setSender(async () => {})
    expect(elements.send.disabled).toBe(false)
  })

  it('sends the trimmed text and clears the input', async () => {
    const chat = createChat(elements)
    const sent: string[] = []
    chat.setSender(async (text) => { sent.push(text) })
    elements.input.value = '  hello mesh  '
    elements.input.dispatchEvent(new Event('input'))
    elements.send.click()
    await expect.poll(() => elements.input.value).toBe('')
    expect(sent).toEqual(['hello mesh'])
  })

  it('keeps the text and says why when sending fails', async () => {
    const chat = createChat(elements)
    class NoPeersError extends Error { override name = 'NoPeersError' }
    chat.setSender(async () => { throw new NoPeersError('nobody to send to') })
    elements.input.value = 'hello'
    elements.input.dispatchEvent(new Event('input'))
    elements.send.click()
    await expect.poll(() => elements.status.textContent).toContain('NoPeersError')
    expect(elements.input.value).toBe('hello')
  })
})
