import * as z from 'zod/mini';
import { defineResource } from '../core/resource';

/** The classic catalogue item. */
export const items = defineResource({
  name: 'items',
  schema: z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    price: z.number().check(z.nonnegative()),
    description: z.optional(z.string().check(z.maxLength(2000))),
    tags: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(50))).check(z.maxLength(20))),
    status: z.optional(z.enum(['draft', 'active', 'archived'])),
  }),
  filterBy: ['status'],
  sortBy: 'price',
});
