/** Shared by the profile tests: the ConfigError a call throws, or a failed test when it throws none or another. */
import { expect } from 'vitest';
import { ConfigError } from '../../src/errors.js';

export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
