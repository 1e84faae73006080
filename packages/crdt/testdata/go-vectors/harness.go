package main

// Replicas of go-ds-crdt wired to one in-memory block store and to a hand-driven broadcaster, so
// that every broadcast is delivered exactly when the script says and processed before the next
// step runs.

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	offline "github.com/ipfs/boxo/exchange/offline"
	"github.com/ipfs/boxo/ipld/merkledag"
	cid "github.com/ipfs/go-cid"
	ds "github.com/ipfs/go-datastore"
	"github.com/ipfs/go-datastore/query"
	dssync "github.com/ipfs/go-datastore/sync"
	crdt "github.com/ipfs/go-ds-crdt"
	ipld "github.com/ipfs/go-ipld-format"
)

// handBroadcaster hands one payload at a time to go-ds-crdt's receive loop. That loop handles a
// payload completely (the whole DAG walk) before it asks for the next one, so a second call of
// Next after a delivery means the delivery has been processed.
type handBroadcaster struct {
	replica *replica
	inbox   chan []byte
	asking  chan struct{}
}

func (b *handBroadcaster) Broadcast(_ context.Context, data []byte) error {
	b.replica.sent = append(b.replica.sent, append([]byte(nil), data...))
	return nil
}

func (b *handBroadcaster) Next(ctx context.Context) ([]byte, error) {
	select {
	case b.asking <- struct{}{}:
	case <-ctx.Done():
		return nil, crdt.ErrNoMoreBroadcast
	}
	select {
	case data := <-b.inbox:
		return data, nil
	case <-ctx.Done():
		return nil, crdt.ErrNoMoreBroadcast
	}
}

type hookEvent struct {
	Hook     string `json:"hook"`
	Key      string `json:"key"`
	ValueHex string `json:"valueHex,omitempty"`
}

type replica struct {
	name  string
	store ds.Batching
	crdt  *crdt.Datastore
	bcast *handBroadcaster
	sent  [][]byte

	hooksMu sync.Mutex
	hooks   []hookEvent
}

type network struct {
	dag      ipld.DAGService
	replicas map[string]*replica
}

func newNetwork() *network {
	bs := blockstore.NewBlockstore(dssync.MutexWrap(ds.NewMapDatastore()))
	return &network{
		dag:      merkledag.NewDAGService(blockservice.New(bs, offline.Exchange(bs))),
		replicas: map[string]*replica{},
	}
}

func (n *network) newReplica(name string, tune ...func(*crdt.Options)) *replica {
	r := &replica{name: name, store: dssync.MutexWrap(ds.NewMapDatastore())}
	r.bcast = &handBroadcaster{replica: r, inbox: make(chan []byte), asking: make(chan struct{})}
	opts := crdt.DefaultOptions()
	opts.RebroadcastInterval = time.Hour // rebroadcasts would add unscripted messages
	opts.RepairInterval = 0
	// One merge at a time. With Go IPFS Cluster's 50 workers, a tombstone merge (putTombs) can
	// race an element merge of the same key in another block (only putElems holds the set's
	// lock), and a catching-up replica then ends without a value that its peers keep: seen in
	// this very scenario (p5 missing on C). The vectors must be the set's intended result.
	opts.NumWorkers = 1
	opts.PutHook = func(k ds.Key, v []byte) {
		r.hooksMu.Lock()
		r.hooks = append(r.hooks, hookEvent{Hook: "put", Key: k.String(), ValueHex: hex.EncodeToString(v)})
		r.hooksMu.Unlock()
	}
	opts.DeleteHook = func(k ds.Key) {
		r.hooksMu.Lock()
		r.hooks = append(r.hooks, hookEvent{Hook: "delete", Key: k.String()})
		r.hooksMu.Unlock()
	}
	for _, t := range tune {
		t(opts)
	}
	d, err := crdt.New(r.store, ds.NewKey("/c"), n.dag, r.bcast, opts)
	must(err)
	r.crdt = d
	<-r.bcast.asking // the receive loop is running
	n.replicas[name] = r
	return r
}

// deliver hands a payload to the replica and returns once it has been fully processed.
func (r *replica) deliver(data []byte) {
	r.bcast.inbox <- data
	select {
	case <-r.bcast.asking:
	case <-time.After(30 * time.Second):
		panic(fmt.Sprintf("replica %s did not process a broadcast", r.name))
	}
}

func (r *replica) takeHooks() []hookEvent {
	r.hooksMu.Lock()
	defer r.hooksMu.Unlock()
	out := r.hooks
	r.hooks = nil
	if out == nil {
		out = []hookEvent{}
	}
	// Walk workers run in parallel: order within one step is not defined.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		if out[i].Hook != out[j].Hook {
			return out[i].Hook < out[j].Hook
		}
		return out[i].ValueHex < out[j].ValueHex
	})
	return out
}

type headOut struct {
	Cid    string `json:"cid"`
	Height uint64 `json:"height"`
}

type kvOut struct {
	Key      string `json:"key"`
	ValueHex string `json:"valueHex"`
}

func (r *replica) heads() []headOut {
	st := r.crdt.InternalStats(context.Background())
	out := []headOut{}
	for _, h := range st.Heads {
		// heights are read back from the store's head keys
		out = append(out, headOut{Cid: h.String(), Height: r.headHeight(h)})
	}
	return out
}

func (r *replica) headHeight(h cid.Cid) uint64 {
	for _, kv := range r.dump() {
		if kv.Key == "/c/h"+dsKeyOfCid(h) {
			b, _ := hex.DecodeString(kv.ValueHex)
			v, _ := uvarint(b)
			return v
		}
	}
	panic("head without a stored height")
}

// state lists the set's current key/values as go-ds-crdt's Query gives them.
func (r *replica) state() []kvOut {
	res, err := r.crdt.Query(context.Background(), query.Query{})
	must(err)
	entries, err := res.Rest()
	must(err)
	out := []kvOut{}
	for _, e := range entries {
		out = append(out, kvOut{Key: e.Key, ValueHex: hex.EncodeToString(e.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// dump lists every key the replica wrote to its datastore (Go's on-disk layout).
func (r *replica) dump() []kvOut {
	res, err := r.store.Query(context.Background(), query.Query{})
	must(err)
	entries, err := res.Rest()
	must(err)
	out := []kvOut{}
	for _, e := range entries {
		out = append(out, kvOut{Key: e.Key, ValueHex: hex.EncodeToString(e.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if c < 0x80 {
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}
