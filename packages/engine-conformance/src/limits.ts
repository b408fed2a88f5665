/**
 * @module limits
 * Sizes shared by the eviction and memory-limit groups.
 */

/** maxBytes given to engines in the eviction and memory-limit groups. */
export const SUITE_MAX_BYTES = 1024 * 1024;

/**
 * The most per-item overhead (beyond key and value bytes) an engine may account and still pass: the
 * suite knows only raw sizes, so "one item" of slack is raw bytes plus this.
 */
export const MAX_ITEM_OVERHEAD_BYTES = 400;

/** Value size for fill loops: ~1000 items fit in SUITE_MAX_BYTES, enough to see order, quick to write. */
export const FILL_VALUE_BYTES = 1000;
