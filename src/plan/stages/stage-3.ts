/** Stage 3: RejectDirectSend, once the lock-down is in place (DESIGN §6, guide "activation order"). */
import type { Obj } from '../drafts.js';
import type { PlanStage } from './context.js';

export const stage3: PlanStage = {
  no: 3,
  title: 'Reject Direct Send',
  observe: 'up to 30 minutes to propagate; watch for 5.7.68 bounces of legitimate senders',
  draft(ctx) {
    ctx.drafts.push({
      stage: 3,
      title: 'Set-OrganizationConfig -RejectDirectSend $true',
      why: [
        'anonymous mail with an own-domain MAIL FROM is refused with 550 5.7.68 (DS-2 [D]); with the lock-down it is a complement',
      ],
      kind: 'OrganizationConfig',
      identity: '',
      object: ctx.tenant.org as Obj | undefined,
      set: { RejectDirectSend: true },
    });
  },
};
