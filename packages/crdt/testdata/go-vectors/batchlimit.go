package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	ds "github.com/ipfs/go-datastore"
	crdt "github.com/ipfs/go-ds-crdt"
)

// A batch that outgrows MaxBatchDeltaSize commits on its own in the middle (what `state import`
// relies on, at 1 MiB): the vectors pin down exactly which operation triggers each commit.
type batchLimitOut struct {
	MaxBatchDeltaSize int        `json:"maxBatchDeltaSize"`
	Ops               []opOut    `json:"ops"`
	Broadcasts        []string   `json:"broadcasts"` // hex, in order
	Blocks            []blockOut `json:"blocks"`
	Heads             []headOut  `json:"heads"`
	State             []kvOut    `json:"state"`
}

func runBatchLimit() batchLimitOut {
	const limit = 1500
	s := &script{net: newNetwork(), out: scenarioOut{Keys: map[string]string{}}}
	r := s.net.newReplica("D", func(o *crdt.Options) { o.MaxBatchDeltaSize = limit })
	ctx := context.Background()
	out := batchLimitOut{MaxBatchDeltaSize: limit}

	// Something stored first, so that the batch's deletes have elements to tombstone.
	for i := 0; i < 3; i++ {
		key, value := s.pin(fmt.Sprintf("stored-%d", i), "stored")
		must(r.crdt.Put(ctx, ds.NewKey(key), value))
		out.Ops = append(out.Ops, opOut{Op: "put", Key: key, ValueHex: hex.EncodeToString(value)})
	}
	out.Ops = append(out.Ops, opOut{Op: "begin"})
	b, err := r.crdt.Batch(ctx)
	must(err)
	for i := 0; i < 40; i++ {
		var op opOut
		if i%9 == 4 {
			key, _ := s.pin(fmt.Sprintf("stored-%d", (i/9)%3), "")
			must(b.Delete(ctx, ds.NewKey(key)))
			op = opOut{Op: "delete", Key: key}
		} else {
			key, value := s.pin(fmt.Sprintf("batched-%d", i), strings.Repeat("n", i*3))
			must(b.Put(ctx, ds.NewKey(key), value))
			op = opOut{Op: "put", Key: key, ValueHex: hex.EncodeToString(value)}
		}
		out.Ops = append(out.Ops, op)
	}
	must(b.Commit(ctx))
	out.Ops = append(out.Ops, opOut{Op: "commit"})

	for _, m := range r.sent {
		out.Broadcasts = append(out.Broadcasts, hex.EncodeToString(m))
		for _, h := range decodeBroadcast(m) {
			nd, err := s.net.dag.Get(ctx, h)
			must(err)
			out.Blocks = append(out.Blocks, blockOut{Cid: h.String(), BytesHex: hex.EncodeToString(nd.RawData())})
		}
	}
	out.Heads = r.heads()
	out.State = r.state()
	must(r.crdt.Close())
	return out
}
