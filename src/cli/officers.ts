/**
 * `binhan officers add|list`: liaison accounts from the command line. The first admin is made
 * here (`binhan officers add --username admin --role admin`); there is never a default password.
 * The password is the first line of stdin when stdin is not a terminal, else it is asked twice
 * without echo.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { loadConfig } from '../config.js';
import { openStore, PACKAGE_ROOT } from '../app/index.js';
import { DuplicateKeyError, ROLES, type Role } from '../store/port.js';
import { hashPassword, passwordProblem, MIN_PASSWORD_LENGTH } from '../liaison/password.js';
import { USERNAME } from '../liaison/validation.js';
import { normalize } from '../text/normalize.js';
import type { PlacesFile } from '../bundle/places.js';

export interface OfficersIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage:
  binhan officers add --role officer|supervisor|admin [--username U] [--province P] [--name "Display name"]
      username: defaults to the role's name (e.g. "admin")
      password: first line of stdin, or asked twice when run in a terminal (at least ${MIN_PASSWORD_LENGTH} characters)
  binhan officers list [--json]`;

/** The canonical province (or place abroad) for what was typed, diacritics optional. */
function provinceName(root: string, typed: string): string | undefined {
  const places = YAML.parse(readFileSync(join(root, 'content', 'places.yaml'), 'utf8')) as PlacesFile;
  const all = [...places.provinces, ...places.abroad];
  const want = normalize(typed);
  return all.find((p) => normalize(p.name) === want || p.aliases.some((a) => normalize(a) === want))?.name;
}

/** The first line of a piped stdin. */
async function readFirstLine(stdin: OfficersIo['stdin']): Promise<string> {
  let buf = '';
  for await (const chunk of stdin) {
    buf += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    const i = buf.indexOf('\n');
    if (i >= 0) return buf.slice(0, i).replace(/\r$/, '');
  }
  return buf.replace(/\r$/, '');
}

/** Reads a line from a terminal without echoing it. */
function promptHidden(io: OfficersIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin } = io;
    io.stderr.write(question);
    stdin.setRawMode?.(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') { done(); return; }
        if (ch === '\u0003') { done(new Error('cancelled')); return; }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(io: OfficersIo): Promise<string> {
  if (!io.stdin.isTTY) return readFirstLine(io.stdin);
  const first = await promptHidden(io, 'Password: ');
  const second = await promptHidden(io, 'Repeat the password: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

export async function officersCommand(args: string[], io: OfficersIo): Promise<number> {
  const err = (s: string): void => { io.stderr.write(`${s}\n`); };
  const sub = args[0];
  let values: { username?: string; role?: string; province?: string; name?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: args.slice(1),
      options: {
        username: { type: 'string' }, role: { type: 'string' }, province: { type: 'string' }, name: { type: 'string' },
        json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true, allowPositionals: false,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  if (values.help || (sub !== 'add' && sub !== 'list')) {
    (values.help ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });

  if (sub === 'list') {
    const store = await openStore(config);
    try {
      const now = Date.now();
      const officers = (await store.listOfficers()).map((o) => ({
        id: o.id, username: o.username, displayName: o.displayName, role: o.role, province: o.province,
        disabled: o.disabled, locked: o.lockedUntil !== null && o.lockedUntil > now, mustChangePassword: o.mustChangePassword, createdAt: o.createdAt,
      }));
      if (values.json) io.stdout.write(`${JSON.stringify(officers)}\n`);
      else if (officers.length === 0) io.stdout.write('(no officers; create the first admin with: binhan officers add --username admin --role admin)\n');
      else {
        for (const o of officers) {
          const flags = [o.disabled && 'disabled', o.locked && 'locked', o.mustChangePassword && 'must change password'].filter(Boolean).join(', ');
          io.stdout.write(`${o.username}\t${o.role}\t${o.province ?? 'all provinces'}\t${o.displayName}\t${o.id}${flags ? `\t(${flags})` : ''}\n`);
        }
      }
      return 0;
    } finally {
      await store.close();
    }
  }

  // add
  if (!values.role || !(ROLES as readonly string[]).includes(values.role)) { err(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`); return 1; }
  const role = values.role as Role;
  const username = (values.username ?? role).trim().toLowerCase();
  if (!USERNAME.test(username)) { err(`--username: 3 to 32 characters, a-z, digits, ".", "_" or "-"\n${USAGE}`); return 1; }
  let province: string | null = null;
  if (values.province !== undefined && values.province.trim() !== '') {
    const name = provinceName(config.root ?? PACKAGE_ROOT, values.province);
    if (!name) { err(`unknown province "${values.province}" (see content/places.yaml)`); return 1; }
    province = name;
  }
  const displayName = (values.name ?? username).trim().slice(0, 100) || username;
  let password: string;
  try {
    password = await readPassword(io);
  } catch (e) {
    err(`no password: ${(e as Error).message}`);
    return 1;
  }
  const problem = passwordProblem(password);
  if (problem) { err(`password refused: ${problem}`); return 1; }
  const store = await openStore(config);
  try {
    const o = await store.createOfficer({ username, displayName, role, province, passwordHash: await hashPassword(password), mustChangePassword: false });
    io.stdout.write(`created ${o.role} "${o.username}" (${o.province ?? 'all provinces'}), id ${o.id}\n`);
    io.stdout.write(`sign in at http://localhost:${config.port}/liaison as "${o.username}"\n`);
    return 0;
  } catch (e) {
    if (e instanceof DuplicateKeyError || /unique|duplicate/i.test((e as Error).message)) { err(`an officer named "${username}" exists already`); return 1; }
    throw e;
  } finally {
    await store.close();
  }
}
