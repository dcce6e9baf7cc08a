import { describe, expect, it } from 'vitest';
import { resources } from './index';
import { shapeFor, shapes } from './shapes';

describe('resource shapes', () => {
  it('carry every declaration without its schema, as plain JSON', () => {
    expect(shapes.map((s) => s.name)).toEqual(resources.map((r) => r.name));
    for (const s of shapes) {
      expect(s).not.toHaveProperty('schema');
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    }
    expect(shapeFor('/notes/{id}')).toEqual({
      name: 'notes',
      filterBy: ['pinned'],
      sortBy: 'title',
      ttl: 'expiresAt',
      keyTypes: { pinned: 'boolean', title: 'string' },
      fields: ['title', 'body', 'pinned', 'expiresAt'],
      // Its schema as a plan (src/core/plan.ts), for the functions that validate without zod.
      plan: expect.objectContaining({ t: 'object', unknown: 'strict' }),
    });
    expect(shapeFor('/items')?.fields).toEqual(['name', 'price', 'description', 'tags', 'status']);
    // What a filter on an enum may be, so that the read functions can say so without the schema.
    expect(shapeFor('/items')?.filterValues).toEqual({ status: ['draft', 'active', 'archived'] });
    expect(shapeFor('/nothing/{id}')).toBeUndefined();
  });
});
