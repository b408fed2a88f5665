/**
 * @module transports/http/routes/usage
 * `GET /v1/usage?month=YYYY-MM` (default: the current month): the caller's billing view. Pending
 * counters are flushed first so the report includes the caller's latest calls on this server.
 */

import type { UsageReport } from '@cachette/core';
import type { FastifyInstance } from 'fastify';

export type UsageReporter = (accountId: string, month: string | undefined) => Promise<UsageReport>;

export function registerUsage(app: FastifyInstance, report: UsageReporter): void {
  app.get<{ Querystring: { month?: string } }>('/v1/usage', async (request) => {
    return report(request.principal.accountId, request.query.month);
  });
}
