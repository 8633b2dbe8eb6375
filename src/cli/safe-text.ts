/**
 * Text from banks and statement files (payees, memos, account and institution names, error
 * details) may hold terminal control sequences: ESC[2J clears the screen, ESC]0;…BEL retitles
 * the window, CR and backspace overwrite what was printed, C1 controls act like ESC on some
 * terminals, bidi overrides reorder what the user reads. Before such text reaches the terminal
 * every one of those characters is shown as a visible escape (`\x1b`, `\u202e`): the user sees
 * that something odd was there, and the terminal obeys nothing. Stored data keeps the original.
 */

// C0 controls, DEL, C1 controls, the Unicode bidi controls, line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

// The same set with the SGR colour sequences our own chalk adds, and newlines between our lines.
const UNSAFE_KEEPING_LINES = /\u001b\[[0-9;]*m|\n|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return NAMED[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One value from outside (a payee, a name, a message): every control character made visible, newlines too. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * The final guard on text we composed: keeps our line breaks and, when `colour` is on, the SGR
 * colour sequences; every other control character is made visible. Data inside should already
 * have gone through safeText (an SGR sequence in data cannot be told from ours once joined).
 */
export function safeLines(text: string, colour: boolean): string {
  return text.replace(UNSAFE_KEEPING_LINES, (m) => {
    if (m === '\n' || (colour && m.length > 1)) return m;
    return visible(m[0]!) + m.slice(1);
  });
}

/** A copy of a result (plain objects, arrays, strings) with every string passed through safeText. */
export function safeView<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeView(v)) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeView(v)])) as T;
  }
  return value;
}

// JSON.stringify escapes U+0000–U+001F (ESC becomes \u001b) but writes DEL, C1 and bidi
// controls as they are. Escaping them inside the JSON text keeps every parsed value identical.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** A JSON document that parses to the same values and carries no raw control character. */
export function safeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
