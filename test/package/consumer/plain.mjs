// Plain Node, no TypeScript: the same API from JavaScript.
import { readFileSync } from 'node:fs';
import { VARIANTS, checkTrace, loadScenario, runScenario } from 'regsim';

const result = runScenario(loadScenario(readFileSync('scenario.json', 'utf8')), { variant: 'lte-rollback' });
const rejudged = checkTrace(result.trace).length;
console.log(JSON.stringify({ verdict: result.verdict, traceHash: result.traceHash, rejudged, variants: VARIANTS.length }));
