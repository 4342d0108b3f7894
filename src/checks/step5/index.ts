import type { Check } from '../types.js';
import { check as efConfigured } from './ef.configured.js';
import { check as efScope } from './ef.scope.js';
import { check as efGatewayCoverage } from './ef.gateway-coverage.js';
import { check as efHybridSkip } from './ef.hybrid-skip.js';
import { check as arcTrustedSealers } from './arc.trusted-sealers.js';

/** Step 5, Enhanced Filtering for Connectors (DESIGN §4), in catalog order. */
export const checks: Check[] = [efConfigured, efScope, efGatewayCoverage, efHybridSkip, arcTrustedSealers];
