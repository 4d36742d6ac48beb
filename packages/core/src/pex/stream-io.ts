/**
 * Reading and writing one side of a PEX exchange over a libp2p 3 message stream.
 *
 * Each side writes its frames and then closes its writable end; the other side reads until that
 * end-of-stream, so "one message, nothing more" is checked on complete input. Reads are bounded
 * in bytes and by an AbortSignal.
 */
import { StreamAbortedError, StreamResetError, type AbortOptions, type Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { PexMessageTooLargeError } from './errors.js'
import { peekPexFrameLength } from './framing.js'

export interface ReadPexStreamOptions {
  /** The remote peer, for errors. */
  peerId: string
  /** A frame declaring more than this is refused as soon as its length prefix has arrived. */
  maxFrameBytes: number
  /** More than this many bytes in total are refused. */
  maxTotalBytes: number
  signal: AbortSignal
}

/**
 * Collects everything the remote writes until it closes its writable end.
 *
 * @throws {PexMessageTooLargeError} (after aborting the stream) when a limit is exceeded
 * @throws the signal's reason (after aborting the stream) when the signal aborts first
 * @throws the stream's error when the remote resets it or the connection fails
 */
export async function readPexStream (stream: Stream, options: ReadPexStreamOptions): Promise<Uint8Array> {
  const { signal } = options
  signal.throwIfAborted()
  const received = new Uint8ArrayList()

  return await new Promise<Uint8Array>((resolve, reject) => {
    let settled = false
    const cleanUp = (): void => {
      settled = true
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
      signal.removeEventListener('abort', onAbort)
    }
    const fail = (err: unknown): void => {
      if (settled) return
      cleanUp()
      reject(err)
    }
    const failAndAbort = (err: Error): void => {
      if (settled) return
      fail(err)
      stream.abort(err)
    }
    const finish = (): void => {
      if (settled) return
      cleanUp()
      resolve(received.subarray())
    }
    const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
      received.append(evt.data)
      const declared = peekPexFrameLength(received.subarray(0, Math.min(received.byteLength, 5)))
      if (received.byteLength > options.maxTotalBytes || (declared !== undefined && declared > options.maxFrameBytes)) {
        failAndAbort(new PexMessageTooLargeError(options.peerId,
          `${options.peerId} sent more than ${declared !== undefined && declared > options.maxFrameBytes ? options.maxFrameBytes : options.maxTotalBytes} bytes`))
      }
    }
    // 'end' also fires on the way to an abort or a reset, which then reports its error in 'close'.
    const onEnd = (): void => {
      if (stream.status === 'aborted' || stream.status === 'reset') return
      finish()
    }
    const onClose = (evt: { error?: Error }): void => {
      if (evt.error !== undefined) fail(evt.error)
      else finish()
    }
    const onAbort = (): void => {
      const reason: unknown = signal.reason
      failAndAbort(reason instanceof Error ? reason : new Error('aborted', { cause: reason }))
    }

    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    signal.addEventListener('abort', onAbort, { once: true })
    // The stream may have ended, or been reset, before we got to listen.
    if (stream.status === 'reset') fail(new StreamResetError('the remote reset the stream'))
    else if (stream.status === 'aborted') fail(new StreamAbortedError('the stream was aborted'))
    else if (stream.readableEnded && stream.readBufferLength === 0) onEnd()
  })
}

/** Sends `frame` and closes our writable end, waiting for the send buffer to drain if needed. */
export async function sendPexFrameAndClose (stream: Stream, frame: Uint8Array, options: AbortOptions): Promise<void> {
  if (!stream.send(frame)) await stream.onDrain(options)
  await stream.close(options)
}
