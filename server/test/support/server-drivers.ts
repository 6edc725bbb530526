import { randomBytes } from 'node:crypto';
import { TestServer, type StartOptions } from './harness.js';
import { adminQuery, postgresProblem, postgresUrl } from './services.js';

/** A test server on fresh storage of one driver, and how to throw both away. */
export interface DriverServer {
  server: TestServer;
  close(): Promise<void>;
}

/** One database a whole server runs on in a test: `describe.each` over `serverDrivers` runs it on each. */
export interface ServerDriver {
  name: string;
  /** Why this driver cannot run here (its server is unreachable): its tests are then skipped. */
  unavailable: string | null;
  start(options?: StartOptions): Promise<DriverServer>;
}

const sqlite: ServerDriver = {
  name: 'sqlite',
  unavailable: null,
  async start(options) {
    const server = await TestServer.start(options);
    return { server, close: () => server.close() };
  },
};

/** A schema of its own per server, which the server is pointed at as an operator would, through the URL. */
const postgres: ServerDriver = {
  name: 'postgres',
  unavailable: await postgresProblem(),
  async start(options = {}) {
    const schema = `parley_s_${randomBytes(8).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA ${schema}`);
    const url = new URL(postgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const dropSchema = () => adminQuery(`DROP SCHEMA ${schema} CASCADE`);
    let server: TestServer;
    try {
      server = await TestServer.start({ ...options, env: { ...options.env, DATABASE_URL: url.toString() } });
    } catch (error) {
      await dropSchema();
      throw error;
    }
    return {
      server,
      async close() {
        try {
          await server.close();
        } finally {
          await dropSchema();
        }
      },
    };
  },
};

export const serverDrivers: readonly ServerDriver[] = [sqlite, postgres];
