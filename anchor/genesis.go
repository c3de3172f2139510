package anchor

import (
	"encoding/json"
	"fmt"
	"os"
)

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
	if _, err := CheckGenesis(g); err != nil {
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
