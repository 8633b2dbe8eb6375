/**
 * Text from a bank, a statement file or a rule, made safe to put in the report's HTML. Escaping
 * & < > " ' makes a payee such as `<script>` or `" onmouseover="` plain text in an element or a
 * quoted attribute. Control characters and the Unicode bidi controls are shown as visible escapes
 * (`\u202e`), as the terminal shows them (src/cli/safe-text.ts), so a payee cannot reverse the
 * figures printed next to it; genuine right-to-left names are kept and isolated with <bdi>.
 */

// C0 controls, DEL, C1 controls, the bidi controls, line and paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const visible = (ch: string) => {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Escaped text for an element's content or a quoted attribute value (also inside SVG). */
export function esc(text: string): string {
  return text.replace(UNSAFE, visible).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

/** Outside text in an HTML element's content: escaped, and isolated so its direction stays its own. */
export const bankText = (text: string) => `<bdi>${esc(text)}</bdi>`;
