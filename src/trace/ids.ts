// The one text form of a full (64-bit) node id in everything a person reads:
// oracle messages and the reports. The trace itself keeps ids as decimal
// strings (plain JSON); this is only how they are shown.

/** `0x` and 16 lowercase hex digits, so ids that differ in the high bits line up; `?` for no id. */
export function fullIdHex(id: bigint | undefined): string {
  return id === undefined ? '?' : `0x${id.toString(16).padStart(16, '0')}`;
}

/** The 16-bit slot (the low 16 bits) of a full id in the form a trace event carries it (`fullIdHex`, or decimal). */
export function slotOfId(id: string): number {
  return Number(BigInt(id) & 0xffffn);
}
