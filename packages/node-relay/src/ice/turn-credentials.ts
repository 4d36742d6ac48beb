/**
 * coturn's time-limited TURN credentials ("TURN REST API", `use-auth-secret` with
 * `static-auth-secret=<secret>` in turnserver.conf): the username is `<expiry unix time>:<name>`
 * and the credential is base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC from its
 * own copy of the secret and refuses a username whose expiry has passed, so the relay hands each
 * page fresh credentials without ever telling it the secret.
 *
 * I/O-free: the caller passes the current time.
 */
import { createHmac } from 'node:crypto'
import type { IceServer } from '../options.js'

/** A username/credential pair for a TURN server. */
export interface TurnCredential {
  username: string
  credential: string
}

export interface TurnRestCredentialInit {
  /** coturn's `static-auth-secret`. */
  secret: string
  /** The part after the colon (coturn logs it; it needs no account). */
  name: string
  /** How long the credential stays valid, seconds. */
  ttlSeconds: number
  /** The current time, epoch ms. */
  nowMs: number
}

/** One credential valid until `now + ttl` (rounded down to whole seconds). */
export function turnRestCredential (init: TurnRestCredentialInit): TurnCredential {
  const expiry = Math.floor(init.nowMs / 1000) + init.ttlSeconds
  const username = `${expiry}:${init.name}`
  const credential = createHmac('sha1', init.secret).update(username).digest('base64')
  return { username, credential }
}

/** Where the relay's TURN REST credentials come from (`--turn-secret`, `--turn-credential-ttl`). */
export interface TurnSecretOptions {
  secret: string
  ttlSeconds: number
}

/** The name part of the usernames the relay makes. */
export const TURN_REST_USER_NAME = 'peermesh'

/** Whether an ICE server is a TURN server (`turn:` or `turns:` URLs). */
export function isTurnServer (server: IceServer): boolean {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls
  return urls.some(url => /^turns?:/.test(url))
}

/**
 * The ICE servers to hand out now: every TURN server configured without a username and credential
 * gets a fresh REST credential when a secret is configured; everything else is copied as given.
 */
export function iceServersWithCredentials (servers: readonly IceServer[], turn: TurnSecretOptions | undefined, nowMs: number): IceServer[] {
  return servers.map(server => {
    const copy: IceServer = { ...server, urls: typeof server.urls === 'string' ? server.urls : [...server.urls] }
    if (turn == null || !isTurnServer(server) || server.username != null || server.credential != null) return copy
    return { ...copy, ...turnRestCredential({ secret: turn.secret, name: TURN_REST_USER_NAME, ttlSeconds: turn.ttlSeconds, nowMs }) }
  })
}
