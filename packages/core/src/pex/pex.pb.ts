import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PexRequest {
  limit?: number
}

export namespace PexRequest {
  let _codec: Codec<PexRequest>

  export const codec = (): Codec<PexRequest> => {
    if (_codec == null) {
      _codec = message<PexRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.limit != null) {
          w.uint32(8)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.limit = reader.uint32()
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
                field: `${prefix}.limit`,
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

  export interface PexRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<PexRequest>): Uint8Array {
    return encodeMessage(obj, PexRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexRequest>): PexRequest {
    return decodeMessage(buf, PexRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexRequest>): Generator<PexRequestLimitFieldEvent> {
    return streamMessage(buf, PexRequest.codec(), opts)
  }
}

export interface PexResponse {
  addresses: string[]
}

export namespace PexResponse {
  let _codec: Codec<PexResponse>

  export const codec = (): Codec<PexResponse> => {
    if (_codec == null) {
      _codec = message<PexResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          addresses: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
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
          addresses: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.string()
              }

              obj.addresses++

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

  export interface PexResponseAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<PexResponse>): Uint8Array {
    return encodeMessage(obj, PexResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexResponse>): PexResponse {
    return decodeMessage(buf, PexResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexResponse>): Generator<PexResponseAddressesFieldEvent> {
    return streamMessage(buf, PexResponse.codec(), opts)
  }
}

export interface PexMessage {
  request?: PexRequest
  response?: PexResponse
}

export namespace PexMessage {
  let _codec: Codec<PexMessage>

  export const codec = (): Codec<PexMessage> => {
    if (_codec == null) {
      _codec = message<PexMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.response != null) {
          obj.request = undefined
        }

        if (obj.request != null) {
          obj.response = undefined
        }

        if (obj.request != null) {
          w.uint32(10)
          PexRequest.codec().encode(obj.request, w)
        }

        if (obj.response != null) {
          w.uint32(18)
          PexResponse.codec().encode(obj.response, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.request = PexRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 2: {
              obj.response = PexResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.response
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.response != null) {
          delete obj.request
        }

        if (obj.request != null) {
          delete obj.response
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PexRequest.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                limits: opts.limits?.request
              })

              break
            }
            case 2: {
              yield * PexResponse.codec().stream(reader, reader.uint32(), `${prefix}.response`, {
                limits: opts.limits?.response
              })

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

  export interface PexMessageRequestLimitFieldEvent {
    field: '$.request.limit'
    value: number
  }

  export interface PexMessageResponseAddressesFieldEvent {
    field: '$.response.addresses[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<PexMessage>): Uint8Array {
    return encodeMessage(obj, PexMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexMessage>): PexMessage {
    return decodeMessage(buf, PexMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PexMessage>): Generator<PexMessageRequestLimitFieldEvent | PexMessageResponseAddressesFieldEvent> {
    return streamMessage(buf, PexMessage.codec(), opts)
  }
}
