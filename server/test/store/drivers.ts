import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/store/store.js';
import { adminQuery, postgresProblem, postgresUrl } from '../support/services.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openThreadedSqliteStore } from '../../src/store/sqlite/writer.js';

/** A store opened on fresh, empty storage for one test. */
export interface OpenedStore {
  /** The store currently open on this storage (replaced by `reopen`). */
  readonly store: Store;
  /**
   * Closes the current store and opens a new one on the same storage, running the migrations again.
   * Returns the new store, which `store` then also returns.
   */
  reopen(): Promise<Store>;
  /**
   * Opens one more store on the same storage, alongside `store`, as a second server process would.
   * `cleanup` closes it too.
   */
  openAnother(): Promise<Store>;
  /** Closes the store(s) and throws the storage away. */
  cleanup(): Promise<void>;
}

/** One storage driver the contract suite runs against. To add one, add an entry to `drivers`. */
export interface StoreDriver {
  name: string;
  /** Why this driver cannot run here (its server is unreachable): its contract tests are then skipped. */
  unavailable?: string;
  open(): Promise<OpenedStore>;
}

/** The stores opened on one storage: the current one, others alongside it, and the clean-up of it all. */
function openedStore(first: Store, openOne: () => Promise<Store>, dispose: () => unknown): OpenedStore {
  let current = first;
  const others: Store[] = [];
  return {
    get store() {
      return current;
    },
    async reopen() {
      await current.close();
      current = await openOne();
      return current;
    },
    async openAnother() {
      const another = await openOne();
      others.push(another);
      return another;
    },
    async cleanup() {
      try {
        await Promise.all([current, ...others].map((store) => store.close()));
      } finally {
        await dispose();
      }
    },
  };
}

/** SQLite on a fresh file in a folder that does not exist yet, opened by `open` (one thread, or writes on their own). */
function sqliteDriver(name: string, open: (file: string) => Store | Promise<Store>): StoreDriver {
  return {
    name,
    async open() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
      // A folder that does not exist yet: opening the store must create it.
      const folder = path.join(root, 'nested', 'data');
      const file = path.join(folder, 'parley.db');
      let current: Store;
      try {
        if (fs.existsSync(folder)) throw new Error(`${folder} should not exist before the store is opened`);
        current = await open(file);
        if (!fs.existsSync(file)) {
          await current.close();
          throw new Error(`opening the store did not create ${file}`);
        }
      } catch (error) {
        fs.rmSync(root, { recursive: true, force: true });
        throw error;
      }

      return openedStore(current, async () => open(file), () => fs.rmSync(root, { recursive: true, force: true }));
    },
  };
}

const sqlite = sqliteDriver('sqlite', openSqliteStore);
/** What the server runs on a file: the same store, its writes on a thread of their own. */
const sqliteThreaded = sqliteDriver('sqlite, writes on a thread', openThreadedSqliteStore);

const postgres: StoreDriver = {
  name: 'postgres',
  unavailable: (await postgresProblem()) ?? undefined,
  async open() {
    const schema = `parley_t_${randomBytes(8).toString('hex')}`;
    const openOnSchema = () => openPostgresStore(postgresUrl, { searchPath: schema });
    await adminQuery(`CREATE SCHEMA ${schema}`);
    let current: Store;
    try {
      current = await openOnSchema();
    } catch (error) {
      await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
      throw error;
    }

    return openedStore(current, openOnSchema, () => adminQuery(`DROP SCHEMA ${schema} CASCADE`));
  },
};

export const drivers: readonly StoreDriver[] = [sqlite, sqliteThreaded, postgres];
