import { describe, expect, it } from 'vitest'
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client'
import { parsePrometheusText } from './support/prometheus-text.js'

describe('parsePrometheusText (test helper)', () => {
  it('reads what prom-client writes, including every metric type and escaped labels', async () => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    new Counter({ name: 'c_total', help: 'c', labelNames: ['l'], registers: [registry] }).inc({ l: 'a "quoted"\\ \nvalue' })
    new Gauge({ name: 'g', help: 'g', registers: [registry] }).set(1.5)
    new Histogram({ name: 'h', help: 'h', registers: [registry] }).observe(0.2)
    new Summary({ name: 's', help: 's', registers: [registry] }).observe(3)
    const families = parsePrometheusText(await registry.metrics())
    expect(families.get('c_total')?.samples[0]?.labels.l).toBe('a "quoted"\\ \nvalue')
    expect(families.get('g')?.samples[0]?.value).toBe(1.5)
    expect(families.get('h')?.type).toBe('histogram')
    expect(families.get('s')?.type).toBe('summary')
    expect(families.has('process_cpu_user_seconds_total')).toBe(true)
  })

  const broken: Array<[string, string]> = [
    ['a missing final newline', 'up 1'],
    ['a bad value', 'up one\n'],
    ['a bad metric name', '1up 1\n'],
    ['an unknown type', '# TYPE up meter\nup 1\n'],
    ['a TYPE after samples', 'up 1\n# TYPE up gauge\n'],
    ['an unterminated label value', 'up{a="x} 1\n'],
    ['a duplicate label', 'up{a="x",a="y"} 1\n'],
    ['a bad escape', 'up{a="\\t"} 1\n'],
    ['a split family', 'a 1\nb 1\na 2\n'],
    ['a histogram sample without suffix', '# TYPE h histogram\nh 1\n']
  ]
  for (const [what, text] of broken) {
    it(`refuses ${what}`, () => {
      expect(() => parsePrometheusText(text)).toThrow(expect.objectContaining({ name: 'PrometheusTextError' }))
    })
  }
})
