import type { Disposition, PathKind, PathStatus, SimResult, Stage } from './types.js';

export interface PathResult {
  id: string;
  kind: PathKind;
  status: PathStatus;
  outcome: { stage: Stage; reply?: string; disposition: Disposition };
  evidence: string[];
  result: SimResult;
}
