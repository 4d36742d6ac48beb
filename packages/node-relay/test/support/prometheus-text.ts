/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it throws
 * on anything a Prometheus server would refuse, and returns the metric families it read.
 *
 * Checked: `# HELP` / `# TYPE` syntax, one TYPE per family before its samples, known types,
 * metric and label names, label value escapes, duplicate labels, numeric values, sample names
 * matching their family (with `_bucket`/`_sum`/`_count` for histograms and summaries), families
 * not split apart, and the final newline.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface MetricFamily {
  name: string
  type: string
  help?: string
  samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export class PrometheusTextError extends Error {
  override readonly name = 'PrometheusTextError'
}

export function parsePrometheusText (text: string): Map<string, MetricFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new PrometheusTextError('exposition must end with a newline')
  const families = new Map<string, MetricFamily>()
  const closed = new Set<string>()
  let current: MetricFamily | undefined
  const lines = text.split('\n').slice(0, -1)

  const familyOf = (name: string): MetricFamily => {
    let family = families.get(name)
    if (family == null) {
      family = { name, type: 'untyped', samples: [] }
      families.set(name, family)
    }
    if (current != null && current !== family) closed.add(current.name)
    if (closed.has(name)) throw new PrometheusTextError(`family ${name} appears in two separate places`)
    current = family
    return family
  }

  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`
    if (line.trim() === '') continue
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
      if (match == null) continue // plain comment
      const [, keyword, name = '', rest = ''] = match
      if (!METRIC_NAME.test(name)) throw new PrometheusTextError(`bad metric name at ${where}`)
      const family = familyOf(name)
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new PrometheusTextError(`unknown type at ${where}`)
        if (family.samples.length > 0) throw new PrometheusTextError(`TYPE after samples at ${where}`)
        family.type = rest
      } else {
        family.help = rest
      }
      continue
    }
    const sample = parseSample(line, where)
    const family = familyOf(familyName(sample.name, families))
    const allowed = allowedSampleNames(family)
    if (!allowed.has(sample.name)) throw new PrometheusTextError(`sample ${sample.name} does not belong to ${family.type} ${family.name} at ${where}`)
    family.samples.push(sample)
  }
  return families
}

function familyName (sampleName: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length)
      const type = families.get(base)?.type
      if (type === 'histogram' || type === 'summary') return base
    }
  }
  return sampleName
}

function allowedSampleNames (family: MetricFamily): Set<string> {
  if (family.type === 'histogram') return new Set([`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`])
  if (family.type === 'summary') return new Set([family.name, `${family.name}_sum`, `${family.name}_count`])
  return new Set([family.name])
}

function parseSample (line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)
  if (nameMatch?.[1] == null) throw new PrometheusTextError(`bad sample name at ${where}`)
  const name = nameMatch[1]
  let pos = name.length
  const labels: Record<string, string> = {}
  if (line[pos] === '{') {
    pos++
    while (line[pos] !== '}') {
      const labelMatch = /^([^=]+)="/.exec(line.slice(pos))
      const labelName = labelMatch?.[1]
      if (labelMatch == null || labelName == null || !LABEL_NAME.test(labelName)) throw new PrometheusTextError(`bad label at ${where}`)
      pos += labelMatch[0].length
      let value = ''
      for (;;) {
        const c = line[pos]
        if (c == null) throw new PrometheusTextError(`unterminated label value at ${where}`)
        pos++
        if (c === '"') break
        if (c === '\\') {
          const escaped = line[pos++]
          if (escaped === 'n') value += '\n'
          else if (escaped === '\\' || escaped === '"') value += escaped
          else throw new PrometheusTextError(`bad escape in label value at ${where}`)
        } else {
          value += c
        }
      }
      if (labelName in labels) throw new PrometheusTextError(`duplicate label ${labelName} at ${where}`)
      labels[labelName] = value
      if (line[pos] === ',') pos++
      else if (line[pos] !== '}') throw new PrometheusTextError(`expected , or } at ${where}`)
    }
    pos++
  }
  const rest = line.slice(pos)
  const valueMatch = /^ (\S+)( -?[0-9]+)?$/.exec(rest)
  const valueText = valueMatch?.[1]
  if (valueText == null) throw new PrometheusTextError(`bad value at ${where}`)
  // Prometheus reads values with Go's ParseFloat: NaN and ±Inf(inity) in any letter case
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(valueText)
  const value = special != null
    ? (special[2]?.toLowerCase() === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity)
    : /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(valueText) ? Number(valueText) : Number.NaN
  if (special == null && Number.isNaN(value)) throw new PrometheusTextError(`bad value at ${where}`)
  return { name, labels, value }
}
