/** "1 account", "2 accounts", "0 transactions"; irregular plurals pass `many`. Shared by core messages and the CLI. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
