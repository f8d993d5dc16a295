/**
 * Every Store implementation the contract suite runs against: SQLite always (a fresh temporary file per
 * store), MongoDB when MONGODB_URI is set (a fresh, uniquely named database per store, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { tmpDir } from './tmp';

export interface StoreFactory {
  name: string;
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

/** The shape of src/store/mongo/index.ts, declared here so the suite type-checks before that file exists. */
interface MongoStoreModule {
  MongoStore: { connect(uri: string, opts?: { dbName?: string }): Promise<Store> };
}
interface MongoDriver {
  MongoClient: { connect(uri: string): Promise<{ db(name: string): { dropDatabase(): Promise<unknown> }; close(): Promise<void> }> };
}

const sqlite: StoreFactory = {
  name: 'sqlite',
  async open() {
    const { dir, cleanup } = tmpDir('binhan-store-');
    const store = new SqliteStore(join(dir, 'binhan.sqlite'));
    return {
      store,
      async cleanup() {
        await store.close();
        cleanup();
      },
    };
  },
};

function mongo(uri: string): StoreFactory {
  return {
    name: 'mongodb',
    async open() {
      // Loaded only here, so that the suite runs without the MongoDB store or driver when MONGODB_URI is unset.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { MongoStore } = require('../../src/store/mongo') as MongoStoreModule;
      const dbName = `binhan_test_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      const store = await MongoStore.connect(uri, { dbName });
      return {
        store,
        async cleanup() {
          await store.close();
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { MongoClient } = require('mongodb') as MongoDriver;
          const client = await MongoClient.connect(uri);
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      };
    },
  };
}

export const storeFactories: StoreFactory[] = [
  sqlite,
  ...(process.env.MONGODB_URI ? [mongo(process.env.MONGODB_URI)] : []),
];
