import { describe, expect, it } from 'vitest'
import { InsecureContextError, insecureContextMessage, requireSecureContext } from '../src/secure-context.js'

describe('requireSecureContext', () => {
  it('lets a secure page start', () => {
    expect(() => { requireSecureContext(true, 'https://peermesh.test/') }).not.toThrow()
  })

  it('stops an insecure page and tells it to serve over HTTPS with --tls-cert', () => {
    expect(() => { requireSecureContext(false, 'http://peermesh.test:8099/?relay=x') }).toThrow(InsecureContextError)
    const message = insecureContextMessage('http://peermesh.test:8099/demo/?relay=x')
    expect(message).toContain('http://peermesh.test:8099 is not a secure context')
    expect(message).toContain('--tls-cert <certificate.pem> --tls-key <key.pem>')
    expect(message).toContain('https://peermesh.test:8099/demo/')
    expect(message).toContain('localhost')
  })
})
