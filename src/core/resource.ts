/**
 * Declaring a resource. A declaration is the one source from which validation, storage keys, indexes,
 * routes and the stack are derived.
 * @module
 */
import type * as z from 'zod/mini';
import { type Plan, planOf } from './plan';

/** Fields the server owns on every item; a resource schema may not declare them. */
export const SERVER_FIELDS = ['id', 'createdAt', 'updatedAt', 'version', 'createdBy', 'updatedBy'] as const;

/** Field types a filter or sort field may have: these can be written into an index key. */
export type KeyableType = 'string' | 'number' | 'boolean';

/** What a resource file declares. */
export interface ResourceDeclaration<S extends z.ZodMiniObject = z.ZodMiniObject> {
  /** URL segment and storage prefix: lower-case letters, digits and dashes, e.g. `items`. */
  readonly name: string;
  /** The client-writable fields. Use `z.strictObject` so that unknown fields are rejected. */
  readonly schema: S;
  /** Fields a list can be filtered on by equality (`?status=active`). Each becomes an index. */
  readonly filterBy?: readonly (keyof z.infer<S> & string)[];
  /** Field a list can be sorted by (`?sort=price` or `?sort=-price`). Lists are in creation order otherwise. */
  readonly sortBy?: keyof z.infer<S> & string;
  /** Field holding an expiry time (ISO 8601 date-time or epoch seconds): the item disappears after it. */
  readonly ttl?: keyof z.infer<S> & string;
}

/**
 * What storage and the read operations need of a resource: its name and key design, without the schema. Plain
 * JSON, so the stack can hand it to the functions that never validate (get, list, delete, history) at bundle
 * time, and those never load the validator (about 10 ms of cold start).
 */
export interface ResourceShape {
  readonly name: string;
  readonly filterBy: readonly string[];
  readonly sortBy?: string;
  readonly ttl?: string;
  /** The type of each filter field, and of the sort field, as written into index keys. */
  readonly keyTypes: Readonly<Record<string, KeyableType>>;
  /** Every field of the schema, in declaration order. */
  readonly fields: readonly string[];
  /** The values a filter field may take, for each filter field declared as an enum or literal. */
  readonly filterValues?: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  /**
   * The schema as a plan (`plan.ts`), when it uses only what the plan checker reproduces: the write functions
   * then validate without loading zod.
   */
  readonly plan?: Plan;
}

/** A validated declaration with what is derived from it. */
export interface Resource<S extends z.ZodMiniObject = z.ZodMiniObject>
  extends ResourceDeclaration<S>,
    ResourceShape {
  readonly filterBy: readonly string[];
  readonly sortBy?: keyof z.infer<S> & string;
  readonly ttl?: keyof z.infer<S> & string;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The base type of a schema field, looking through optional/nullable/default wrappers. */
function baseType(field: z.ZodMiniType): string {
  // biome-ignore lint/suspicious/noExplicitAny: zod's def is an open union; we only read `type` and `innerType`.
  let def: any = field._zod.def;
  while (def.innerType) def = def.innerType._zod.def;
  if (def.type === 'enum' || def.type === 'literal') return 'string';
  return def.type;
}

/** The values an enum or literal field allows (looking through wrappers), or undefined for any other type. */
function enumValues(field: z.ZodMiniType): (string | number | boolean)[] | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: as in baseType.
  let t: any = field;
  while (t._zod.def.innerType) t = t._zod.def.innerType;
  if (t._zod.def.type !== 'enum' && t._zod.def.type !== 'literal') return undefined;
  const values = [...(t._zod.values ?? [])];
  return values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)) ? values : undefined;
}

/**
 * Declares a resource; throws at load time (so at synth time) if the declaration cannot work.
 * @example
 * export const items = defineResource({ name: 'items', schema: z.strictObject({ name: z.string() }) });
 */
export function defineResource<S extends z.ZodMiniObject>(decl: ResourceDeclaration<S>): Resource<S> {
  if (!NAME.test(decl.name)) throw new Error(`resource name "${decl.name}" must match ${NAME}`);
  const shape = decl.schema.shape as Record<string, z.ZodMiniType>;
  // Declared names are data: `toString` must not find Object.prototype's member.
  const fieldOf = (f: string) => (Object.hasOwn(shape, f) ? shape[f] : undefined);
  for (const f of Object.keys(shape)) {
    if ((SERVER_FIELDS as readonly string[]).includes(f) || f.startsWith('_')) {
      throw new Error(`resource ${decl.name}: field "${f}" is reserved for the server`);
    }
  }
  // Keys are declared field names, never `__proto__` (names starting with `_` are refused above).
  const keyTypes: Record<string, KeyableType> = {};
  const keyFields = [...(decl.filterBy ?? []), ...(decl.sortBy ? [decl.sortBy] : [])];
  for (const f of keyFields) {
    const field = fieldOf(f);
    if (!field) throw new Error(`resource ${decl.name}: "${f}" is not a field of its schema`);
    const t = baseType(field);
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      throw new Error(
        `resource ${decl.name}: "${f}" is a ${t}; filter and sort fields must be string, number or boolean`,
      );
    }
    keyTypes[f] = t;
  }
  const filterValues: Record<string, (string | number | boolean)[]> = Object.create(null);
  for (const f of decl.filterBy ?? []) {
    const values = enumValues(shape[f]!);
    if (values) filterValues[f] = values;
  }
  if (decl.ttl && !fieldOf(decl.ttl))
    throw new Error(`resource ${decl.name}: ttl field "${decl.ttl}" is not in its schema`);
  const plan = planOf(decl.schema);
  return {
    ...decl,
    filterBy: decl.filterBy ?? [],
    keyTypes,
    fields: Object.keys(shape),
    ...(Object.keys(filterValues).length ? { filterValues: { ...filterValues } } : {}),
    ...(plan ? { plan } : {}),
  };
}

/** The schema-free part of a resource, as plain JSON. */
export function shapeOf(r: ResourceShape): ResourceShape {
  return {
    name: r.name,
    filterBy: [...r.filterBy],
    ...(r.sortBy ? { sortBy: r.sortBy } : {}),
    ...(r.ttl ? { ttl: r.ttl } : {}),
    keyTypes: { ...r.keyTypes },
    fields: [...r.fields],
    ...(r.filterValues ? { filterValues: r.filterValues } : {}),
    ...(r.plan ? { plan: r.plan } : {}),
  };
}
