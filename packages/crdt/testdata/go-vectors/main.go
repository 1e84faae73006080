// Command go-vectors runs scripted operations on go-ds-crdt v0.6.8 replicas (as Go IPFS Cluster
// v1.1.6 uses them) and writes what they produce — pin values, blocks, broadcasts, heads, state,
// hooks and the raw datastore — to JSON files that the TypeScript tests compare against.
//
//	go run . ../go
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ipfs-cluster/ipfs-cluster/api"
	dshelp "github.com/ipfs/boxo/datastore/dshelp"
	cid "github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	mh "github.com/multiformats/go-multihash"
)

func dsKeyOfCid(c cid.Cid) string { return dshelp.MultihashToDsKey(c.Hash()).String() }

// testCid makes a deterministic CID: version 0 or 1 and codec as asked, digest sha2-256(label).
func testCid(label string, version uint64, codec uint64) cid.Cid {
	sum := sha256.Sum256([]byte(label))
	h, err := mh.Encode(sum[:], mh.SHA2_256)
	must(err)
	if version == 0 {
		return cid.NewCidV0(h)
	}
	return cid.NewCidV1(codec, h)
}

func testPeer(seed byte) peer.ID {
	priv, _, err := crypto.GenerateEd25519Key(bytes.NewReader(bytes.Repeat([]byte{seed}, 32)))
	must(err)
	id, err := peer.IDFromPrivateKey(priv)
	must(err)
	return id
}

func writeJSON(dir, name string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	must(err)
	must(os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644))
	fmt.Println("wrote", filepath.Join(dir, name))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-vectors <output dir>")
		os.Exit(2)
	}
	time.Local = time.UTC // Pin JSON carries times in the local zone
	out := os.Args[1]
	must(os.MkdirAll(out, 0o755))
	writeJSON(out, "pins.json", pinVectors())
	writeJSON(out, "scenario.json", runScenario())
	writeJSON(out, "batch-limit.json", runBatchLimit())
}

type pinVector struct {
	Name     string          `json:"name"`
	Key      string          `json:"key"`
	Pin      json.RawMessage `json:"pin"`
	ProtoHex string          `json:"protoHex"`
}

func pinVector1(name string, p api.Pin) pinVector {
	j, err := json.Marshal(p)
	must(err)
	b, err := p.ProtoMarshal()
	must(err)
	return pinVector{Name: name, Key: dshelp.NewKeyFromBinary(p.Cid.Bytes()).String(), Pin: j, ProtoHex: hex.EncodeToString(b)}
}

func pinVectors() []pinVector {
	ts := time.Unix(1700000000, 0)
	v0 := api.NewCid(testCid("data-0", 0, cid.DagProtobuf))
	v1 := api.NewCid(testCid("data-1", 1, cid.DagProtobuf))
	raw := api.NewCid(testCid("data-2", 1, cid.Raw))
	meta := api.NewCid(testCid("meta", 1, cid.DagProtobuf))
	shard := api.NewCid(testCid("shard", 1, cid.DagCBOR))
	origin, err := api.NewMultiaddr("/ip4/192.168.1.10/tcp/4001/p2p/" + testPeer(9).String())
	must(err)
	dns, err := api.NewMultiaddr("/dns4/example.org/tcp/4001")
	must(err)

	minimal := api.PinCid(v0)
	minimal.Timestamp = time.Time{}

	everywhere := api.PinWithOpts(v0, api.PinOptions{ReplicationFactorMin: -1, ReplicationFactorMax: -1, Name: "everywhere"})
	everywhere.Timestamp = ts

	full := api.PinWithOpts(v1, api.PinOptions{
		ReplicationFactorMin: 2, ReplicationFactorMax: 3, Name: "full ✓ options",
		Mode:      api.PinModeDirect,
		ExpireAt:  time.Unix(1800000000, 0),
		Metadata:  map[string]string{"z": "last", "a": "first", "m": ""},
		PinUpdate: v0,
		Origins:   []api.Multiaddr{origin, dns},
	})
	full.Allocations = []peer.ID{testPeer(1), testPeer(2)}
	full.Timestamp = ts.Add(1500 * time.Millisecond) // sub-second part is dropped

	metaPin := api.PinWithOpts(meta, api.PinOptions{ReplicationFactorMin: 1, ReplicationFactorMax: 1, Name: "sharded", ShardSize: 1 << 20})
	metaPin.Type = api.MetaType
	metaPin.MaxDepth = 0
	metaPin.Reference = &raw
	metaPin.Timestamp = ts

	shardPin := api.PinWithOpts(shard, api.PinOptions{ReplicationFactorMin: 1, ReplicationFactorMax: 1, ShardSize: 1 << 20})
	shardPin.Type = api.ShardType
	shardPin.MaxDepth = 1
	shardPin.Allocations = []peer.ID{testPeer(3)}
	shardPin.Timestamp = ts

	clusterDag := api.PinWithOpts(raw, api.PinOptions{ReplicationFactorMin: 1, ReplicationFactorMax: 1})
	clusterDag.Type = api.ClusterDAGType
	clusterDag.MaxDepth = 0
	clusterDag.Reference = &meta
	clusterDag.Timestamp = ts

	return []pinVector{
		pinVector1("minimal", minimal),
		pinVector1("everywhere", everywhere),
		pinVector1("full", full),
		pinVector1("meta", metaPin),
		pinVector1("shard", shardPin),
		pinVector1("clusterdag", clusterDag),
	}
}
