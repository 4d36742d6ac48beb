/** The longest input shown inside an error message; longer inputs are cut with an ellipsis. */
const MAX_QUOTED_INPUT_LENGTH = 120

/**
 * Thrown by {@link parseNodeAddress} and {@link nodeAddressFromMultiaddr} for any input that is
 * not a valid, dialable node address. It is the only error those functions throw: failures of
 * the multiaddr and PeerId libraries are wrapped and kept as `cause`.
 *
 * The message names the input and what is wrong with it ("no peer ID", "bad port", …). It is
 * meant for people; code must not branch on it.
 */
export class InvalidNodeAddressError extends Error {
  static readonly NAME = 'InvalidNodeAddressError'
  override readonly name = InvalidNodeAddressError.NAME

  constructor (input: unknown, reason: string, options?: { cause?: unknown }) {
    super(`invalid node address ${quoteInput(input)}: ${reason}`, options)
  }
}

function quoteInput (input: unknown): string {
  let text: string
  if (typeof input === 'string') {
    text = input
  } else if (typeof input === 'object' && input !== null) {
    try {
      text = String(input) // a Multiaddr prints its string form
    } catch {
      return '(object)'
    }
  } else {
    return `(${input === null ? 'null' : typeof input})`
  }
  const shown = text.length > MAX_QUOTED_INPUT_LENGTH
    ? `${text.slice(0, MAX_QUOTED_INPUT_LENGTH)}…`
    : text
  return JSON.stringify(shown)
}

/**
 * Raised inside the parser with just a reason; the public entry points turn it into an
 * {@link InvalidNodeAddressError} that names the whole input.
 */
export class AddressReason extends Error {
  override readonly name = 'AddressReason'
}

export function reject (reason: string, cause?: unknown): never {
  throw new AddressReason(reason, cause === undefined ? undefined : { cause })
}
