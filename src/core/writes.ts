/**
 * The writes to an existing item (PUT, PATCH, DELETE) and their preconditions (RFC 9110 §13.1.1, §13.1.2,
 * evaluated in §13.2.2's order: `If-Match`, then `If-None-Match`).
 *
 * Every write is conditional. With `If-Match` and nothing to read first (PUT, DELETE), it is one write on
 * condition that the version is one the header lists. Otherwise (PATCH, which merges into what it read, or
 * an `If-None-Match`, which must be judged on the current item) it reads strongly consistently and writes on
 * condition that the version is still the one it read. A write that loses a race to a concurrent one (the
 * version moved, or a delete's transaction held the item) is retried from the read with jittered backoff
 * (`backoff.ts`); past the budget it is a 503 {@link Contended} with `Retry-After`, having written nothing.
 * @module
 */
import { backoff } from './backoff';
import { Contended, NotFound, PreconditionFailed, ValidationFailed } from './errors';
import {
  etagOf,
  ifMatchHolds,
  ifMatchVersions,
  noneMatch,
  parseTagCondition,
  type TagCondition,
} from './etag';
import { type HttpReply, type HttpRequest, readJsonBody } from './http';
import { expiredAt, itemReply, JSON_TYPES, type OperationInput, requireId } from './items';
import { mergePatch } from './merge-patch';
import {
  type ExpectedVersion,
  ItemMissing,
  type StoredItem,
  VersionMismatch,
  WriteContention,
} from './ports';
import type { ResourceShape } from './resource';
import { unstorableFields, validate, withoutServerFields } from './validation';

const PATCH_TYPES = ['application/merge-patch+json', 'application/json'];

interface Preconditions {
  readonly ifMatch: TagCondition | undefined;
  readonly ifNoneMatch: TagCondition | undefined;
}

function preconditionsOf(request: HttpRequest): Preconditions {
  return {
    ifMatch: parseTagCondition(request.headers['if-match'], 'If-Match'),
    ifNoneMatch: parseTagCondition(request.headers['if-none-match'], 'If-None-Match'),
  };
}

/** Throws the 412 when a precondition is false for the current item. */
function checkPreconditions(p: Preconditions, current: StoredItem): void {
  const tag = etagOf(current.version);
  if (!ifMatchHolds(p.ifMatch, current.version)) {
    throw new PreconditionFailed(`If-Match does not match the current ETag ${tag}`);
  }
  if (!noneMatch(p.ifNoneMatch, current.version)) {
    throw new PreconditionFailed(`If-None-Match matches the current ETag ${tag}`);
  }
}

const missing = (resource: ResourceShape, id: string) =>
  new NotFound(`${resource.name}/${id} does not exist`);

const contended = () =>
  new Contended(
    'other requests kept changing this item while this one was applied; nothing was written: send it again',
  );

/**
 * What a write is conditioned on when it does not read first: the versions `If-Match` lists (possibly none,
 * which fails as a 412), or only the item's existence.
 */
function blindCondition(p: Preconditions): ExpectedVersion | undefined {
  const versions = ifMatchVersions(p.ifMatch);
  return versions === undefined || versions === 'any' ? undefined : versions;
}

/** The current item, checked against the preconditions: the version a write must then find. */
async function readChecked(input: OperationInput<ResourceShape>, id: string, p: Preconditions) {
  const { repo, caller, resource, now } = input;
  const current = await repo.get(caller, resource, id, { consistent: true });
  if (!current || expiredAt(resource, current, now)) throw missing(resource, id);
  checkPreconditions(p, current);
  return current;
}

/**
 * Runs a write until it wins or gives up. `attempt` gets whether to read first; a {@link VersionMismatch} on a
 * write that did not read is the precondition failing (412); after a read, and on a {@link WriteContention},
 * it is a lost race, retried.
 */
async function conditionalWrite<T>(
  input: OperationInput<ResourceShape>,
  id: string,
  read: boolean,
  attempt: () => Promise<T>,
): Promise<T> {
  const retry = backoff({ budgetMs: input.settings.writeRetryBudgetMs ?? 2000 });
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (e instanceof ItemMissing) throw missing(input.resource, id);
      if (e instanceof VersionMismatch && !read) {
        throw new PreconditionFailed(`If-Match does not match the current ETag ${etagOf(e.current.version)}`);
      }
      if (!(e instanceof VersionMismatch || e instanceof WriteContention)) throw e;
      if (!(await retry())) throw contended();
    }
  }
}

/** Shared by PUT and PATCH: compute the new fields (from the current item, if read) and write conditionally. */
function update(
  input: OperationInput,
  compute: (current: StoredItem | undefined) => Record<string, unknown>,
  needsCurrent: boolean,
): Promise<HttpReply> {
  const { repo, caller, resource, request, now } = input;
  const id = requireId(request);
  const p = preconditionsOf(request);
  const read = needsCurrent || p.ifNoneMatch !== undefined;
  return conditionalWrite(input, id, read, async () => {
    const current = read ? await readChecked(input, id, p) : undefined;
    const expected = current ? current.version : blindCondition(p);
    const data = compute(current);
    return itemReply(200, await repo.replace(caller, resource, id, data, now.toISOString(), expected));
  });
}

/** `PUT /{resource}/{id}`: full replace; never creates. */
export async function replaceItem(input: OperationInput): Promise<HttpReply> {
  const data = validate(input.resource, readJsonBody(input.request, JSON_TYPES, input.settings.maxBodyBytes));
  return update(input, () => data, false);
}

/** `PATCH /{resource}/{id}`: JSON Merge Patch (RFC 7396), the result validated against the schema. */
export async function patchItem(input: OperationInput): Promise<HttpReply> {
  const patch = readJsonBody(input.request, PATCH_TYPES, input.settings.maxBodyBytes);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ValidationFailed([{ pointer: '', message: 'a merge patch must be a JSON object' }]);
  }
  const cleaned = withoutServerFields(patch as Record<string, unknown>);
  // Merging recurses into the patch: a hostile depth must be a 400 before it can overflow the stack.
  const unstorable = unstorableFields(cleaned);
  if (unstorable.length) throw new ValidationFailed(unstorable);
  return update(input, (current) => validate(input.resource, mergePatch(current!.data, cleaned)), true);
}

/** `DELETE /{resource}/{id}`: 204; with `If-Match`, only at a listed version. */
export async function deleteItem(input: OperationInput<ResourceShape>): Promise<HttpReply> {
  const { repo, caller, resource, request, now } = input;
  const id = requireId(request);
  const p = preconditionsOf(request);
  const read = p.ifNoneMatch !== undefined;
  return conditionalWrite(input, id, read, async () => {
    const expected = read ? (await readChecked(input, id, p)).version : blindCondition(p);
    await repo.delete(caller, resource, id, now.toISOString(), expected);
    return { status: 204 };
  });
}
