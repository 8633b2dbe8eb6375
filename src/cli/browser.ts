/** Opens a page in the user's browser (the `open` package, loaded only when consent needs it). */
export async function openBrowser(url: string): Promise<boolean> {
  try {
    const { default: open } = await import('open');
    const child = await open(url, { wait: false });
    // `open` resolves once the launcher starts; a launcher that fails (no xdg-open, no display) exits non-zero.
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), 1_500);
      child.once('error', () => (clearTimeout(timer), resolve(false)));
      child.once('exit', (code) => (clearTimeout(timer), resolve(code === 0 || code === null)));
      child.unref();
    });
  } catch {
    return false;
  }
}
