/**
 * @module transports/http/routes/usage
 * `GET /v1/usage?month=YYYY-MM` (default: the current month): the caller's billing view. Pending
 * counters are flushed first so the report includes the caller's latest calls on this server.
 */

import type { UsageReport } from '@cachette/core';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../../../service/principal.ts';

export type UsageReporter = (accountId: string, month: string | undefined) => Promise<UsageReport>;

export function registerUsage(app: FastifyInstance, report: UsageReporter): void {
  app.get<{ Querystring: { month?: string } }>('/v1/usage', async (request) => {
    const principal = request.principal;
    // The report names every cache of the account and its bill: management keys only, like ListCaches
    // hides caches outside a scoped key.
    authorize(principal, '', 'control');
    return report(principal.accountId, request.query.month);
  });
}
