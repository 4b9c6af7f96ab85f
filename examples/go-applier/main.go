// Command regsim-go-applier serves regsim's external applier protocol v2
// (docs/external-applier.md#protocol-v2) on stdin/stdout for the Go applier
// in ./registry: one round trip per entry, the rows sent ahead, the store
// operations reported with the result, corrections applied by re-running the
// entry, and requests ahead (the applies of several nodes in one message)
// answered without calls. Standard library only.
//
//	go build -o regsim-go-applier . && regsim conformance fixtures/applier-conformance.json --applier ./regsim-go-applier
//	./regsim-go-applier -variant lte-rollback   # the historic "<=" bug, which regsim must catch
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"example.com/regsim-go-applier/registry"
)

// message is any line regsim sends.
type message struct {
	Type     string             `json:"type"`
	Versions []int              `json:"versions"`
	Index    uint64             `json:"index"`
	Entry    string             `json:"entry"`
	Rows     map[string]*string `json:"rows"`
	Env      *struct {
		Applier *bool `json:"applier"`
	} `json:"env"`
	Entries []struct {
		Entry string `json:"entry"`
	} `json:"entries"`
	Requests []message `json:"requests"`
	Value    *string   `json:"value"`
	Message  string    `json:"message"`
	Op       *int      `json:"op"`
	Fault    *string   `json:"fault"`
}

// op is one store operation as the protocol reports it.
type op struct {
	Op    string  `json:"op"`
	Key   string  `json:"key"`
	Value *string `json:"value"` // get: nil is no row (JSON null); set: the value
}

type result struct {
	Kind    string `json:"kind"`
	Opcode  *int   `json:"opcode,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

type resultMessage struct {
	Type string `json:"type,omitempty"`
	result
	Ops []op `json:"ops"`
}

var (
	in  = bufio.NewReaderSize(os.Stdin, 1<<16)
	out = os.Stdout // unbuffered: one write(2) per message
)

func send(m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
}

func receive() (*message, error) {
	line, err := in.ReadBytes('\n')
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("bad message from regsim: %w", err)
	}
	return &m, nil
}

// settled is how operation n really went, as regsim said: a row (nil: none) or a fault.
type settled struct {
	value *string
	fault *string
}

var (
	errAgain   = errors.New("regsim corrected an operation")
	errAborted = errors.New("apply aborted by regsim")
)

// attempt is one pass of an entry over the stores built from what regsim sent.
// Operations are numbered over the whole apply; those below `reported` were
// reported already (a pass after a correction replays them silently).
type attempt struct {
	rows     map[string]*string
	settled  map[int]settled
	reported int
	n        int
	ops      []op
	ahead    bool  // a request ahead: it cannot make a call
	unsent   bool  // a request ahead read a row that was not sent: unanswered
	again    bool  // a correction arrived during a call: run the entry again
	aborted  bool  // regsim aborted the apply
	broken   error // the pipe failed: exit
}

func (a *attempt) stop() bool { return a.again || a.aborted || a.unsent || a.broken != nil }

func (a *attempt) GetRegistryRow(key []byte) ([]byte, bool, error) {
	if a.stop() {
		return nil, false, errAborted
	}
	k := hex.EncodeToString(key)
	n := a.n
	a.n++
	s, done := a.settled[n]
	if done && s.fault != nil {
		return nil, false, errors.New(*s.fault)
	}
	var v *string
	switch {
	case done:
		v = s.value
	default:
		sent, ok := a.rows[k]
		if !ok && a.ahead {
			a.unsent = true
			return nil, false, errAborted
		}
		if !ok {
			return a.call(n, k)
		}
		v = sent
		if n >= a.reported {
			a.ops = append(a.ops, op{Op: "get", Key: k, Value: v})
		}
	}
	return decoded(v, a)
}

// call asks regsim for a row it did not send, reporting the operations before it.
func (a *attempt) call(n int, k string) ([]byte, bool, error) {
	if n < a.reported {
		a.broken = fmt.Errorf("operation %d was reported, but its row %s is unknown on a second pass", n, k)
		return nil, false, a.broken
	}
	ops := a.ops
	a.ops = nil
	if a.broken = send(map[string]any{"type": "get", "key": k, "ops": nonNil(ops)}); a.broken != nil {
		return nil, false, a.broken
	}
	a.reported = n
	reply, err := receive()
	if err != nil {
		a.broken = err
		return nil, false, err
	}
	switch reply.Type {
	case "value":
		a.settled[n] = settled{value: reply.Value}
		a.reported = n + 1
		return decoded(reply.Value, a)
	case "fault":
		msg := reply.Message
		a.settled[n] = settled{fault: &msg}
		a.reported = n + 1
		return nil, false, errors.New(msg)
	case "abort":
		a.aborted = true
		return nil, false, errAborted
	case "correct":
		if a.broken = a.correct(reply); a.broken == nil {
			a.again = true
		}
		return nil, false, errAgain
	}
	a.broken = fmt.Errorf("expected \"value\", \"fault\", \"abort\" or \"correct\", got %q", reply.Type)
	return nil, false, a.broken
}

func decoded(v *string, a *attempt) ([]byte, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	b, err := hex.DecodeString(*v)
	if err != nil {
		a.broken = fmt.Errorf("bad row from regsim: %w", err)
		return nil, false, a.broken
	}
	return b, true, nil
}

func (a *attempt) SetRegistryRow(key, value []byte) error {
	if a.stop() {
		return errAborted
	}
	k, v := hex.EncodeToString(key), hex.EncodeToString(value)
	n := a.n
	a.n++
	if s, done := a.settled[n]; done && s.fault != nil {
		return errors.New(*s.fault)
	}
	a.rows[k] = &v
	if n >= a.reported {
		a.ops = append(a.ops, op{Op: "set", Key: k, Value: &v})
	}
	return nil
}

// correct records regsim's correction of an operation already reported.
func (a *attempt) correct(m *message) error {
	if m.Op == nil || *m.Op < 0 || *m.Op >= a.n {
		return fmt.Errorf("a correction of an operation that was not reported")
	}
	a.settled[*m.Op] = settled{value: m.Value, fault: m.Fault}
	a.reported = *m.Op + 1
	return nil
}

func nonNil(ops []op) []op {
	if ops == nil {
		return []op{}
	}
	return ops
}

func resultOf(entry []byte, err error) result {
	var h *registry.Halt
	switch {
	case err == nil:
		return result{Kind: "applied"}
	case errors.Is(err, registry.ErrOrdinary):
		opcode := int(entry[0])
		return result{Kind: "kv", Opcode: &opcode}
	case errors.As(err, &h):
		return result{Kind: "halt", Reason: h.Reason, Message: h.Msg}
	}
	panic(fmt.Sprintf("unmapped applier error: %v", err)) // a shim bug: regsim reports the crash
}

// entryOf is the entry of an apply message or a request ahead, for a Stage 6A applier.
func entryOf(m *message) ([]byte, error) {
	entry, err := hex.DecodeString(m.Entry)
	if err != nil {
		return nil, fmt.Errorf("bad entry from regsim: %w", err)
	}
	if m.Env != nil && m.Env.Applier != nil && !*m.Env.Applier {
		return nil, errors.New("a Stage 6A applier cannot be built without an applier (env.applier false)")
	}
	return entry, nil
}

// run is one pass of the entry over stores holding the rows m sent.
func (a *attempt) run(m *message, entry []byte, opts registry.Options) (result, error) {
	a.rows = make(map[string]*string, len(m.Rows))
	for k, v := range m.Rows {
		a.rows[k] = v
	}
	applier, err := registry.New(a, opts)
	if err != nil {
		return result{}, err
	}
	return resultOf(entry, applier.ApplyEntry(entry)), nil
}

// apply serves one apply message, corrections included; it returns the message after it.
func apply(m *message, opts registry.Options) (*message, error) {
	entry, err := entryOf(m)
	if err != nil {
		return nil, err
	}
	done := map[int]settled{}
	reported := 0
	for {
		a := &attempt{settled: done, reported: reported}
		r, err := a.run(m, entry, opts)
		if err != nil {
			return nil, err
		}
		switch {
		case a.broken != nil:
			return nil, a.broken
		case a.again:
			reported = a.reported
			continue
		case a.aborted:
			if err := send(map[string]any{"type": "aborted"}); err != nil {
				return nil, err
			}
			return receive()
		}
		if err := send(resultMessage{Type: "result", result: r, Ops: nonNil(a.ops)}); err != nil {
			return nil, err
		}
		next, err := receive()
		if err != nil || next.Type != "correct" {
			return next, err
		}
		if err := a.correct(next); err != nil {
			return nil, err
		}
		reported = a.reported
	}
}

// answerAhead answers each request of an ahead message as an apply of it would be, or "unanswered" if it needs a call.
func answerAhead(m *message, opts registry.Options) error {
	answers := []any{}
	for i := range m.Requests {
		r := &m.Requests[i]
		entry, err := entryOf(r)
		if err != nil {
			return err
		}
		a := &attempt{settled: map[int]settled{}, ahead: true}
		res, err := a.run(r, entry, opts)
		if err != nil {
			return err
		}
		switch {
		case a.broken != nil:
			return a.broken
		case a.unsent:
			answers = append(answers, map[string]string{"kind": "unanswered"})
		default:
			answers = append(answers, resultMessage{result: res, Ops: nonNil(a.ops)})
		}
	}
	return send(map[string]any{"type": "answers", "answers": answers})
}

// batch answers a result per ordinary entry, stopping at the first that is not.
func batch(m *message) error {
	results := []result{}
	for _, e := range m.Entries {
		entry, err := hex.DecodeString(e.Entry)
		if err != nil {
			return fmt.Errorf("bad entry from regsim: %w", err)
		}
		if !registry.Ordinary(entry) {
			break
		}
		opcode := int(entry[0])
		results = append(results, result{Kind: "kv", Opcode: &opcode})
	}
	return send(map[string]any{"type": "results", "results": results})
}

func serve(variant string, opts registry.Options) error {
	hello, err := receive()
	if err == io.EOF {
		return nil
	} else if err != nil {
		return err
	}
	v2 := false
	for _, v := range hello.Versions {
		v2 = v2 || v == 2
	}
	if hello.Type != "hello" || !v2 {
		return fmt.Errorf("this applier speaks protocol 2 only; regsim offered %v", hello.Versions)
	}
	if err := send(map[string]any{"type": "hello", "protocol": 2, "name": "regsim go example (variant " + variant + ")", "applier": "stage-6a", "ahead": true}); err != nil {
		return err
	}
	m, err := receive()
	for err == nil {
		switch m.Type {
		case "apply":
			m, err = apply(m, opts)
		case "batch":
			if err = batch(m); err == nil {
				m, err = receive()
			}
		case "ahead":
			if err = answerAhead(m, opts); err == nil {
				m, err = receive()
			}
		default:
			err = fmt.Errorf("expected \"apply\", \"batch\" or \"ahead\", got %q", m.Type)
		}
	}
	if err == io.EOF {
		return nil // regsim is done
	}
	return err
}

func main() {
	variant := flag.String("variant", "correct", "correct, or lte-rollback (the historic \"<=\" bug)")
	flag.Parse()
	opts := registry.Options{}
	switch *variant {
	case "correct":
	case "lte-rollback":
		opts.EqualEpochIsRollback = true
	default:
		fmt.Fprintf(os.Stderr, "regsim-go-applier: unknown variant %q (known: correct, lte-rollback)\n", *variant)
		os.Exit(2)
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "regsim-go-applier: unexpected argument %q (usage: [-variant NAME])\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := serve(*variant, opts); err != nil {
		_ = send(map[string]any{"type": "error", "message": err.Error()})
		fmt.Fprintln(os.Stderr, "regsim-go-applier:", err)
		os.Exit(1)
	}
}
