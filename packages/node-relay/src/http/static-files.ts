/**
 * Serving the built web demo: maps a request path to a file strictly inside one root directory.
 * Anything that could leave the root (`..`, encoded separators, backslashes, NUL bytes, symlinks
 * pointing outside) is refused; hidden files (`.name`) are not served.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2'
}

/** The `Content-Type` for a file name; `application/octet-stream` when unknown. */
export function contentTypeFor (fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream'
}

/** A file that may be served. */
export interface StaticFile {
  path: string
  size: number
  contentType: string
}

/**
 * Splits a URL pathname into safe segments, or `null` when it tries to escape or is malformed.
 * `/` and directory paths map to `index.html`.
 */
export function safeSegments (pathname: string): string[] | null {
  if (!pathname.startsWith('/')) return null
  const segments: string[] = []
  const raw = pathname.split('/').slice(1)
  for (const [i, encoded] of raw.entries()) {
    let segment: string
    try {
      segment = decodeURIComponent(encoded)
    } catch {
      return null
    }
    if (segment === '') {
      // `//` in the middle is refused; a trailing `/` means the directory's index
      if (i !== raw.length - 1) return null
      continue
    }
    if (segment === '.' || segment === '..' || segment.startsWith('.')) return null
    if (/[/\\\0]/.test(segment)) return null
    segments.push(segment)
  }
  return segments
}

/**
 * Finds the file for `pathname` under `root` (which must already be a real path), following
 * directories to their `index.html`. Returns `null` when there is no such file or when the
 * path would leave the root.
 */
export async function findStaticFile (root: string, pathname: string): Promise<StaticFile | null> {
  const segments = safeSegments(pathname)
  if (segments == null) return null
  let candidate = join(root, ...segments)
  try {
    let info = await stat(candidate)
    if (info.isDirectory()) {
      candidate = join(candidate, 'index.html')
      info = await stat(candidate)
    }
    if (!info.isFile()) return null
    const real = await realpath(candidate)
    if (!real.startsWith(root + sep)) return null
    return { path: real, size: info.size, contentType: contentTypeFor(real) }
  } catch {
    return null
  }
}

/** Opens a found file for streaming. */
export function openStaticFile (file: StaticFile): NodeJS.ReadableStream {
  return createReadStream(file.path)
}
