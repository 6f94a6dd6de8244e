// Test-fixture generator (not shipped): asks op-node v1.19.6 for the attributes-side wire formats.
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"os"

	"github.com/ethereum-optimism/optimism/op-core/forks"
	optypes "github.com/ethereum-optimism/optimism/op-core/types"
	"github.com/ethereum-optimism/optimism/op-node/rollup"
	"github.com/ethereum-optimism/optimism/op-node/rollup/derive"
	"github.com/ethereum-optimism/optimism/op-service/eth"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

type info struct {
	eth.BlockInfo
	num, time uint64
	baseFee   *big.Int
	blobFee   *big.Int
	hash      common.Hash
}

func (i *info) Hash() common.Hash                         { return i.hash }
func (i *info) NumberU64() uint64                         { return i.num }
func (i *info) Time() uint64                              { return i.time }
func (i *info) BaseFee() *big.Int                         { return i.baseFee }
func (i *info) BlobBaseFee(_ *params.ChainConfig) *big.Int { return i.blobFee }
func (i *info) ExcessBlobGas() *uint64                    { return nil }

func u64p(v uint64) *uint64 { return &v }

func rb(r *rand.Rand, n int) []byte { b := make([]byte, n); r.Read(b); return b }
func rword(r *rand.Rand) common.Hash {
	var h common.Hash
	switch r.Intn(4) {
	case 0:
	case 1:
		binary.BigEndian.PutUint64(h[24:], r.Uint64())
	default:
		copy(h[:], rb(r, 32))
	}
	return h
}
func rbig(r *rand.Rand) *big.Int { w := rword(r); return new(big.Int).SetBytes(w[:]) }

type L1InfoCase struct {
	Regolith, Ecotone, Isthmus, Jovian *uint64
	L2Time                             uint64 `json:"l2_time"`
	Number, Time, Seq                  uint64
	BaseFee, BlobBaseFee               *hexutil.Big
	Hash                               common.Hash
	Batcher                            common.Address
	Overhead, Scalar, OperatorFee      common.Hash
	DaScalar                           uint16 `json:"da_scalar"`
	Deposit                            hexutil.Bytes
}

type DepositCase struct {
	Topics    []common.Hash
	Data      hexutil.Bytes
	BlockHash common.Hash `json:"block_hash"`
	LogIndex  uint        `json:"log_index"`
	Deposit   hexutil.Bytes // empty when op-node rejects
}

type SysCase struct {
	Ecotone *uint64
	L1Time  uint64 `json:"l1_time"`
	Topics  []common.Hash
	Data    hexutil.Bytes
	Ok      bool
	Before  eth.SystemConfig
	After   eth.SystemConfig
}

type Upgrade struct {
	Hashes []common.Hash // keccak256 of each EIP-2718 encoded transaction
	Lens   []int
	Gas    uint64
}

func summarize(txs []hexutil.Bytes, gas uint64) Upgrade {
	u := Upgrade{Gas: gas}
	for _, t := range txs {
		u.Hashes = append(u.Hashes, crypto.Keccak256Hash(t))
		u.Lens = append(u.Lens, len(t))
	}
	return u
}

type Out struct {
	Upgrades map[string]Upgrade
	L1Info   []L1InfoCase
	Deposits []DepositCase
	SysCfg   []SysCase
}

func main() {
	r := rand.New(rand.NewSource(13))
	out := Out{Upgrades: map[string]Upgrade{}}
	must := func(t []hexutil.Bytes, err error) []hexutil.Bytes {
		if err != nil {
			panic(err)
		}
		return t
	}
	out.Upgrades["ecotone"] = summarize(must(derive.EcotoneNetworkUpgradeTransactions()), 0)
	out.Upgrades["fjord"] = summarize(must(derive.FjordNetworkUpgradeTransactions()), 0)
	out.Upgrades["isthmus"] = summarize(must(derive.IsthmusNetworkUpgradeTransactions()), 0)
	out.Upgrades["jovian"] = summarize(must(derive.JovianNetworkUpgradeTransactions()), 0)
	ktx, kgas, err := derive.UpgradeTransactions(forks.Karst)
	if err != nil {
		panic(err)
	}
	out.Upgrades["karst"] = summarize(ktx, kgas)

	// L1-info deposits: every format, activation blocks included.
	for i := 0; i < 480; i++ {
		c := L1InfoCase{L2Time: 1_000_000 + uint64(r.Intn(1000))}
		if r.Intn(5) != 0 {
			c.Regolith = u64p(0)
		}
		mode := i % 8
		act := c.L2Time - uint64(r.Intn(2)) // activation block (l2 time or one second before)
		switch mode {
		case 0: // bedrock
		case 1: // ecotone activation block: bedrock format
			c.Ecotone = u64p(act)
		case 2:
			c.Ecotone = u64p(0)
		case 3: // isthmus activation: ecotone format
			c.Ecotone = u64p(0)
			c.Isthmus = u64p(act)
		case 4, 5:
			c.Ecotone = u64p(0)
			c.Isthmus = u64p(0)
		case 6: // jovian activation: isthmus format
			c.Ecotone, c.Isthmus, c.Jovian = u64p(0), u64p(0), u64p(act)
		case 7:
			c.Ecotone, c.Isthmus, c.Jovian = u64p(0), u64p(0), u64p(0)
		}
		if c.Regolith == nil && c.Ecotone != nil {
			c.Regolith = u64p(0)
		}
		c.Number, c.Time, c.Seq = r.Uint64()>>uint(r.Intn(64)), r.Uint64()>>uint(r.Intn(64)), r.Uint64()>>uint(r.Intn(64))
		bf, blob := rbig(r), rbig(r)
		var blobp *big.Int
		if r.Intn(6) != 0 {
			blobp = blob
		}
		c.BaseFee = (*hexutil.Big)(bf)
		copy(c.Hash[:], rb(r, 32))
		copy(c.Batcher[:], rb(r, 20))
		c.Overhead = rword(r)
		// a valid ecotone scalar: version 0 (base fee scalar only) or 1
		var sc common.Hash
		if c.Ecotone == nil || r.Intn(2) == 0 && mode == 1 {
			sc = rword(r)
		} else if r.Intn(2) == 0 {
			binary.BigEndian.PutUint32(sc[28:], r.Uint32())
		} else {
			sc[0] = 1
			binary.BigEndian.PutUint32(sc[24:], r.Uint32())
			binary.BigEndian.PutUint32(sc[28:], r.Uint32())
		}
		c.Scalar = sc
		var of common.Hash
		binary.BigEndian.PutUint32(of[20:], r.Uint32())
		binary.BigEndian.PutUint64(of[24:], r.Uint64())
		c.OperatorFee = of
		if r.Intn(3) != 0 {
			c.DaScalar = uint16(r.Intn(65536))
		}
		cfg := &rollup.Config{BlockTime: 2, RegolithTime: c.Regolith, CanyonTime: c.Regolith, DeltaTime: c.Regolith, EcotoneTime: c.Ecotone, FjordTime: c.Isthmus, GraniteTime: c.Isthmus, HoloceneTime: c.Isthmus, IsthmusTime: c.Isthmus, JovianTime: c.Jovian}
		sys := eth.SystemConfig{BatcherAddr: c.Batcher, Overhead: eth.Bytes32(c.Overhead), Scalar: eth.Bytes32(c.Scalar), OperatorFeeParams: eth.Bytes32(of), DAFootprintGasScalar: c.DaScalar}
		bi := &info{num: c.Number, time: c.Time, baseFee: bf, blobFee: blobp, hash: c.Hash}
		if blobp != nil {
			c.BlobBaseFee = (*hexutil.Big)(blobp)
		}
		dep, err := derive.L1InfoDepositBytes(cfg, nil, sys, c.Seq, bi, c.L2Time)
		if err != nil {
			panic(fmt.Sprintf("case %d: %v", i, err))
		}
		c.Deposit = dep
		out.L1Info = append(out.L1Info, c)
	}

	// User deposits: well-formed logs and damaged ones.
	for i := 0; i < 300; i++ {
		d := &optypes.DepositTx{Value: rbig(r), Gas: r.Uint64() >> uint(r.Intn(64)), Data: rb(r, r.Intn(100))}
		copy(d.From[:], rb(r, 20))
		if r.Intn(4) != 0 {
			var to common.Address
			copy(to[:], rb(r, 20))
			d.To = &to
		}
		switch r.Intn(20) {
		case 0:
			d.Mint = rbig(r) // may exceed 128 bits: unreachable on chain (mint = msg.value)
		case 1, 2, 3, 4, 5, 6, 7, 8, 9:
			d.Mint = new(big.Int).Lsh(new(big.Int).SetUint64(r.Uint64()), uint(r.Intn(64)))
		}
		lg, err := derive.MarshalDepositLogEvent(common.Address{1}, d)
		if err != nil {
			panic(err)
		}
		c := DepositCase{Topics: lg.Topics, Data: lg.Data, LogIndex: uint(r.Intn(1000))}
		copy(c.BlockHash[:], rb(r, 32))
		if i%2 == 1 { // damage it
			switch r.Intn(7) {
			case 0:
				c.Data = c.Data[:r.Intn(len(c.Data))]
			case 1:
				c.Data = append(append([]byte{}, c.Data...), make([]byte, 32*(1+r.Intn(2)))...)
			case 2:
				c.Topics = c.Topics[:r.Intn(4)]
			case 3:
				c.Topics[3][31] = 1
			case 4:
				j := r.Intn(64)
				c.Data[j] ^= byte(1 << uint(r.Intn(8)))
			case 5:
				c.Data[64+64+r.Intn(8)] = 0xff // gas field stays a u64; flip mint/value/gas bytes
			case 6:
				c.Topics[0][0] ^= 1
			}
		}
		ev := &types.Log{Topics: c.Topics, Data: c.Data, BlockHash: c.BlockHash, Index: c.LogIndex}
		if tx, err := derive.UnmarshalDepositLogEvent(ev); err == nil {
			b, err := tx.MarshalBinary()
			if err != nil {
				panic(err)
			}
			c.Deposit = b
		}
		out.Deposits = append(out.Deposits, c)
	}

	// SystemConfig ConfigUpdate logs of every type, well-formed and damaged.
	for i := 0; i < 800; i++ {
		c := SysCase{L1Time: uint64(r.Intn(2000))}
		if r.Intn(3) != 0 {
			c.Ecotone = u64p(1000)
		}
		var before eth.SystemConfig
		copy(before.BatcherAddr[:], rb(r, 20))
		before.Overhead = eth.Bytes32(rword(r))
		before.Scalar = eth.Bytes32(rword(r))
		before.GasLimit = r.Uint64()
		copy(before.EIP1559Params[:], rb(r, 8))
		before.OperatorFeeParams = eth.Bytes32(rword(r))
		before.MinBaseFee = r.Uint64()
		before.DAFootprintGasScalar = uint16(r.Intn(65536))
		c.Before = before
		typ := r.Intn(9)
		var t2 common.Hash
		t2[31] = byte(typ)
		c.Topics = []common.Hash{derive.ConfigUpdateEventABIHash, {}, t2}
		word := func(v []byte) []byte { var w [32]byte; copy(w[32-len(v):], v); return w[:] }
		u64w := func(v uint64) []byte { var b [8]byte; binary.BigEndian.PutUint64(b[:], v); return word(b[:]) }
		var payload []byte
		switch typ {
		case 0:
			payload = word(rb(r, 20))
		case 1:
			sc := rword(r)
			if r.Intn(2) == 0 {
				sc = common.Hash{}
				sc[0] = byte(r.Intn(2))
				binary.BigEndian.PutUint32(sc[24:], r.Uint32())
				binary.BigEndian.PutUint32(sc[28:], r.Uint32())
				if sc[0] == 0 && r.Intn(2) == 0 {
					sc[25] = 0
					binary.BigEndian.PutUint32(sc[24:], 0)
				}
			}
			ov := rword(r)
			payload = append(ov[:], sc[:]...)
		case 2, 6:
			payload = u64w(r.Uint64() >> uint(r.Intn(64)))
		case 3:
			payload = word(rb(r, 20))
		case 4:
			var p [8]byte
			binary.BigEndian.PutUint32(p[:4], uint32(r.Intn(3))*r.Uint32())
			binary.BigEndian.PutUint32(p[4:], uint32(r.Intn(3))*r.Uint32())
			payload = word(p[:])
		case 5:
			w := rword(r)
			payload = w[:]
		case 7:
			payload = word([]byte{byte(r.Intn(256)), byte(r.Intn(256))})
		case 8:
			payload = word(rb(r, 8))
		}
		data := append(append(u64w(32), u64w(uint64(len(payload)))...), payload...)
		switch r.Intn(10) {
		case 0:
			data = data[:r.Intn(len(data))]
		case 1:
			data = append(data, make([]byte, 1+r.Intn(40))...)
		case 2:
			data[r.Intn(len(data))] ^= byte(1 << uint(r.Intn(8)))
		case 3:
			c.Topics[1][31] = 1
		case 4:
			c.Topics = c.Topics[:r.Intn(3)]
		}
		c.Data = data
		after := before
		cfg := &rollup.Config{EcotoneTime: c.Ecotone}
		ev := &types.Log{Topics: c.Topics, Data: c.Data}
		c.Ok = derive.ProcessSystemConfigUpdateLogEvent(&after, ev, cfg, c.L1Time) == nil
		if !c.Ok {
			after = before
		}
		c.After = after
		out.SysCfg = append(out.SysCfg, c)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
