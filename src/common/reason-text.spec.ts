import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_STATUS } from './auth-error.js';
import { REASON_AREAS, REASON_TEXT, type ReasonArea, reasonText } from './reason-text.js';

const DOC = resolve(import.meta.dirname, '../../docs/troubleshooting.md');
const START = '<!-- reason-text:start (generated from src/common/reason-text.ts) -->';
const END = '<!-- reason-text:end -->';

/** Codes named by DESIGN section 7 and the auth log, beside the closed list of AuthError codes. */
const EXTRA_CODES = [
  'ok',
  'identity_conflict',
  'group_not_allowed',
  'email_domain_not_allowed',
  'groups_overage',
  'hs_secret_too_short',
  'iss_mismatch',
];

/** The generated part of docs/troubleshooting.md: one list per area, every code with its sentence. */
function renderReasonDocs(): string {
  const sections = (Object.keys(REASON_AREAS) as ReasonArea[]).map((area) => {
    const items = Object.entries(REASON_TEXT)
      .filter(([, entry]) => entry.area === area)
      .map(([code, entry]) => `- \`${code}\`: ${entry.text}`);
    return `### ${REASON_AREAS[area]}\n\n${items.join('\n')}`;
  });
  return `${START}\n\n${sections.join('\n\n')}\n\n${END}`;
}

describe('reason sentences', () => {
  it('every reason code has a sentence', () => {
    const codes = [...Object.keys(AUTH_ERROR_STATUS), ...EXTRA_CODES];
    const missing = codes.filter((code) => !Object.hasOwn(REASON_TEXT, code));
    expect(missing).toEqual([]);
  });

  it('every sentence is one sentence that says what to do, never a bare code', () => {
    for (const [code, entry] of Object.entries(REASON_TEXT)) {
      expect(entry.text, code).toMatch(/^[A-Z].{15,}[.)]$/);
      expect(entry.text, code).not.toContain('\n');
      expect(Object.keys(REASON_AREAS), code).toContain(entry.area);
    }
  });

  it('an unknown code still names the code and is cut to a sane length', () => {
    expect(reasonText('state_expired')).toBe(REASON_TEXT.state_expired.text);
    expect(reasonText('made_up_code')).toContain('"made_up_code"');
    expect(reasonText('x'.repeat(500)).length).toBeLessThan(200);
    expect(reasonText('__proto__')).toContain('"__proto__"');
  });

  it('docs/troubleshooting.md lists every code with the same sentence (UPDATE_REASON_DOCS=1 rewrites it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const generated = renderReasonDocs();
    if (process.env.UPDATE_REASON_DOCS === '1') {
      writeFileSync(DOC, doc.slice(0, from) + generated + doc.slice(to + END.length));
      return;
    }
    expect(doc.slice(from, to + END.length)).toBe(generated);
  });
});
