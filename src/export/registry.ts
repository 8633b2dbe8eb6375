import { csvExporter } from './csv.js';
import type { Exporter } from './types.js';

export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  csv: csvExporter,
};
