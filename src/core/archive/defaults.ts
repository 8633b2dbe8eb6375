/**
 * `config archive-days`: a little over a year, so last year's books can be mapped again. Its own
 * module: `status` shows it and must not load the recorder (zlib, redaction) to learn a number.
 */
export const DEFAULT_ARCHIVE_DAYS = 400;
