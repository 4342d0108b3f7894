import type { Check } from '../types.js';
import { check as auditUnifiedAuditLog } from './audit.unified-audit-log.js';

/** Monitoring (DESIGN §4). */
export const checks: Check[] = [auditUnifiedAuditLog];
