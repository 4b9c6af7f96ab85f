// Command fnv-vectors computes node-id test vectors with Go's standard library, as a cross-check
// of deriveNodeId (src/applier/codec.ts) that shares no code with it: it reads raft ids, one per
// line on stdin (an empty line is the raft id ""), and prints
//
//	{"source": "...", "vectors": [{"raftId": "...", "fullNodeId": "<decimal>"}]}
//
// where fullNodeId is hash/fnv New64a of the id's UTF-8 bytes, with "" -> 0 and a hash of 0 -> 1.
// Duplicate ids are printed once, in first-seen order. Stdlib only; no go.mod needed.
//
// Regenerate fixtures/node-id-vectors.json from the repository root (bash, UTF-8 locale):
//
//	{ grep -ho "raftId: '[^']*'" src/sim/lifecycle/near-ids.ts src/sim/lifecycle/colliding-ids.ts | sed "s/^raftId: '//; s/'\$//"; printf '%s\n' n1 n2 n3 n4 n5 n6 n7 n8 '' 'nœud-1' 'e'$'\xcc\x81' 'é' '节点-2' 'ノード3' '🚀-4'; } | go run scripts/go/fnv-vectors/main.go > fixtures/node-id-vectors.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"strconv"
	"strings"
)

type vector struct {
	RaftID     string `json:"raftId"`
	FullNodeID string `json:"fullNodeId"`
}

type output struct {
	Source  string   `json:"source"`
	Vectors []vector `json:"vectors"`
}

func fullNodeID(raftID string) uint64 {
	if raftID == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(raftID))
	if sum := h.Sum64(); sum != 0 {
		return sum
	}
	return 1
}

func main() {
	out := output{
		Source:  "scripts/go/fnv-vectors/main.go: Go hash/fnv New64a (" + runtime.Version() + "), \"\" -> 0, 0 -> 1",
		Vectors: []vector{},
	}
	seen := map[string]bool{}
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		id := strings.TrimSuffix(scanner.Text(), "\r")
		if seen[id] {
			continue
		}
		seen[id] = true
		out.Vectors = append(out.Vectors, vector{RaftID: id, FullNodeID: strconv.FormatUint(fullNodeID(id), 10)})
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "fnv-vectors:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "fnv-vectors:", err)
		os.Exit(1)
	}
}
