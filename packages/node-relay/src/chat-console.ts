/**
 * The node as a chat member on the command line: every broadcast message received (or sent) is
 * logged as a `chat` entry, and every line typed on stdin is broadcast to the mesh.
 *
 * Log entry (JSON format): `{"level":"info","msg":"chat","event":"chat","id":…,"from":…,"text":…,"sentAt":…,"self":false}`.
 * When stdin is closed or `/dev/null` (services, containers) the input side simply ends.
 */
import { createInterface } from 'node:readline'
import type { PeerMeshNode } from '@peermesh/core'
import type { Logger } from './logger.js'

export interface ChatConsoleInit {
  node: Pick<PeerMeshNode, 'broadcast' | 'addEventListener' | 'removeEventListener'>
  /** Lines to broadcast (`process.stdin`). */
  input: NodeJS.ReadableStream
  logger: Logger
}

/** Connects the node's broadcast channel to the log and to `input`; returns a function that detaches both. */
export function attachChatConsole (init: ChatConsoleInit): () => void {
  const { node, logger } = init
  const onMessage = (event: CustomEvent<{ id: string, from: string, text: string, sentAt: number, self: boolean }>): void => {
    const { id, from, text, sentAt, self } = event.detail
    logger.info('chat', { event: 'chat', id, from, text, sentAt, self })
  }
  node.addEventListener('broadcast:message', onMessage)

  const lines = createInterface({ input: init.input, crlfDelay: Infinity, terminal: false })
  lines.on('line', line => {
    const text = line.trim()
    if (text === '') return
    node.broadcast(text).catch((err: unknown) => {
      logger.warn('chat line not sent', { error: err })
    })
  })

  return () => {
    node.removeEventListener('broadcast:message', onMessage)
    lines.close()
  }
}
