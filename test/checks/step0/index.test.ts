import { describe } from 'vitest';
import { checks } from '../../../src/checks/step0/index.js';
import { checkCatalogContract } from '../helpers.js';

describe('step 0 catalog', () => checkCatalogContract(checks, 0, 'step0'));
