/** A small counting semaphore for the router's concurrent dials. */
export class DialSlots {
  private free: number
  private readonly waiters: Array<() => void> = []

  constructor (size: number) {
    this.free = size
  }

  /** Resolves when a slot is free; rejects with the signal's reason when aborted. */
  async acquire (signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(grant)
        if (index >= 0) this.waiters.splice(index, 1)
        reject(signal.reason)
      }
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      this.waiters.push(grant)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  release (): void {
    const next = this.waiters.shift()
    if (next != null) next()
    else this.free++
  }

  get available (): number {
    return this.free
  }
}
