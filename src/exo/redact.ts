/**
 * Secrets never reach a person or a file (issue 14): every line mxlock writes during a collection, diagnostics,
 * --debug lines, error messages and collection.json, passes through one Redactor, which knows the secrets given
 * (client secret, certificate password, MXLOCK_ACCESS_TOKEN) and every token acquired, and also blanks anything
 * shaped like a bearer token or a JWT. Pure.
 */

export const REDACTED = '[redacted]';

/** Shorter strings are not blanked: they would blank ordinary words (a secret that short is refused anyway). */
const MIN_SECRET_CHARS = 6;

/** `Bearer <token>` and the three base64url parts of a JWT (`eyJ…` header). */
const TOKEN_SHAPES = [/Bearer\s+[^\s"',;]+/gi, /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a secret; its JSON-escaped and URL-encoded forms are blanked too. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_CHARS) return;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])
      this.secrets.add(form);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is blanked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }
}
