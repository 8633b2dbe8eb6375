import type { HttpAnswer, HttpRequestSent } from '../../providers/exchange-tap.js';
import { redact, registerSecret } from '../../secrets/index.js';

/** One HTTP exchange as the archive keeps it: nothing in it lets anyone call the provider. */
export interface ArchivedExchange {
  method: string;
  /** Without user:password and with secret query values replaced by [redacted]. */
  url: string;
  /** Only the headers that shape the answer (accept, content-type, version): never credentials. */
  headers: Record<string, string>;
  body?: string;
  status: number;
  responseHeaders: Record<string, string>;
  /** The bytes the provider sent (as text), redacted only where they hold a token. */
  text: string;
}

export const REDACTED = '[redacted]';

/** Names whose values are credentials in a request (query, form, JSON body): app keys, tokens, passwords. */
const SECRET_REQUEST_NAME = /auth|token|secret|password|passphrase|passcode|signature|cookie|api[-_]?key|private|credential|verifier|assertion|^key$|^code$|client[-_]?id|app[-_]?id|login|pin$/i;

/**
 * Names whose values are credentials in an answer. Tighter than for requests: an answer is the data
 * replay maps again, and a field like `last_refresh` or `keyword` must come back unchanged.
 */
const SECRET_ANSWER_NAME = /^(access|refresh|access_?url)$|token$|secret$|password$/i;
/** A JSON key in the text that SECRET_ANSWER_NAME could match. */
const SECRET_ANSWER_KEY_IN_TEXT = /"(access|refresh|access_?url|[^"]*(token|secret|password))"\s*:/i;

/** Request headers kept: what the answer depends on. Everything else (authorization, signatures, app ids) is dropped. */
const KEPT_REQUEST_HEADER = /^(accept|accept-language|content-type)$|version/i;
/** Answer headers kept: what an adapter reads (pagination links, rate limits, retry times). */
const KEPT_ANSWER_HEADER = /^(content-type|retry-after|link|x-ratelimit-[a-z-]+|x-total-count|x-next-page)$/i;

/** The exchange with every credential taken out; values found under secret names are scrubbed everywhere else too. */
export function redactExchange(request: HttpRequestSent, answer: HttpAnswer): ArchivedExchange {
  const text = redactAnswerText(answer.text, answer.headers['content-type']);
  return {
    method: request.method,
    url: redactUrl(request.url),
    headers: pick(request.headers, KEPT_REQUEST_HEADER),
    ...(request.body !== undefined ? { body: redactRequestBody(request.body, request.headers['content-type']) } : {}),
    status: answer.status,
    responseHeaders: pick(answer.headers, KEPT_ANSWER_HEADER),
    text,
  };
}

/** No user:password, secret query values replaced, then any known secret (a token in a path) scrubbed. */
export function redactUrl(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return redact(href);
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) if (SECRET_REQUEST_NAME.test(name)) url.searchParams.set(name, REDACTED);
  return redact(url.href);
}

export function redactRequestBody(body: string, contentType: string | undefined): string {
  if (/x-www-form-urlencoded/.test(contentType ?? '')) {
    const form = new URLSearchParams(body);
    for (const name of [...form.keys()]) if (SECRET_REQUEST_NAME.test(name)) form.set(name, REDACTED);
    return redact(form.toString());
  }
  const json = parseJson(body);
  if (json === undefined) return redact(body);
  const { value } = scrub(json, SECRET_REQUEST_NAME);
  return redact(JSON.stringify(value));
}

/** An answer's text is kept byte for byte unless a value under a secret name had to go. */
export function redactAnswerText(text: string, contentType: string | string[] | undefined): string {
  // Parsed only when a secret-looking name is in it: most answers are pages of lines, parsed once already by the adapter.
  const mayHoldSecret = SECRET_ANSWER_KEY_IN_TEXT.test(text);
  const json = mayHoldSecret && (/json/.test(String(contentType ?? '')) || /^\s*[[{]/.test(text)) ? parseJson(text) : undefined;
  if (json !== undefined) {
    const { value, changed } = scrub(json, SECRET_ANSWER_NAME);
    if (changed) return redact(JSON.stringify(value));
  }
  return redact(text);
}

/**
 * Replaces string values under secret names, at any depth. Each value replaced is also
 * registered as a secret, so the same token met later (in a URL, a header, another body) is
 * scrubbed as well.
 */
function scrub(value: unknown, secretName: RegExp): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) {
      if (typeof inner === 'string' && secretName.test(k) && inner !== REDACTED) {
        registerSecret(inner);
        out[k] = REDACTED;
        changed = true;
      } else {
        out[k] = walk(inner);
      }
    }
    return out;
  };
  return { value: walk(value), changed };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function pick(headers: Record<string, string | string[] | undefined>, kept: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !kept.test(name)) continue;
    out[name.toLowerCase()] = redact(Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}
