/** Limits of the schema itself, which its descriptions state and clients can rely on. */

/** Most refs `Query.repositories` answers in one call. */
export const MAX_REPOSITORY_REFS = 50;

/** Most representations `Query._entities` resolves in one call (a router's batch of entity keys). */
export const MAX_ENTITY_REPRESENTATIONS = 100;

/** Most ids `Query.nodes` answers in one call. */
export const MAX_NODE_IDS = 50;

/**
 * The largest 32-bit signed integer: SWR's job ids are 32-bit, and so is GraphQL's `Int`
 * (`totalCount`, positions in cursors).
 */
export const INT32_MAX = 2 ** 31 - 1;
/** The smallest 32-bit signed integer. */
export const INT32_MIN = -(2 ** 31);
