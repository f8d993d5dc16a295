/**
 * Store internals: SQLite schema migrations and statement reuse, MongoDB's once-per-database migrations. The
 * contract every store keeps is in tests/contract/, one file per role.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isoWeek } from '../src/store/port';
import { MIGRATIONS, SqliteStore } from '../src/store/sqlite';
import { tip } from './contract/helpers';
import { tmpDir } from './helpers/tmp';

// ---- SQLite only: schema migrations and statement reuse

describe('SQLite store internals', () => {
  const V1_CASE = `INSERT INTO cases (id, ref, idempotency_key, secret_hash, status, priority, category, province, channel, lang, fields, messages, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'new', ?, ?, ?, 'web', 'vi', ?, ?, ?, ?)`;
  /** A database as version 1 of the program left it, holding these case rows (V1_CASE's parameters). */
  function v1Database(file: string, rows: unknown[][]): void {
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    const insert = v1.prepare(V1_CASE);
    for (const row of rows) insert.run(...row);
    v1.close();
  }

  it('migrates a version-1 database with its cases in place', async () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const fields = (category: string, province: string) => JSON.stringify({ category, province, what: 'Có người lạ dụ trẻ em đi làm ở Campuchia', inDanger: 'no' });
      const msg = [{ from: 'reporter', text: 'Bổ sung: họ đi xe khách', at: '2027-01-01T05:00:00.000Z' }];
      v1Database(file, [
        ['old-1', 'BA-ACDEFG', 'key-1', 'a'.repeat(64), 'low', 'scam', 'Hà Nội', fields('scam', 'Hà Nội'), '[]', '2026-11-02T01:00:00.000Z', '2026-11-02T01:00:00.000Z'],
        ['old-2', 'BA-HJKLMN', 'key-2', 'b'.repeat(64), 'urgent', 'trafficking', 'An Giang', fields('trafficking', 'An Giang'), JSON.stringify(msg), '2027-01-01T03:00:00.000Z', '2027-01-01T05:00:00.000Z'],
      ]);

      const store = new SqliteStore(file);
      try {
        expect(store.raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
        const old2 = await store.getCaseByRef('BA-HJKLMN');
        expect(old2).toEqual({
          id: 'old-2', ref: 'BA-HJKLMN', secretHash: 'b'.repeat(64), status: 'new', priority: 'urgent', disposition: null, assignedTo: null,
          channel: 'web', lang: 'vi', fields: JSON.parse(fields('trafficking', 'An Giang')), messages: msg, notes: [], history: [], related: [],
          version: 1, createdAt: '2027-01-01T03:00:00.000Z', updatedAt: '2027-01-01T05:00:00.000Z', week: '2026-W53',
        });
        expect((await store.getCase('old-1'))?.week).toBe(isoWeek(new Date('2026-11-02T01:00:00.000Z')));
        // Ranks were filled in: the urgent case leads the queue although it is newer.
        const { case: fresh } = await store.createCase(tip({ priority: 'high' }));
        expect((await store.queryCases({}, { order: 'queue', limit: 10 })).items.map((c) => c.id)).toEqual(['old-2', fresh.id, 'old-1']);
        expect(await store.countCases({}, 'week')).toHaveLength(3);
        // An old case takes part in the new lifecycle; its idempotency key still holds.
        expect((await store.updateCase('old-1', { expect: { version: 1, assignedTo: null }, set: { assignedTo: 'officer-lan' } }))?.version).toBe(2);
        const again = await store.createCase({ ...tip(), idempotencyKey: 'key-2' });
        expect(again).toEqual({ case: expect.objectContaining({ id: 'old-2' }), created: false });
      } finally {
        await store.close();
      }
      // Opening again migrates nothing and keeps everything.
      const reopened = new SqliteStore(file);
      expect((await reopened.getCase('old-1'))?.assignedTo).toBe('officer-lan');
      expect(await reopened.listCases()).toHaveLength(3);
      await reopened.close();
    } finally {
      cleanup();
    }
  });

  it('moves the week of existing cases to Viet Nam’s day (migration 4)', async () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const fields = JSON.stringify({ category: 'drugs', province: 'Huế', what: 'Có người bán ma túy ở bến xe', inDanger: 'no' });
      v1Database(file, [['late', 'BA-PQRTUV', 'key-late', 'c'.repeat(64), 'normal', 'drugs', 'Huế', fields, '[]', '2026-11-22T18:00:00.000Z', '2026-11-22T18:00:00.000Z']]);
      const store = new SqliteStore(file);
      try {
        expect((await store.getCase('late'))?.week).toBe('2026-W48');
      } finally {
        await store.close();
      }
    } finally {
      cleanup();
    }
  });

  it('refuses a database from a newer program', () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const db = new Database(file);
      db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      db.close();
      expect(() => new SqliteStore(file)).toThrow(/newer than this program knows/);
    } finally {
      cleanup();
    }
  });

  it('compiles a filter query once per shape, not once per call', async () => {
    const { dir, cleanup } = tmpDir('binhan-prep-');
    const store = new SqliteStore(join(dir, 'binhan.sqlite'));
    try {
      await store.createCase(tip());
      await store.queryCases({ status: ['new'], province: ['Nghệ An'] }, { order: 'queue', limit: 10 });
      await store.countCases({ category: ['drugs'] }, 'week');
      const prepare = jest.spyOn(store.raw, 'prepare');
      const page = await store.queryCases({ status: ['new', 'triaged'], province: ['Hà Nội', 'Huế', 'Nghệ An'] }, { order: 'queue', limit: 5 });
      await store.countCases({ category: ['scam', 'drugs'] }, 'week');
      await store.createCase(tip());
      await store.updateCase(page.items[0].id, { set: { status: 'triaged' } });
      await store.getSetting('x');
      expect(prepare).not.toHaveBeenCalled();
      await store.queryCases({ status: ['new'] }, { order: 'newest', limit: 5 });
      expect(prepare).toHaveBeenCalledTimes(1);
      prepare.mockRestore();
    } finally {
      await store.close();
      cleanup();
    }
  });
});

// ---- MongoDB only: data migrations (run in CI, where MONGODB_URI points at FerretDB)

(process.env.MONGODB_URI ? describe : describe.skip)('MongoDB store migrations', () => {
  it('moves the week of existing cases to Viet Nam’s day, once', async () => {
    const uri = process.env.MONGODB_URI!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MongoStore } = require('../src/store/mongo') as typeof import('../src/store/mongo');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MongoClient } = require('mongodb') as typeof import('mongodb');
    const dbName = `binhan_test_weeks_${process.pid}_${randomBytes(4).toString('hex')}`;
    const client = await MongoClient.connect(uri);
    try {
      const first = await MongoStore.connect(uri, { dbName });
      const { case: c } = await first.createCase(tip());
      await first.close();
      // As an older version stored it: created late on a Sunday (UTC), with the UTC day's week, not yet migrated.
      const db = client.db(dbName);
      await db.collection('cases').updateOne({ _id: c.id as never }, { $set: { createdAt: '2026-11-22T18:00:00.000Z', week: '2026-W47' } });
      await db.collection('settings').deleteMany({});
      const second = await MongoStore.connect(uri, { dbName });
      try {
        expect((await second.getCase(c.id))?.week).toBe('2026-W48');
        expect(await second.getSetting('schema:weeks-in-vietnam')).toEqual(expect.any(String));
      } finally {
        await second.close();
      }
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });
});
