package schemas

import (
	"slices"
	"testing"
)

func TestSortSchemasByNameThenVersionNumber(t *testing.T) {
	ss := []*Schema{
		New("patient", 10), New("encounter", 1), New("patient", 2), New("patient", 1),
	}
	sortSchemas(ss)
	var got []string
	for _, s := range ss {
		got = append(got, s.ID())
	}
	if want := []string{"encounter/1", "patient/1", "patient/2", "patient/10"}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}

func TestAllAndVersionsCoverTheRegistry(t *testing.T) {
	all := All()
	if len(all) != len(IDs()) {
		t.Fatalf("All has %d schemas, the registry %d", len(all), len(IDs()))
	}
	n := 0
	for _, s := range all {
		if got, err := Lookup(s.ID()); err != nil || got != s {
			t.Errorf("All lists %s, which Lookup gives as %v, %v", s.ID(), got, err)
		}
		vs := Versions(s.Name)
		if !slices.Contains(vs, s) {
			t.Errorf("Versions(%q) = %v lacks %s", s.Name, vs, s.ID())
		}
		if vs[0] == s {
			n++ // each name counted once, at its oldest version
		}
	}
	if want := len(IDs()); n > want || n == 0 {
		t.Errorf("%d names for %d schemas", n, want)
	}
	if vs := Versions("no-such-schema"); len(vs) != 0 {
		t.Errorf("Versions of an unknown name = %v", vs)
	}
	if vs := Versions("patient"); len(vs) == 0 || vs[0] != Patient {
		t.Errorf("Versions(patient) = %v, want patient/1 first", vs)
	}
}
