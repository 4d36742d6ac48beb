import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { iceServersWithCredentials, isTurnServer, turnRestCredential } from '../../src/ice/turn-credentials.js'

describe('turnRestCredential', () => {
  it('matches a vector computed independently with openssl', () => {
    // printf '%s' '1700003600:peermesh' | openssl dgst -sha1 -hmac 'north-sea-secret' -binary | base64
    expect(turnRestCredential({ secret: 'north-sea-secret', name: 'peermesh', ttlSeconds: 3600, nowMs: 1_700_000_000_000 }))
      .toEqual({ username: '1700003600:peermesh', credential: '1yZyeHRhNjxjjiTv19Y2BjkaVOM=' })
  })

  it('puts the expiry, in whole seconds, before the name', () => {
    const { username, credential } = turnRestCredential({ secret: 's', name: 'tab', ttlSeconds: 86_400, nowMs: 1_000_999 })
    expect(username).toBe('87400:tab')
    expect(credential).toBe(createHmac('sha1', 's').update('87400:tab').digest('base64'))
  })
})

describe('iceServersWithCredentials', () => {
  const servers = [
    { urls: 'stun:198.19.0.10:3478' },
    { urls: ['turn:198.19.0.10:3478?transport=udp', 'turn:198.19.0.10:3478?transport=tcp'] },
    { urls: 'turns:turn.example.org:5349', username: 'static', credential: 'kept' }
  ]

  it('gives a fresh REST credential to TURN servers configured without one, and leaves the rest', () => {
    const out = iceServersWithCredentials(servers, { secret: 'sec', ttlSeconds: 60 }, 10_000)
    expect(out[0]).toEqual({ urls: 'stun:198.19.0.10:3478' })
    expect(out[1]).toEqual({
      urls: servers[1]!.urls,
      username: '70:peermesh',
      credential: createHmac('sha1', 'sec').update('70:peermesh').digest('base64')
    })
    expect(out[2]).toEqual(servers[2])
  })

  it('gives later requests later expiries', () => {
    const early = iceServersWithCredentials(servers, { secret: 'sec', ttlSeconds: 60 }, 10_000)[1]
    const late = iceServersWithCredentials(servers, { secret: 'sec', ttlSeconds: 60 }, 20_000)[1]
    expect(early?.username).toBe('70:peermesh')
    expect(late?.username).toBe('80:peermesh')
    expect(late?.credential).not.toBe(early?.credential)
  })

  it('copies the servers as given when no secret is configured', () => {
    const out = iceServersWithCredentials(servers, undefined, 10_000)
    expect(out).toEqual(servers)
    expect(out[1]!.urls).not.toBe(servers[1]!.urls)
  })

  it('tells TURN servers from STUN servers by their URLs', () => {
    expect(servers.map(isTurnServer)).toEqual([false, true, true])
  })
})
