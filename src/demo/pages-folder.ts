import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The folder of the demo's static pages. `tsc` copies no HTML, so the compiled demo
 * (dist/src/demo) reads them from the source tree beside it.
 */
export function pagesFolder(): string {
  const candidates = [resolve(here, 'pages'), resolve(here, '../../../src/demo/pages')];
  const found = candidates.find((folder) => existsSync(resolve(folder, 'login.html')));
  if (!found) throw new Error(`Demo pages not found; looked in ${candidates.join(', ')}.`);
  return found;
}
