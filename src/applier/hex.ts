// Lowercase hex for byte strings: the one text form the vectors, the trace
// and the CLI use. fromHex is strict so a typo in a fixture fails loudly.

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new SyntaxError(`hex string has odd length ${hex.length}`);
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new SyntaxError(`not a hex string: ${JSON.stringify(hex.slice(0, 40))}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
