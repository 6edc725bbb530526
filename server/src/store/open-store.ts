import type { Database } from '../config.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { openThreadedSqliteStore } from './sqlite/writer.js';
import type { Store } from './store.js';

export async function openStore(database: Database): Promise<Store> {
  switch (database.driver) {
    case 'sqlite':
      return database.file === ':memory:'
        ? openSqliteStore(database.file)
        : openThreadedSqliteStore(database.file, { syncDelayMs: database.testSyncDelayMs });
    case 'postgres':
      return openPostgresStore(database.url, { poolSize: database.poolSize });
  }
}
