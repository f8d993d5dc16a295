/** Officer accounts: admins add, disable, re-role officers and reset passwords. */
import type { Officer } from '../store/port.js';
import { DuplicateKeyError } from '../store/port.js';
import { ADMIN, type RouteKit } from './kit.js';
import { generatePassword, hashPassword, passwordProblem } from './password.js';
import { HttpError, emptyQuery, newOfficerBody, parse, parseId, patchOfficerBody } from './validation.js';

function adminView(o: Officer, now: number) {
  return {
    id: o.id, username: o.username, displayName: o.displayName, role: o.role, province: o.province, disabled: o.disabled,
    mustChangePassword: o.mustChangePassword, locked: o.lockedUntil !== null && o.lockedUntil > now, createdAt: o.createdAt,
  };
}

export function registerOfficerRoutes({ r, guard, store, now, canonicalProvince }: RouteKit): void {

  r.get('/officers', guard(ADMIN, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const t = now();
    const officers = await store.listOfficers();
    await store.addAudit({ at: new Date(t).toISOString(), officerId: actor.id, action: 'officers.list' });
    res.json({ officers: officers.map((o) => adminView(o, t)) });
  }));

  r.post('/officers', guard(ADMIN, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const body = parse(newOfficerBody, req.body);
    const problem = passwordProblem(body.password);
    if (problem) throw new HttpError(400, problem, undefined, 'weak_password');
    const province = canonicalProvince(body.province);
    let created: Officer;
    try {
      created = await store.createOfficer({
        username: body.username, displayName: body.displayName, role: body.role, province,
        passwordHash: await hashPassword(body.password), mustChangePassword: true,
      });
    } catch (e) {
      if (e instanceof DuplicateKeyError) throw new HttpError(409, 'an officer with this username exists', undefined, 'duplicate_username');
      throw e;
    }
    await store.addAudit({ at: new Date(now()).toISOString(), officerId: actor.id, action: `officers.create:${created.id}` });
    res.status(201).json({ officer: adminView(created, now()) });
  }));

  r.patch('/officers/:id', guard(ADMIN, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    const body = parse(patchOfficerBody, req.body);
    const target = await store.getOfficer(id);
    if (!target) throw new HttpError(404, 'no such officer', undefined, 'not_found');
    if (target.id === actor.id && ((body.role !== undefined && body.role !== target.role) || body.disabled === true)) {
      throw new HttpError(409, 'you cannot change your own role or disable your own account', undefined, 'self_change');
    }
    const set: Parameters<typeof store.updateOfficer>[1] = {};
    if (body.role !== undefined) set.role = body.role;
    if (body.province !== undefined) set.province = canonicalProvince(body.province);
    if (body.disabled !== undefined) set.disabled = body.disabled;
    let password: string | undefined;
    if (body.resetPassword) {
      password = generatePassword();
      Object.assign(set, { passwordHash: await hashPassword(password), mustChangePassword: true, failedLogins: 0, lockedUntil: null });
    }
    const updated = await store.updateOfficer(id, set);
    if (!updated) throw new HttpError(404, 'no such officer', undefined, 'not_found');
    // Rights changed or access revoked: end the account's sessions so nothing runs on old rights.
    if (body.resetPassword || body.disabled === true || (body.role !== undefined && body.role !== target.role)
      || (body.province !== undefined && set.province !== target.province)) {
      await store.deleteAuthSessionsOf(id);
    }
    await store.addAudit({ at: new Date(now()).toISOString(), officerId: actor.id, action: `officers.update:${id}` });
    // The generated password is shown once, here; only its hash is kept.
    res.json({ officer: adminView(updated, now()), ...(password ? { password } : {}) });
  }));

}
