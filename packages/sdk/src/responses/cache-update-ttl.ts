/**
 * @module responses/cache-update-ttl
 * `updateTtl` / `increaseTtl` / `decreaseTtl` answer `Set | NotSet | Miss | Error`.
 */
import { ErrorResponse } from './common.ts';

/** The item's TTL was changed. (Named `Set` outside this file, as Momento's response is.) */
class TtlSet {
  readonly type = 'Set' as const;
}

/** `increase`/`decrease` did not apply: the item's TTL was already longer (or shorter). */
export class NotSet {
  readonly type = 'NotSet' as const;
}

/** No such item. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error, TtlSet as Set };

/** What a TTL update resolves to. */
export type Response = TtlSet | NotSet | Miss | ErrorResponse;
