/**
 * Officer accounts: admins add, disable, re-role officers, reset passwords and lift lockouts;
 * supervisors read a directory of active officers (for assigning cases); every signed-in role reads
 * the known provinces (pickers).
 */
import type { Officer } from '../store/port.js';
import { DuplicateKeyError } from '../store/port.js';
import type { Actor } from '../cases/service.js';
import { ADMIN, SUPERVISOR, type RouteKit } from './kit.js';
import { generatePassword, hashPassword, passwordProblem } from './password.js';
import { HttpError, directoryQuery, emptyQuery, newOfficerBody, parse, parseId, patchOfficerBody } from './validation.js';

type OfficerSet = Parameters<RouteKit['store']['updateOfficer']>[1];
type PatchBody = ReturnType<typeof patchOfficerBody.parse>;

function adminView(o: Officer, now: number) {
  return {
    id: o.id, username: o.username, displayName: o.displayName, role: o.role, province: o.province, disabled: o.disabled,
    mustChangePassword: o.mustChangePassword, locked: o.lockedUntil !== null && o.lockedUntil > now, createdAt: o.createdAt,
  };
}

/** What a supervisor sees of a colleague in the assign picker: no username, no account state. */
function directoryView(o: Officer) {
  return { id: o.id, displayName: o.displayName, role: o.role, province: o.province };
}

/** Active officers and supervisors who may work cases in `province` (theirs, or all) and, for a scoped actor, in the actor's. */
function assignable(officers: Officer[], actor: Actor, province: string | null): Officer[] {
  const covers = (o: Officer, p: string | null) => p === null || o.province === null || o.province === p;
  return officers
    .filter((o) => !o.disabled && (o.role === 'officer' || o.role === 'supervisor' || o.role === 'admin'))
    .filter((o) => covers(o, province) && covers(o, actor.province))
    .sort((a, b) => Number(a.province === null) - Number(b.province === null) || a.displayName.localeCompare(b.displayName, 'vi'));
}

/** Refuses what an admin may not do to their own account (the account page changes one's own password). */
function refuseSelfChange(actor: Actor, target: Officer, body: PatchBody): void {
  if (target.id !== actor.id) return;
  if ((body.role !== undefined && body.role !== target.role) || body.disabled === true) {
    throw new HttpError(409, 'you cannot change your own role or disable your own account', undefined, 'self_change');
  }
  if (body.resetPassword) throw new HttpError(409, 'change your own password on the account page, not by a reset', undefined, 'self_change');
}

/** Rights changed or access revoked: the account's sessions must end so nothing runs on old rights. */
function endsSessions(target: Officer, body: PatchBody, set: OfficerSet): boolean {
  return Boolean(body.resetPassword) || body.disabled === true || (body.role !== undefined && body.role !== target.role)
    || (body.province !== undefined && set.province !== target.province);
}

export function registerOfficerRoutes({ r, guard, store, now, canonicalProvince, app }: RouteKit): void {
  const audit = (officerId: string, action: string) => store.addAudit({ at: new Date(now()).toISOString(), officerId, action });
  const places = app.bundle.content.places;

  r.get('/provinces', guard('any', async (_ctx, req, res) => {
    parse(emptyQuery, req.query, 'query');
    res.json({ provinces: places.provinces.map((p) => p.name), other: [...places.abroad.map((p) => p.name), places.unknown.name] });
  }));

  r.get('/officers/directory', guard(SUPERVISOR, async ({ actor }, req, res) => {
    const q = parse(directoryQuery, req.query, 'query');
    const province = q.province === undefined ? null : canonicalProvince(q.province);
    const officers = assignable(await store.listOfficers(), actor, province);
    res.json({ officers: officers.map(directoryView) });
  }));

  r.get('/officers', guard(ADMIN, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const t = now();
    const officers = await store.listOfficers();
    await audit(actor.id, 'officers.list');
    res.json({ officers: officers.map((o) => adminView(o, t)) });
  }));

  r.post('/officers', guard(ADMIN, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const body = parse(newOfficerBody, req.body);
    const problem = body.password === undefined ? null : passwordProblem(body.password);
    if (problem) throw new HttpError(400, problem, undefined, 'weak_password');
    const province = canonicalProvince(body.province);
    // No password given: a one-time one, shown once in this response; only its hash is kept.
    const generated = body.password === undefined ? generatePassword() : undefined;
    let created: Officer;
    try {
      created = await store.createOfficer({
        username: body.username, displayName: body.displayName, role: body.role, province,
        passwordHash: await hashPassword(body.password ?? generated!), mustChangePassword: true,
      });
    } catch (e) {
      if (e instanceof DuplicateKeyError) throw new HttpError(409, 'an officer with this username exists', undefined, 'duplicate_username');
      throw e;
    }
    await audit(actor.id, `officers.create:${created.id}`);
    res.status(201).json({ officer: adminView(created, now()), ...(generated ? { password: generated } : {}) });
  }));

  r.patch('/officers/:id', guard(ADMIN, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    const body = parse(patchOfficerBody, req.body);
    const target = await store.getOfficer(id);
    if (!target) throw new HttpError(404, 'no such officer', undefined, 'not_found');
    refuseSelfChange(actor, target, body);
    const set: OfficerSet = {};
    if (body.displayName !== undefined) set.displayName = body.displayName;
    if (body.role !== undefined) set.role = body.role;
    if (body.province !== undefined) set.province = canonicalProvince(body.province);
    if (body.disabled !== undefined) set.disabled = body.disabled;
    if (body.unlock) Object.assign(set, { failedLogins: 0, lockedUntil: null });
    let password: string | undefined;
    if (body.resetPassword) {
      password = generatePassword();
      Object.assign(set, { passwordHash: await hashPassword(password), mustChangePassword: true, failedLogins: 0, lockedUntil: null });
    }
    const updated = await store.updateOfficer(id, set);
    if (!updated) throw new HttpError(404, 'no such officer', undefined, 'not_found');
    if (endsSessions(target, body, set)) await store.deleteAuthSessionsOf(id);
    await audit(actor.id, `officers.update:${id}`);
    // The generated password is shown once, here; only its hash is kept.
    res.json({ officer: adminView(updated, now()), ...(password ? { password } : {}) });
  }));

}
