/** Stage 4: the safety net stage 1 put in audit mode enforces (TR-3 [D]: audit mode does not affect delivery). */
import type { PlanStage } from './context.js';

export const stage4: PlanStage = {
  no: 4,
  title: 'Safety-net rule to Enforce',
  observe: 'a week of message trace and rule reports',
  draft(ctx) {
    const netName = ctx.safetyNet.name;
    ctx.drafts.push({
      stage: 4,
      title: `Safety-net rule '${netName}' to Enforce`,
      why: ['audit mode does not affect delivery (TR-3 [D])'],
      kind: 'TransportRule',
      identity: netName,
      object: undefined,
      set: { Mode: 'Enforce' },
    });
  },
};
