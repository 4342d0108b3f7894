/** Kept in step with package.json by test/cli/assess-command.test.ts (`--version prints the package version`). */
export const VERSION = '0.1.0';
