// Runs in real Chromium: the table's rows and their test hooks in a real DOM.
import { beforeEach, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { createPeerTable } from '../src/peer-table.js'

function view (peerId: string, state: PeerView['state'], extra: Partial<PeerView> = {}): PeerView {
  return { peerId, state, addresses: [`ws://${peerId}@127.0.0.1:1`], score: 0, ...extra }
}

describe('PeerTable (Chromium)', () => {
  let tbody: HTMLTableSectionElement
  let copied: string[]

  beforeEach(() => {
    document.body.innerHTML = '<table><tbody></tbody></table>'
    tbody = document.querySelector('tbody') as HTMLTableSectionElement
    copied = []
  })

  function rows (): HTMLTableRowElement[] {
    return [...tbody.querySelectorAll<HTMLTableRowElement>('[data-testid=peer-row]')]
  }

  it('gives every peer a row with the documented hooks', () => {
    const table = createPeerTable(tbody, (address) => { copied.push(address) })
    table.render([
      view('tab', 'connected', { transport: 'webrtc', direction: 'inbound' }),
      view('relay', 'connected', { transport: 'websocket', direction: 'outbound' }),
      view('old', 'known')
    ], 0)
    expect(rows().map((row) => ({ ...row.dataset }))).toEqual([
      { testid: 'peer-row', peerId: 'relay', state: 'connected', transport: 'websocket', direction: 'outbound' },
      { testid: 'peer-row', peerId: 'tab', state: 'connected', transport: 'webrtc', direction: 'inbound' },
      { testid: 'peer-row', peerId: 'old', state: 'known' }
    ])
  })

  it('updates rows in place, so focus on a copy button survives an update', () => {
    const table = createPeerTable(tbody, (address) => { copied.push(address) })
    table.render([view('a', 'dialing')], 0)
    const row = rows()[0] as HTMLTableRowElement
    const button = row.querySelector('button') as HTMLButtonElement
    button.focus()
    table.render([view('a', 'connected', { transport: 'webrtc', direction: 'outbound' }), view('b', 'known')], 0)
    expect(rows()[0]).toBe(row)
    expect(row.dataset.state).toBe('connected')
    expect(document.activeElement).toBe(button)
  })

  it('removes the rows of peers that are gone and drops hooks that no longer apply', () => {
    const table = createPeerTable(tbody, (address) => { copied.push(address) })
    table.render([view('a', 'connected', { transport: 'webrtc', direction: 'outbound' }), view('b', 'known')], 0)
    table.render([view('a', 'backoff')], 0)
    expect(rows().map((row) => ({ ...row.dataset }))).toEqual([{ testid: 'peer-row', peerId: 'a', state: 'backoff' }])
  })

  it('copies the full address of a row, shown on hover', () => {
    const table = createPeerTable(tbody, (address) => { copied.push(address) })
    table.render([view('12D3KooWlonglonglong999999', 'connected')], 0)
    const row = rows()[0] as HTMLTableRowElement
    expect(row.querySelector('code')?.textContent).toBe('…999999')
    expect(row.querySelector('code')?.title).toBe('ws://12D3KooWlonglonglong999999@127.0.0.1:1')
    row.querySelector('button')?.click()
    expect(copied).toEqual(['ws://12D3KooWlonglonglong999999@127.0.0.1:1'])
  })
})
