package hl7

import (
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
)

// TestDemoInbox checks the sample the demo copies into its inbox: rows of
// every schema the connector maps and a few rejects.
func TestDemoInbox(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "demo", "hl7")
	c := openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil)
	res, err := connectortest.ReadAll(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range res.Records {
		if r.Reject != nil {
			count["reject"]++
			continue
		}
		count[r.Schema.ID()]++
	}
	for _, k := range []string{"patient/1", "encounter/1", "observation/1", "order/1", "immunization/1", "condition/1", "allergy/1", "reject"} {
		if count[k] == 0 {
			t.Errorf("demo inbox has no %s: %v", k, count)
		}
	}
	t.Log(count)
}
