import { describe } from 'vitest';
import { checks } from '../../../src/checks/step2/index.js';
import { checkCatalogContract } from '../helpers.js';

describe('step 2 catalog', () => checkCatalogContract(checks, 2, 'step2'));
