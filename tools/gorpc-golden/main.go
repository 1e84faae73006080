// Command gorpc-golden prints, as JSON, the bytes Go IPFS Cluster v1.1.6 puts on its RPC wire
// (ugorji msgpack, go-libp2p-gorpc headers) for fixed values. The TypeScript codec's tests
// (packages/gorpc/test/golden.spec.ts) compare their own encoding with these bytes and decode
// them. Regenerate with: go run . > ../../packages/gorpc/testdata/golden.json
package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"time"

	"github.com/ipfs-cluster/ipfs-cluster/api"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/ugorji/go/codec"
)

type serviceID struct {
	Name   string
	Method string
}

type response struct {
	Service serviceID `codec:",omitempty"`
	Error   string    `codec:",omitempty"`
	ErrType int       `codec:",omitempty"`
}

// enc is what a Go peer sends. Note that ugorji's omitempty compares a field's memory with zero:
// an empty string whose data pointer is not nil (or a zero time carrying a location) is written
// anyway. Go decodes both forms; the values below leave empty fields out, as Go normally sends them.
func enc(v interface{}) string {
	var out []byte
	if err := codec.NewEncoderBytes(&out, &codec.MsgpackHandle{}).Encode(v); err != nil {
		panic(err)
	}
	return hex.EncodeToString(out)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func main() {
	p1 := must(peer.Decode("12D3KooWHyyKjcCRiJXbHZptG3tNSHiqXA5HBKEaq7FLJxBegLdj"))
	p2 := must(peer.Decode("12D3KooWCdD25RJdii3VRFkseAYwPMJJQzjvhEZPjbVHTHwmbw5a"))
	ipfs := must(peer.Decode("QmPGDFvBkgWhvzEK9qaTWrWurSwqXNmhnK3hgELPdZZNPa"))
	c1 := must(api.DecodeCid("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"))
	c0 := must(api.DecodeCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"))
	ma1 := must(api.NewMultiaddr("/ip4/127.0.0.1/tcp/9096/p2p/12D3KooWHyyKjcCRiJXbHZptG3tNSHiqXA5HBKEaq7FLJxBegLdj"))
	ma2 := must(api.NewMultiaddr("/ip6/::1/udp/4001/quic-v1"))
	ma3 := must(api.NewMultiaddr("/dns4/example.com/tcp/4001"))
	created := time.Date(2026, 12, 5, 2, 43, 18, 0, time.UTC)
	seen := time.Date(2026, 12, 5, 2, 43, 18, 123456789, time.FixedZone("", 3600))

	full := api.PinInfo{
		Cid:         c1,
		Name:        "a name with ünïcode and more than thirty-one bytes",
		Peer:        p1,
		Allocations: []peer.ID{p1, p2},
		Origins:     []api.Multiaddr{ma3},
		Created:     created,
		Metadata:    map[string]string{"zz": "last"}, // one key: Go writes maps in random order
		PinInfoShort: api.PinInfoShort{
			PeerName:      "peer0",
			IPFS:          ipfs,
			IPFSAddresses: []api.Multiaddr{ma2},
			Status:        api.TrackerStatusPinError,
			TS:            seen,
			Error:         "pin: context deadline exceeded",
			AttemptCount:  3,
			PriorityPin:   true,
		},
	}
	minimal := api.PinInfo{
		Cid:  c0,
		Peer: p2,
		PinInfoShort: api.PinInfoShort{
			Status: api.TrackerStatusRemote,
			TS:     created,
		},
	}
	id := api.ID{
		ID:                    p1,
		Addresses:             []api.Multiaddr{ma1},
		ClusterPeers:          []peer.ID{p1, p2},
		ClusterPeersAddresses: []api.Multiaddr{ma3},
		Version:               "1.1.6",
		RPCProtocolVersion:    "/ipfscluster/1.0/rpc",
		IPFS:                  api.IPFSID{ID: ipfs, Addresses: []api.Multiaddr{ma2}},
		Peername:              "peer0",
	}
	idNoIPFS := api.ID{ID: p2, Peername: "go-a", Error: "ipfs down"}

	out := map[string]string{
		"pinInfoFull":       enc(full),
		"pinInfoMinimal":    enc(minimal),
		"id":                enc(id),
		"idNoIpfs":          enc(idNoIPFS),
		"cid":               enc(c1),
		"statusFilter":      enc(api.TrackerStatusPinned | api.TrackerStatusPinError),
		"peerIds":           enc([]peer.ID{p1, p2}),
		"empty":             enc(struct{}{}),
		"version":           enc(api.Version{Version: "1.1.6"}),
		"repoStat":          enc(api.IPFSRepoStat{RepoSize: 1 << 40, StorageMax: 10_000_000_000}),
		"repoGc":            enc(api.RepoGC{Peer: p1, Peername: "peer0", Keys: []api.IPFSRepoGC{{Key: c1}, {Error: "bad"}}}),
		"timeBefore1970":    enc(time.Date(1969, 7, 20, 20, 17, 40, 5, time.UTC)),
		"timeWholeSeconds":  enc(created),
		"timeNanos":         enc(seen),
		"serviceId":         enc(serviceID{Name: "PinTracker", Method: "StatusAll"}),
		"responseOk":        enc(response{Service: serviceID{Name: "Cluster", Method: "IDStream"}}),
		"responseAuthError": enc(response{Service: serviceID{Name: "PinTracker", Method: "Status"}, Error: "client does not have permissions to call PinTracker.Status", ErrType: 3}),
	}
	e := json.NewEncoder(os.Stdout)
	e.SetIndent("", "  ")
	if err := e.Encode(out); err != nil {
		panic(err)
	}
}
