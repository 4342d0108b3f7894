/** Typed errors mapped to messages and exit codes at the CLI edge (STYLE.md habit 5). */

/** Bad input: a file that is not JSON, a property of the wrong type, an unreadable folder. Exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly property?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad profile or flag combination. Exit 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something outside the machine could not be reached (DNS, SMTP, HTTP). */
export class ConnectivityError extends Error {
  override readonly name = 'ConnectivityError';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
