/** Storage: the port core talks to, and the SQLite store behind it. */
export type { Async, Repositories, StorePort } from './port.js';
export { openSqliteStore, sqlitePort, SqlitePort } from './sqlite/port.js';
export { sqliteOf } from './sqlite/file.js';
export { Store, connectionSecretOwner, providerSecretOwner, providerStateOwner } from './sqlite/store.js';
