// Property suites over generated cluster scenarios, for a user's own test suite.
export * from './suite.ts';
export * from './tally.ts';
