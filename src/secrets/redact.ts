/** The secret values this process has seen, so no text it prints or logs carries one. */
const known = new Set<string>();

/** Remembers a secret value so redact() can scrub it from any text we print or log. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) known.add(value);
}

/** A new run of the CLI in the same process (the in-process test runner) starts knowing none. */
export function forgetSecrets(): void {
  known.clear();
}

export function redact(text: string): string {
  let out = text;
  for (const s of known) out = out.split(s).join('[redacted]');
  return out;
}
