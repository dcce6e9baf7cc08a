import * as z from 'zod/mini';
import { defineResource } from '../core/resource';

/** Short notes that can be pinned and that may expire. Shows a boolean filter, a string sort and a TTL. */
export const notes = defineResource({
  name: 'notes',
  schema: z.strictObject({
    title: z.string().check(z.minLength(1), z.maxLength(200)),
    body: z.optional(z.string().check(z.maxLength(10_000))),
    pinned: z.optional(z.boolean()),
    expiresAt: z.optional(z.iso.datetime()),
  }),
  filterBy: ['pinned'],
  sortBy: 'title',
  ttl: 'expiresAt',
});
