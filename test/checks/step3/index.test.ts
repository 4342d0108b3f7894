import { describe } from 'vitest';
import { checks } from '../../../src/checks/step3/index.js';
import { checkCatalogContract } from '../helpers.js';

describe('step 3 catalog', () => checkCatalogContract(checks, 3, 'step3'));
