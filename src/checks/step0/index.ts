import type { Check } from '../types.js';
import { check as snapshotComplete } from './inventory.snapshot-complete.js';
import { check as directSendSources } from './inventory.direct-send-sources.js';
import { check as devicesSubmissionRoute } from './devices.submission-route.js';

export const checks: Check[] = [snapshotComplete, directSendSources, devicesSubmissionRoute];
