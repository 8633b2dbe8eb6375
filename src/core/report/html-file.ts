import { nowIso, type Services } from '../context.js';
import { writeFileAtomically } from '../output-file.js';
import { renderReportHtml } from '../../report/html.js';
import type { Report } from './types.js';

/** Writes the report's HTML page atomically: a reader (or the browser) never sees half a page. */
export async function writeReportHtml(s: Services, report: Report, path: string): Promise<void> {
  const html = renderReportHtml(report, { generatedAt: nowIso(s) });
  await writeFileAtomically(
    path,
    async (out) => {
      out.write(html);
    },
    '--html',
  );
}
