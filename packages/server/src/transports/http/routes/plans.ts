/**
 * @module transports/http/routes/plans
 * `GET /v1/plans`: the deployment's plans and the caller's own, for the console's operator view. Managing
 * keys only, like usage: a plan's limits say nothing secret, but scoped keys see nothing beyond items.
 */
import type { Plan } from '@cachette/metadata';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../../../service/principal.ts';

/** The plans and the account's plan name. */
export type PlansReporter = (accountId: string) => Promise<{ plans: readonly Plan[]; current: string | null }>;

export function registerPlans(app: FastifyInstance, report: PlansReporter): void {
  app.get('/v1/plans', async (request) => {
    authorize(request.principal, '', 'control');
    return report(request.principal.accountId);
  });
}
