// Package registry is the writer-registry applier of Stage 6A written in Go
// from regsim's spec (README "The applier and its golden vectors", spec §2-§3):
// the byte layouts, the five-way registration dispatch and the FSM's opcode
// routing. Standard library only. It keeps no state: the store is the truth.
//
// Its API follows production's (addendum §7): the store is
// GetRegistryRow/SetRegistryRow with a found flag, and ApplyRegistration
// returns only an error; insert, advance and no-op are read off the store
// traffic (regsim does that from the protocol's operations).
package registry

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Store is one node's registry, as production's WriterRegistryStore.
type Store interface {
	// GetRegistryRow returns the row; ok is false when there is none. Any error is a storage fault.
	GetRegistryRow(key []byte) (value []byte, ok bool, err error)
	// SetRegistryRow writes the row, durable when it returns nil.
	SetRegistryRow(key, value []byte) error
}

// Halt is the error an entry fails closed with: Reason is regsim's halt reason.
type Halt struct {
	Reason string // collision, rollback, malformed, unknown-version, kek-not-configured, unknown-opcode, store-fault, corrupt-row
	Msg    string
}

func (h *Halt) Error() string { return h.Msg }

// ErrOrdinary is returned by ApplyEntry for an entry the engine applies itself (KV, HLC lease).
var ErrOrdinary = errors.New("ordinary entry")

// Options are deliberate bugs, for checking that regsim catches them. The zero value is correct.
type Options struct {
	// EqualEpochIsRollback halts an equal epoch as rollback ("<=" instead of "<"), the historic bug.
	EqualEpochIsRollback bool
}

const (
	opRegistration = 0x03
	opBootstrap    = 0x04
	opRotation     = 0x05
	opReserved6    = 0x06
	opReserved7    = 0x07

	registryPrefix      = "!encryption|writers|"
	registryValueLength = 12
	payloadLength       = 15
	payloadVersion      = 0x01
)

// Registration is a 0x03 payload: version u8 (0x01) | dek_id u32 | full_node_id u64 | local_epoch u16.
type Registration struct {
	DEKID      uint32
	FullNodeID uint64
	LocalEpoch uint16
}

// DecodeRegistration checks the length before the version: a short payload is malformed whatever its first byte.
func DecodeRegistration(p []byte) (Registration, error) {
	if len(p) != payloadLength {
		return Registration{}, &Halt{"malformed", fmt.Sprintf("registration payload is %d bytes, want %d", len(p), payloadLength)}
	}
	if p[0] != payloadVersion {
		return Registration{}, &Halt{"unknown-version", fmt.Sprintf("registration payload version %d, want %d", p[0], payloadVersion)}
	}
	return Registration{binary.BigEndian.Uint32(p[1:]), binary.BigEndian.Uint64(p[5:]), binary.BigEndian.Uint16(p[13:])}, nil
}

// Key is "!encryption|writers|" | dek_id u32 | '|' | node_id u16 (the full id's low 16 bits): 27 bytes.
func Key(dekID uint32, nodeID16 uint16) []byte {
	k := make([]byte, 0, 27)
	k = append(k, registryPrefix...)
	k = binary.BigEndian.AppendUint32(k, dekID)
	k = append(k, '|')
	return binary.BigEndian.AppendUint16(k, nodeID16)
}

type row struct {
	fullNodeID          uint64
	firstSeen, lastSeen uint16
}

func encodeRow(r row) []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, registryValueLength), r.fullNodeID)
	v = binary.BigEndian.AppendUint16(v, r.firstSeen)
	return binary.BigEndian.AppendUint16(v, r.lastSeen)
}

func decodeRow(v []byte) (row, error) {
	if len(v) != registryValueLength {
		return row{}, &Halt{"corrupt-row", fmt.Sprintf("registry value is %d bytes, want %d", len(v), registryValueLength)}
	}
	return row{binary.BigEndian.Uint64(v), binary.BigEndian.Uint16(v[8:]), binary.BigEndian.Uint16(v[10:])}, nil
}

// Applier applies committed entries over one node's store.
type Applier struct {
	store Store
	opts  Options
}

// New refuses a nil store (the historic typed-nil bug) rather than crash on the first apply.
func New(store Store, opts Options) (*Applier, error) {
	if store == nil {
		return nil, errors.New("registry: nil store")
	}
	return &Applier{store, opts}, nil
}

func storeFault(err error) error { return &Halt{"store-fault", "registry store: " + err.Error()} }

// ApplyRegistration is spec §3's dispatch: insert, collision, advance, no-op (replay) or rollback.
func (a *Applier) ApplyRegistration(r Registration) error {
	key := Key(r.DEKID, uint16(r.FullNodeID))
	slot := fmt.Sprintf("dek %d node 0x%04x", r.DEKID, uint16(r.FullNodeID))
	stored, ok, err := a.store.GetRegistryRow(key)
	if err != nil {
		return storeFault(err)
	}
	write := func(firstSeen uint16) error {
		if err := a.store.SetRegistryRow(key, encodeRow(row{r.FullNodeID, firstSeen, r.LocalEpoch})); err != nil {
			return storeFault(err)
		}
		return nil
	}
	if !ok {
		return write(r.LocalEpoch)
	}
	cur, err := decodeRow(stored)
	if err != nil {
		return err
	}
	// Collision before the epoch: two nodes' epochs are not comparable.
	if cur.fullNodeID != r.FullNodeID {
		return &Halt{"collision", fmt.Sprintf("%s is owned by full id %d, not %d", slot, cur.fullNodeID, r.FullNodeID)}
	}
	if r.LocalEpoch > cur.lastSeen {
		return write(cur.firstSeen)
	}
	// An equal epoch is a replay of an entry already applied: succeed without writing.
	if r.LocalEpoch == cur.lastSeen && !a.opts.EqualEpochIsRollback {
		return nil
	}
	return &Halt{"rollback", fmt.Sprintf("%s: epoch %d is not above last_seen %d of full id %d", slot, r.LocalEpoch, cur.lastSeen, r.FullNodeID)}
}

// ApplyEntry routes an entry by its opcode: 0x03 to ApplyRegistration, 0x04..0x07 fail closed (Stage 6A
// has no KEK), an empty entry is malformed, anything else is ErrOrdinary.
func (a *Applier) ApplyEntry(entry []byte) error {
	if len(entry) == 0 {
		return &Halt{"malformed", "empty entry: no opcode"}
	}
	switch entry[0] {
	case opRegistration:
		r, err := DecodeRegistration(entry[1:])
		if err != nil {
			return err
		}
		return a.ApplyRegistration(r)
	case opBootstrap:
		return &Halt{"kek-not-configured", "bootstrap entry: KEK not configured"}
	case opRotation:
		return &Halt{"kek-not-configured", "rotation entry: KEK not configured"}
	case opReserved6, opReserved7:
		return &Halt{"unknown-opcode", fmt.Sprintf("encryption opcode 0x0%d is not implemented", entry[0])}
	}
	return ErrOrdinary
}

// Ordinary reports whether an entry bypasses the encryption dispatcher (it touches no state).
func Ordinary(entry []byte) bool { return len(entry) > 0 && (entry[0] < 0x03 || entry[0] > 0x07) }
