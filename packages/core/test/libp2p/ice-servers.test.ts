import { describe, expect, it } from 'vitest'
import { ICE_SERVER_LIMITS, InvalidIceServersError, parseIceServersText, validateIceServers } from '../../src/libp2p/ice-servers.js'

describe('parseIceServersText', () => {
  it.each([
    ['stun:198.19.0.10:3478', [{ urls: 'stun:198.19.0.10:3478' }]],
    [' stun:198.19.0.10:3478 , turn:198.19.0.10:3478?transport=udp ', [{ urls: 'stun:198.19.0.10:3478' }, { urls: 'turn:198.19.0.10:3478?transport=udp' }]],
    ['turns:turn.example.org:5349', [{ urls: 'turns:turn.example.org:5349' }]],
    ['[{"urls":["turn:198.19.0.10:3478"],"username":"u","credential":"p","extra":1}]', [{ urls: ['turn:198.19.0.10:3478'], username: 'u', credential: 'p' }]],
    ['[]', []]
  ])('reads %s', (text, expected) => {
    expect(parseIceServersText(text)).toEqual(expected)
  })

  it.each([
    ['http://198.19.0.10', /expected stun:, stuns:, turn: or turns: URLs/],
    ['stun:a,,stun:b', /expected stun:/],
    ['[{"urls":', /not valid JSON/],
    ['[1]', /\[0\] is not an object/],
    ['[{"urls":[]}]', /\[0\]\.urls must be/],
    ['[{"urls":"stun:a","username":7}]', /\[0\]\.username must be a string/],
    [Array.from({ length: ICE_SERVER_LIMITS.maxServers + 1 }, (_, i) => `stun:h${i}`).join(','), /more than 8 servers/],
    ['x'.repeat(ICE_SERVER_LIMITS.maxTextLength + 1), /longer than/]
  ])('refuses %s', (text, message) => {
    expect(() => parseIceServersText(text)).toThrow(InvalidIceServersError)
    expect(() => parseIceServersText(text)).toThrow(message)
  })
})

describe('validateIceServers', () => {
  it('refuses what is not an array', () => {
    expect(() => validateIceServers({ urls: 'stun:a' })).toThrow(/expected a JSON array/)
  })
})
