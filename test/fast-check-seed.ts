// Every fast-check property in the tests runs from a fixed seed, so a failure
// reproduces: fast-check prints the seed and path of a failing run, and
// FC_SEED=<seed> re-runs it (the property suites derive their own seeds; see
// properties/support.ts).
import fc from 'fast-check';

const fromEnv = process.env.FC_SEED?.trim();
fc.configureGlobal({ seed: fromEnv ? Number(fromEnv) : 20250901 });
