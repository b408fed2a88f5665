/**
 * @module responses/collection-write
 * Collection writes that answer nothing but their success (`dictionarySetFields`, `setAddElements`,
 * `sortedSetPutElements`, removals, `listRetain`…) answer `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What a plain collection write resolves to. */
export type Response = SuccessResponse | ErrorResponse;
