/**
 * Errors raised by the relay command. Each has a stable `name`; callers branch on the class or
 * the name, never on the message.
 */

/**
 * A command-line flag or `PEERMESH_*` environment variable was unknown, missing its value or held
 * a bad value. The command prints the one-line message and exits with code 2.
 */
export class UsageError extends Error {
  static override name = 'UsageError'
  /** Where the bad input came from: `--flag`, `PEERMESH_VAR`, or `''` for the command line as a whole. */
  readonly source: string

  constructor (message: string, source: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UsageError'
    this.source = source
  }
}
