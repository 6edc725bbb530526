import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** A store opened on fresh, empty storage for one test. */
export interface OpenedStore {
  /** The store currently open on this storage (replaced by `reopen`). */
  readonly store: Store;
  /**
   * Closes the current store and opens a new one on the same storage, running the migrations again.
   * Returns the new store, which `store` then also returns.
   */
  reopen(): Promise<Store>;
  /** Closes the store and throws the storage away. */
  cleanup(): Promise<void>;
}

/** One storage driver the contract suite runs against. To add one (PostgreSQL), add an entry to `drivers`. */
export interface StoreDriver {
  name: string;
  open(): Promise<OpenedStore>;
}

const sqlite: StoreDriver = {
  name: 'sqlite',
  async open() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
    // A folder that does not exist yet: opening the store must create it.
    const folder = path.join(root, 'nested', 'data');
    const file = path.join(folder, 'parley.db');
    let current: Store;
    try {
      if (fs.existsSync(folder)) throw new Error(`${folder} should not exist before the store is opened`);
      current = openSqliteStore(file);
      if (!fs.existsSync(file)) {
        await current.close();
        throw new Error(`opening the store did not create ${file}`);
      }
    } catch (error) {
      fs.rmSync(root, { recursive: true, force: true });
      throw error;
    }

    return {
      get store() {
        return current;
      },
      async reopen() {
        await current.close();
        current = openSqliteStore(file);
        return current;
      },
      async cleanup() {
        try {
          await current.close();
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      },
    };
  },
};

export const drivers: readonly StoreDriver[] = [sqlite];
