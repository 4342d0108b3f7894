import { describe } from 'vitest';
import { checks } from '../../../src/checks/step1/index.js';
import { checkCatalogContract } from '../helpers.js';

describe('step 1 catalog', () => checkCatalogContract(checks, 1, 'step1'));
