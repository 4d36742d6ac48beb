import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface NeighbourList {
  seq: bigint
  role: string
  neighbours: Neighbour[]
}

export namespace NeighbourList {
  let _codec: Codec<NeighbourList>

  export const codec = (): Codec<NeighbourList> => {
    if (_codec == null) {
      _codec = message<NeighbourList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(18)
          w.string(obj.role)
        }

        if (obj.neighbours != null && obj.neighbours.length > 0) {
          for (const value of obj.neighbours) {
            w.uint32(26)
            Neighbour.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          role: '',
          neighbours: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.role = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.neighbours != null && obj.neighbours.length === opts.limits.neighbours) {
                throw new MaxLengthError('Decode error - repeated field "neighbours" had too many elements')
              }

              obj.neighbours.push(Neighbour.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.neighbours$
              }))
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
        const obj = {
          neighbours: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.neighbours != null && obj.neighbours === opts.limits.neighbours) {
                throw new MaxLengthError('Streaming decode error - repeated field "neighbours" had too many elements')
              }

              for (const evt of Neighbour.codec().stream(reader, reader.uint32(), `${prefix}.neighbours[]`, {
                limits: opts.limits?.neighbours$
              })) {
                yield {
                  ...evt,
                  index: obj.neighbours
                }
              }

              obj.neighbours++

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

  export interface NeighbourListSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface NeighbourListRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface NeighbourListNeighboursPeerIdFieldEvent {
    field: '$.neighbours[].peerId'
    value: string
    index: number
  }

  export interface NeighbourListNeighboursTransportFieldEvent {
    field: '$.neighbours[].transport'
    value: string
    index: number
  }

  export interface NeighbourListNeighboursOutboundFieldEvent {
    field: '$.neighbours[].outbound'
    value: boolean
    index: number
  }

  export interface NeighbourListNeighboursRttMsFieldEvent {
    field: '$.neighbours[].rttMs'
    value: number
    index: number
  }

  export function encode (obj: Partial<NeighbourList>): Uint8Array {
    return encodeMessage(obj, NeighbourList.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NeighbourList>): NeighbourList {
    return decodeMessage(buf, NeighbourList.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NeighbourList>): Generator<NeighbourListSeqFieldEvent | NeighbourListRoleFieldEvent | NeighbourListNeighboursPeerIdFieldEvent | NeighbourListNeighboursTransportFieldEvent | NeighbourListNeighboursOutboundFieldEvent | NeighbourListNeighboursRttMsFieldEvent> {
    return streamMessage(buf, NeighbourList.codec(), opts)
  }
}

export interface Neighbour {
  peerId: string
  transport: string
  outbound: boolean
  rttMs: number
}

export namespace Neighbour {
  let _codec: Codec<Neighbour>

  export const codec = (): Codec<Neighbour> => {
    if (_codec == null) {
      _codec = message<Neighbour>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.transport != null && obj.transport !== '')) {
          w.uint32(18)
          w.string(obj.transport)
        }

        if ((obj.outbound != null && obj.outbound !== false)) {
          w.uint32(24)
          w.bool(obj.outbound)
        }

        if ((obj.rttMs != null && obj.rttMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.rttMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          transport: '',
          outbound: false,
          rttMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.transport = reader.string()
              break
            }
            case 3: {
              obj.outbound = reader.bool()
              break
            }
            case 4: {
              obj.rttMs = reader.uint32()
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
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.transport`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.outbound`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rttMs`,
                value: reader.uint32()
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

  export interface NeighbourPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface NeighbourTransportFieldEvent {
    field: '$.transport'
    value: string
  }

  export interface NeighbourOutboundFieldEvent {
    field: '$.outbound'
    value: boolean
  }

  export interface NeighbourRttMsFieldEvent {
    field: '$.rttMs'
    value: number
  }

  export function encode (obj: Partial<Neighbour>): Uint8Array {
    return encodeMessage(obj, Neighbour.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Neighbour>): Neighbour {
    return decodeMessage(buf, Neighbour.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Neighbour>): Generator<NeighbourPeerIdFieldEvent | NeighbourTransportFieldEvent | NeighbourOutboundFieldEvent | NeighbourRttMsFieldEvent> {
    return streamMessage(buf, Neighbour.codec(), opts)
  }
}
