import type { Check } from '../types.js';
import { check as lockdownMissing } from './connector.lockdown-missing.js';
import { check as lockdownDisabled } from './connector.lockdown-disabled.js';
import { check as lockdownSenderScope } from './connector.lockdown-sender-scope.js';
import { check as lockdownRecipientScope } from './connector.lockdown-recipient-scope.js';
import { check as lockdownGatewayCoverage } from './connector.lockdown-gateway-coverage.js';
import { check as requireTls } from './connector.require-tls.js';
import { check as ipOnly } from './connector.ip-only.js';
import { check as mixedRestrictions } from './connector.mixed-restrictions.js';
import { check as onPremisesAntipattern } from './connector.onpremises-antipattern.js';
import { check as treatAsInternal } from './connector.treat-as-internal.js';
import { check as ipv6Coverage } from './connector.ipv6-coverage.js';

export const checks: Check[] = [
  lockdownMissing,
  lockdownDisabled,
  lockdownSenderScope,
  lockdownRecipientScope,
  lockdownGatewayCoverage,
  requireTls,
  ipOnly,
  mixedRestrictions,
  onPremisesAntipattern,
  treatAsInternal,
  ipv6Coverage,
];
