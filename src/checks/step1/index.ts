import type { Check } from '../types.js';
import { check as rejectFlag } from './direct-send.reject-flag.js';

export const checks: Check[] = [rejectFlag];
