import type { Check } from '../types.js';
import { check as dnsSpf } from './dns.spf.js';
import { check as dnsDmarcPolicy } from './dns.dmarc-policy.js';
import { check as dnsDmarcReporting } from './dns.dmarc-reporting.js';
import { check as dnsDkimSelectors } from './dns.dkim-selectors.js';
import { check as dnsMxGateway } from './dns.mx-gateway.js';
import { check as dkimSigningEnabled } from './dkim.signing-enabled.js';
import { check as antiphishSpoofIntelligence } from './antiphish.spoof-intelligence.js';
import { check as antiphishHonorDmarc } from './antiphish.honor-dmarc.js';
import { check as antiphishUnauthenticatedAction } from './antiphish.unauthenticated-action.js';
import { check as antiphishImpersonation } from './antiphish.impersonation.js';
import { check as antiphishMailboxIntelligence } from './antiphish.mailbox-intelligence.js';
import { check as antispamThresholds } from './antispam.thresholds.js';
import { check as antispamAllowedSenders } from './antispam.allowed-senders.js';
import { check as connfilterIpAllowList } from './connfilter.ip-allow-list.js';
import { check as connfilterSafeList } from './connfilter.safe-list.js';
import { check as tablSpoofAllow } from './tabl.spoof-allow.js';
import { check as dnsDmarcInitialDomain } from './dns.dmarc-initial-domain.js';
import { check as tablAllowEntries } from './tabl.allow-entries.js';
import { check as antiphishTrustedSenders } from './antiphish.trusted-senders.js';
import { check as antiphishOrgDomainImpersonation } from './antiphish.org-domain-impersonation.js';
import { check as antispamPhishAction } from './antispam.phish-action.js';

/** Step 4, anti-spoofing (DESIGN §4), in catalog order. */
export const checks: Check[] = [
  dnsSpf,
  dnsDmarcPolicy,
  dnsDmarcReporting,
  dnsDkimSelectors,
  dnsMxGateway,
  dkimSigningEnabled,
  antiphishSpoofIntelligence,
  antiphishHonorDmarc,
  antiphishUnauthenticatedAction,
  antiphishImpersonation,
  antiphishMailboxIntelligence,
  antispamThresholds,
  antispamAllowedSenders,
  connfilterIpAllowList,
  connfilterSafeList,
  tablSpoofAllow,
  dnsDmarcInitialDomain,
  tablAllowEntries,
  antiphishTrustedSenders,
  antiphishOrgDomainImpersonation,
  antispamPhishAction,
];
