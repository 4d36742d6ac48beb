import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BroadcastText {
  text: string
  sentAt: bigint
}

export namespace BroadcastText {
  let _codec: Codec<BroadcastText>

  export const codec = (): Codec<BroadcastText> => {
    if (_codec == null) {
      _codec = message<BroadcastText>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: '',
          sentAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.sentAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BroadcastTextTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface BroadcastTextSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export function encode (obj: Partial<BroadcastText>): Uint8Array {
    return encodeMessage(obj, BroadcastText.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BroadcastText>): BroadcastText {
    return decodeMessage(buf, BroadcastText.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BroadcastText>): Generator<BroadcastTextTextFieldEvent | BroadcastTextSentAtFieldEvent> {
    return streamMessage(buf, BroadcastText.codec(), opts)
  }
}
