import { scenarioOf } from './src/explore/index.ts';
import { compileScenario, resolveVariant, serializeScenario } from './src/scenario/index.ts';
import { simulate } from './src/sim/simulator.ts';
import { writeFileSync } from 'node:fs';
const s = scenarioOf({ seed: 1, variant: 'ack-before-persist', guardSwarm: true, differential: true, config: 'hardened' } as any, 5);
writeFileSync('/tmp/r5.json', serializeScenario(s));
const r = simulate(compileScenario(s, { variant: resolveVariant('ack-before-persist') }));
r.trace.forEach((e: any, i: number) => { if (i > 520 && i < 600 && (e.node === 'n2' || !('node' in e))) console.log(i, JSON.stringify(e).slice(0, 200)); });
