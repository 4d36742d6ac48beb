/**
 * Bounding how long a caller waits: every async method of the public API takes
 * `options?: AbortOptions` and hands its signal here. A leaf module.
 */

/** Resolves or rejects as `work` does, or rejects with `signal.reason` once `signal` aborts (the work itself is not undone). */
export async function raceAbort<T> (work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal == null) return await work
  if (signal.aborted) {
    work.catch(() => {})
    throw signal.reason
  }
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        onAbort = () => { reject(signal.reason) }
        signal.addEventListener('abort', onAbort, { once: true })
      })
    ])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
    work.catch(() => {})
  }
}
