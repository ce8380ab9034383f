// Readable sentences for the reason codes of /login?error=<code>, API errors and the auth log:
// the library's own table (REASON_TEXT), served by the demo as site-rules.js.
import { REASON_TEXT } from './site-rules.js';

export { REASON_TEXT };

/** The sentence of a code; an unknown code gets a sentence that still names it (as text, never markup). */
export function reasonMessage(code) {
  if (typeof code === 'string' && Object.hasOwn(REASON_TEXT, code)) return REASON_TEXT[code];
  return `Sign-in failed (${String(code).slice(0, 64)}). Please try again or ask an administrator.`;
}
