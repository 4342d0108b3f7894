/** Every check, in catalog order (DESIGN §4). A new check starts from `_template.ts` and is added to its step's index. */
import { checklistMapping } from './catalog.js';
import type { Check, ChecklistRowId } from './types.js';
import { checks as step0 } from './step0/index.js';
import { checks as step1 } from './step1/index.js';
import { checks as step2 } from './step2/index.js';
import { checks as step3 } from './step3/index.js';
import { checks as step4 } from './step4/index.js';
import { checks as step5 } from './step5/index.js';
import { checks as monitoring } from './monitoring/index.js';

export const CHECKS: readonly Check[] = [
  ...step0,
  ...step1,
  ...step2,
  ...step3,
  ...step4,
  ...step5,
  ...monitoring,
];

/** Final-checklist row → the checks that rest on it, from their declarations (src/report/checklist.ts reads it). */
export const CHECKLIST_CHECKS: ReadonlyMap<ChecklistRowId, readonly string[]> = checklistMapping(CHECKS);
