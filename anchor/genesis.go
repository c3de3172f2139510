package anchor

import (
	"encoding/json"
	"fmt"
	"os"
)

// CheckGenesis checks that g is a well-formed genesis block: height 0,
// zero previous hash, members with unique ids and valid keys, and a
// proposer among them whose signature holds.
func CheckGenesis(g Block) error {
	if _, err := checkGenesis(g); err != nil {
		return err
	}
	if _, err := newValidator(g); err != nil {
		return err
	}
	return nil
}

// ReadGenesisFile reads a genesis block written as JSON (genesis.json)
// and checks it with CheckGenesis.
func ReadGenesisFile(path string) (Block, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Block{}, fmt.Errorf("anchor: genesis: %w", err)
	}
	var g Block
	if err := json.Unmarshal(raw, &g); err != nil {
		return Block{}, fmt.Errorf("anchor: genesis %s: %w", path, err)
	}
	if err := CheckGenesis(g); err != nil {
		return Block{}, fmt.Errorf("anchor: genesis %s: %w", path, err)
	}
	return g, nil
}

// Member returns the genesis member with id.
func (g Genesis) Member(id string) (Member, bool) {
	for _, m := range g.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}
