// node16Collisions, bootstrapDecode, rotationDecode and dispatch: production
// main's codecs and routing, each vector on a fresh applier.
import {
  MemoryRegistryStore,
  OPCODE,
  WireError,
  decodeBootstrap,
  decodeRotation,
  deriveNodeId,
  encodeBootstrap,
  encodeRotation,
  fromHex,
  low16,
  toHex,
} from '../../applier/index.ts';
import type { BootstrapPayload, MainFsmFactory, Registration, RotationPayload } from '../../applier/index.ts';
import { expectEqual, jsonDifferences, rowDifferences } from './checks.ts';
import type { Check, NamedCheck } from './checks.ts';
import { registrationWord, vectorOutcome, vectorReason } from './main-outcome.ts';
import type { BootstrapDecoded, DecodeVector, DispatchVector, MainVectors, RegistrationVector, RotationDecoded } from './main-schema.ts';

function node16Check(v: MainVectors['node16Collisions'][number]): Check {
  return () => {
    const a = deriveNodeId(v.raftIdA);
    const b = deriveNodeId(v.raftIdB);
    return [
      ...expectEqual('full id A', a.toString(), v.fullNodeIdA),
      ...expectEqual('full id B', b.toString(), v.fullNodeIdB),
      ...expectEqual('node id A', String(low16(a)), String(v.nodeId16)),
      ...expectEqual('node id B', String(low16(b)), String(v.nodeId16)),
      ...(a === b ? ['A and B are one full id, not a collision'] : []),
    ];
  };
}

const registrationJson = (r: Registration): RegistrationVector => ({ dekId: r.dekId, fullNodeId: r.fullNodeId.toString(), localEpoch: r.localEpoch });

const bootstrapJson = (p: BootstrapPayload): BootstrapDecoded => ({
  storageDekId: p.storageDekId,
  wrappedStorageHex: toHex(p.wrappedStorage),
  raftDekId: p.raftDekId,
  wrappedRaftHex: toHex(p.wrappedRaft),
  batchRegistry: p.batch.map(registrationJson),
});

const rotationJson = (p: RotationPayload): RotationDecoded => ({
  subTag: p.subTag,
  dekId: p.dekId,
  purpose: p.purpose,
  wrappedHex: toHex(p.wrapped),
  proposerRegistration: registrationJson(p.proposer),
});

/** A decoder section: decode (fields, error class, canonical re-encoding), then dispatch on a node without a KEK. */
function decodeCheck<P, D>(
  v: DecodeVector<D>,
  opcode: number,
  codec: { decode: (b: Uint8Array) => P; encode: (p: P) => Uint8Array; json: (p: P) => D },
  factory: MainFsmFactory,
): Check {
  return () => {
    const payload = fromHex(v.payloadHex);
    const problems: string[] = [];
    let decoded: P | undefined;
    try {
      decoded = codec.decode(payload);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      problems.push(...expectEqual('decode', vectorReason(err.reason), v.result));
    }
    if (decoded !== undefined) {
      problems.push(...expectEqual('decode', 'ok', v.result), ...jsonDifferences('decoded', codec.json(decoded), v.decoded));
      if (v.reencodesIdentically !== undefined) {
        const same = toHex(codec.encode(decoded)) === v.payloadHex.toLowerCase();
        problems.push(...expectEqual('re-encodes identically', String(same), String(v.reencodesIdentically)));
      }
    }
    const dispatched = vectorOutcome(factory({ registry: new MemoryRegistryStore() }).apply(1, Uint8Array.of(opcode, ...payload)));
    problems.push(...expectEqual('dispatch without KEK', dispatched.reason ?? dispatched.kind, v.dispatchWithoutKek));
    return problems;
  };
}

function dispatchCheck(v: DispatchVector, factory: MainFsmFactory): Check {
  return () => {
    const registry = new MemoryRegistryStore();
    const response = factory(v.applier === 'no-applier' ? undefined : { registry }).apply(v.raftIndex, fromHex(v.entryHex));
    const { message: _text, ...want } = v.outcome;
    return [
      ...jsonDifferences('outcome', vectorOutcome(response), want),
      ...(v.registration === undefined ? [] : expectEqual('registration', registrationWord(response), v.registration)),
      ...rowDifferences(registry.rowsHex(), v.rowsAfter),
    ];
  };
}

export function decodeAndDispatchChecks(vectors: MainVectors, factory: MainFsmFactory): NamedCheck[] {
  const bootstrap = { decode: decodeBootstrap, encode: encodeBootstrap, json: bootstrapJson };
  const rotation = { decode: decodeRotation, encode: encodeRotation, json: rotationJson };
  return [
    ...vectors.node16Collisions.map((v, i): NamedCheck => [`node16Collisions[${i}] ${v.raftIdA}/${v.raftIdB}`, node16Check(v)]),
    ...vectors.bootstrapDecode.map((v, i): NamedCheck => [`bootstrapDecode[${i}] ${v.name}`, decodeCheck(v, OPCODE.bootstrap, bootstrap, factory)]),
    ...vectors.rotationDecode.map((v, i): NamedCheck => [`rotationDecode[${i}] ${v.name}`, decodeCheck(v, OPCODE.rotation, rotation, factory)]),
    ...vectors.dispatch.map((v, i): NamedCheck => [`dispatch[${i}] ${v.name} (${v.applier})`, dispatchCheck(v, factory)]),
  ];
}
