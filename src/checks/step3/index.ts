import type { Check } from '../types.js';
import { check as safetyNetMissing } from './rule.safety-net-missing.js';
import { check as safetyNetMode } from './rule.safety-net-mode.js';
import { check as safetyNetCoverage } from './rule.safety-net-coverage.js';
import { check as safetyNetOrder } from './rule.safety-net-order.js';
import { check as sclBypassSpoofable } from './rule.scl-bypass-spoofable.js';
import { check as sclBypass } from './rule.scl-bypass.js';
import { check as filteringBypass } from './rule.filtering-bypass.js';

export const checks: Check[] = [
  safetyNetMissing,
  safetyNetMode,
  safetyNetCoverage,
  safetyNetOrder,
  sclBypassSpoofable,
  sclBypass,
  filteringBypass,
];
