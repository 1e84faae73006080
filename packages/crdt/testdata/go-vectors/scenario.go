package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ipfs-cluster/ipfs-cluster/api"
	dshelp "github.com/ipfs/boxo/datastore/dshelp"
	cid "github.com/ipfs/go-cid"
	ds "github.com/ipfs/go-datastore"
	pb "github.com/ipfs/go-ds-crdt/pb"
	"google.golang.org/protobuf/proto"
)

type opOut struct {
	Op       string `json:"op"` // put | delete
	Key      string `json:"key"`
	ValueHex string `json:"valueHex,omitempty"`
}

type eventOut struct {
	Replica string `json:"replica"`
	// put | delete (one operation, one delta) | batch (ops in one delta) | deliver
	Kind string  `json:"kind"`
	Ops  []opOut `json:"ops,omitempty"`
	// deliver: the payload handed to the replica (one of another replica's broadcasts)
	PayloadHex string `json:"payloadHex,omitempty"`
	// put/delete/batch: what the replica broadcast (absent when it published nothing)
	BroadcastHex string      `json:"broadcastHex,omitempty"`
	BlockCid     string      `json:"blockCid,omitempty"`
	Heads        []headOut   `json:"heads"`
	Hooks        []hookEvent `json:"hooks"`
}

type replicaOut struct {
	// Dot is what go-ds-crdt's DotDAG writes (ipfs-cluster-service state crdt dot).
	Dot   string    `json:"dot"`
	Heads []headOut `json:"heads"`
	State []kvOut   `json:"state"`
	Store []kvOut   `json:"store"`
}

type blockOut struct {
	Cid      string `json:"cid"`
	BytesHex string `json:"bytesHex"`
}

type scenarioOut struct {
	Keys       map[string]string     `json:"keys"` // label -> state key
	Events     []eventOut            `json:"events"`
	Blocks     []blockOut            `json:"blocks"`
	Replicas   map[string]replicaOut `json:"replicas"`
	Broadcasts []broadcastVector     `json:"broadcasts"`
}

type broadcastVector struct {
	Heads []string `json:"heads"`
	Hex   string   `json:"hex"`
}

type script struct {
	net    *network
	out    scenarioOut
	values map[string][]byte
}

// pin returns the state key and Pin protobuf of a labelled test pin.
func (s *script) pin(label, name string) (string, []byte) {
	c := api.NewCid(testCid(label, 1, cid.DagProtobuf))
	if label == "p1" || label == "p6" {
		c = api.NewCid(testCid(label, 0, cid.DagProtobuf)) // CIDv0 pins too
	}
	p := api.PinWithOpts(c, api.PinOptions{ReplicationFactorMin: -1, ReplicationFactorMax: -1, Name: name})
	p.Timestamp = time.Unix(1700000000, 0)
	b, err := p.ProtoMarshal()
	must(err)
	key := dshelp.NewKeyFromBinary(c.Bytes()).String()
	s.out.Keys[label] = key
	return key, b
}

func (s *script) record(r *replica, kind string, ops []opOut, sentBefore int, payload []byte) {
	ev := eventOut{Replica: r.name, Kind: kind, Ops: ops}
	if payload != nil {
		ev.PayloadHex = hex.EncodeToString(payload)
	}
	if len(r.sent) > sentBefore {
		if len(r.sent) != sentBefore+1 {
			panic("more than one broadcast for one step")
		}
		last := r.sent[len(r.sent)-1]
		ev.BroadcastHex = hex.EncodeToString(last)
		heads := decodeBroadcast(last)
		ev.BlockCid = heads[0].String()
	}
	ev.Heads = r.heads()
	ev.Hooks = r.takeHooks()
	s.out.Events = append(s.out.Events, ev)
}

func decodeBroadcast(b []byte) []cid.Cid {
	var m pb.CRDTBroadcast
	must(proto.Unmarshal(b, &m))
	out := []cid.Cid{}
	for _, h := range m.Heads {
		c, err := cid.Cast(h.Cid)
		must(err)
		out = append(out, c)
	}
	return out
}

func (s *script) put(r *replica, label, name string) {
	key, value := s.pin(label, name)
	before := len(r.sent)
	must(r.crdt.Put(context.Background(), ds.NewKey(key), value))
	s.record(r, "put", []opOut{{Op: "put", Key: key, ValueHex: hex.EncodeToString(value)}}, before, nil)
}

func (s *script) del(r *replica, label string) {
	key, _ := s.pin(label, "")
	before := len(r.sent)
	must(r.crdt.Delete(context.Background(), ds.NewKey(key)))
	s.record(r, "delete", []opOut{{Op: "delete", Key: key}}, before, nil)
}

// batch runs ops ("put"/"delete", label, name) in one go-ds-crdt batch and commits it.
func (s *script) batch(r *replica, ops [][3]string) {
	ctx := context.Background()
	b, err := r.crdt.Batch(ctx)
	must(err)
	before := len(r.sent)
	recorded := []opOut{}
	for _, op := range ops {
		key, value := s.pin(op[1], op[2])
		if op[0] == "put" {
			must(b.Put(ctx, ds.NewKey(key), value))
			recorded = append(recorded, opOut{Op: "put", Key: key, ValueHex: hex.EncodeToString(value)})
		} else {
			must(b.Delete(ctx, ds.NewKey(key)))
			recorded = append(recorded, opOut{Op: "delete", Key: key})
		}
	}
	must(b.Commit(ctx))
	s.record(r, "batch", recorded, before, nil)
}

// deliver hands `to` the last broadcast of `from`.
func (s *script) deliver(from, to *replica) {
	payload := from.sent[len(from.sent)-1]
	to.deliver(payload)
	s.record(to, "deliver", nil, len(to.sent), payload)
}

func runScenario() scenarioOut {
	s := &script{net: newNetwork(), out: scenarioOut{Keys: map[string]string{}, Replicas: map[string]replicaOut{}}}
	a := s.net.newReplica("A")
	b := s.net.newReplica("B")
	c := s.net.newReplica("C")

	// A alone: a chain of puts, a delete, a delete of an unknown key (publishes nothing), a
	// batch with two puts of one key (the last one wins) and a batch that cancels itself (Go
	// still publishes an empty delta).
	s.put(a, "p1", "one")
	s.put(a, "p2", "two")
	s.put(a, "p3", "three")
	s.del(a, "p2")
	s.del(a, "p9")
	s.batch(a, [][3]string{{"put", "p4", "four-a"}, {"put", "p5", "five"}, {"delete", "p1", ""}, {"put", "p4", "four-b"}})
	s.batch(a, [][3]string{{"put", "p8", "eight"}, {"delete", "p8", ""}})

	// B starts empty and catches up from A's last head.
	s.deliver(a, b)

	// Partition: concurrent writes at equal priorities.
	s.put(a, "p6", "six-from-A") // tie with B's write below: greater value bytes win
	s.put(b, "p6", "six-from-B")
	s.del(a, "p3")                 // A removes p3 ...
	s.put(b, "p3", "three-again")  // ... while B re-adds it: add wins
	s.del(b, "p5")                 // B removes p5 ...
	s.put(a, "p5", "five-updated") // ... while A updates it: A's new element survives

	// Heal: each side gets the other's last head; both then have two heads.
	s.deliver(a, b)
	s.deliver(b, a)
	// A's next write links both heads.
	s.put(a, "p7", "seven")
	s.deliver(a, b)

	// C starts empty and walks the whole DAG from A's head, then writes on top of it.
	s.deliver(a, c)
	s.del(c, "p4")
	s.deliver(c, a)
	s.deliver(c, b)
	// Re-add after a delete, and an update (higher priority wins over the older value).
	s.put(b, "p4", "four-again")
	s.put(b, "p6", "six-updated")
	s.deliver(b, a)
	s.deliver(b, c)

	for _, r := range []*replica{a, b, c} {
		var dot bytes.Buffer
		must(r.crdt.DotDAG(context.Background(), &dot))
		s.out.Replicas[r.name] = replicaOut{Dot: dot.String(), Heads: r.heads(), State: r.state(), Store: r.dump()}
	}
	s.out.Blocks = s.blocks()
	for _, r := range []*replica{b, c} {
		if fmt.Sprint(s.out.Replicas[r.name].State) != fmt.Sprint(s.out.Replicas["A"].State) {
			panic("replicas did not converge")
		}
	}

	heads := a.crdt.InternalStats(context.Background()).Heads
	multi := []cid.Cid{heads[0], cid.MustParse(s.out.Events[0].BlockCid), cid.MustParse(s.out.Events[1].BlockCid)}
	s.out.Broadcasts = append(s.out.Broadcasts, broadcastVectorOf(nil), broadcastVectorOf(multi))

	for _, r := range []*replica{a, b, c} {
		must(r.crdt.Close())
	}
	return s.out
}

func broadcastVectorOf(heads []cid.Cid) broadcastVector {
	m := pb.CRDTBroadcast{}
	v := broadcastVector{Heads: []string{}}
	for _, h := range heads {
		m.Heads = append(m.Heads, &pb.Head{Cid: h.Bytes()})
		v.Heads = append(v.Heads, h.String())
	}
	b, err := proto.Marshal(&m)
	must(err)
	v.Hex = hex.EncodeToString(b)
	return v
}

func (s *script) blocks() []blockOut {
	ctx := context.Background()
	seen := map[string]bool{}
	out := []blockOut{}
	for _, ev := range s.out.Events {
		if ev.BlockCid == "" || seen[ev.BlockCid] {
			continue
		}
		seen[ev.BlockCid] = true
		nd, err := s.net.dag.Get(ctx, cid.MustParse(ev.BlockCid))
		must(err)
		out = append(out, blockOut{Cid: ev.BlockCid, BytesHex: hex.EncodeToString(nd.RawData())})
	}
	return out
}
