package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// bundleArea damages proof bundles; verify proof must reject each one.
type bundleArea struct {
	genesis, work string
	bundles       []bundleFix
}

type bundleFix struct {
	name   string
	raw    []byte
	parsed anchor.Proof
}

// bundles proves three records: a row and a reject of the first block
// (their checkpoint is two blocks later, so they carry a consistency
// proof) and a row of the last block.
func (fx *mutationFixture) bundles(t *testing.T) area {
	t.Helper()
	a := &bundleArea{genesis: filepath.Join(fx.dir, "genesis.json"), work: filepath.Join(fx.work(t, "bundle"), "bundle.json")}
	first, last := fx.list[0], fx.list[len(fx.list)-1]
	if first.BlockHeight != 1 || first.RejectsPath == "" || last.BlockHeight < 3 {
		t.Fatalf("fixture: want a first batch with rejects in block 1 and a last batch in block 3 or later: %+v, %+v", first, last)
	}
	for _, c := range []struct{ name, target, row string }{
		{"first-row", first.BatchID, "3"}, {"first-reject", first.RejectsPath, "0"}, {"last-row", last.BatchID, "0"},
	} {
		out := filepath.Join(filepath.Dir(a.work), c.name+".json")
		mustCode(t, ha(t, nil, "--config", fx.cfg, "prove", c.target, "--row", c.row, "--out", out), 0, "prove "+c.name)
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		p, err := anchor.ParseProof(raw)
		if err != nil {
			t.Fatal(err)
		}
		a.bundles = append(a.bundles, bundleFix{name: c.name, raw: raw, parsed: p})
	}
	return a
}

func (a *bundleArea) name() string { return areaBundle }

func (a *bundleArea) control() [][]string {
	var out [][]string
	for _, b := range a.bundles {
		p := filepath.Join(filepath.Dir(a.work), b.name+".json")
		out = append(out, []string{"verify", "proof", p, "--genesis", a.genesis})
	}
	return out
}

// bundleMutator returns the damaged bundle and what it changed, or ok
// false when it does not apply to this bundle.
type bundleMutator func(rng *rand.Rand, b bundleFix, tree any) (raw []byte, desc string, ok bool)

var bundleMutators = map[string]bundleMutator{
	"bytes: bit flip": func(rng *rand.Rand, b bundleFix, _ any) ([]byte, string, bool) {
		raw := bytes.Clone(b.raw)
		i, bit := rng.IntN(len(raw)), rng.IntN(8)
		raw[i] ^= 1 << bit
		return raw, fmt.Sprintf("byte %d bit %d", i, bit), true
	},
	"bytes: truncation": func(rng *rand.Rand, b bundleFix, _ any) ([]byte, string, bool) {
		n := rng.IntN(len(b.raw))
		return bytes.Clone(b.raw[:n]), fmt.Sprintf("first %d of %d bytes kept", n, len(b.raw)), true
	},
	"bytes: byte dropped or inserted": func(rng *rand.Rand, b bundleFix, _ any) ([]byte, string, bool) {
		i := rng.IntN(len(b.raw))
		if rng.IntN(2) == 0 {
			return append(bytes.Clone(b.raw[:i]), b.raw[i+1:]...), fmt.Sprintf("byte %d (%q) dropped", i, b.raw[i]), true
		}
		c := byte(' ' + rng.IntN(95))
		return append(append(bytes.Clone(b.raw[:i]), c), b.raw[i:]...), fmt.Sprintf("%q inserted at %d", c, i), true
	},
	"json: hex digit changed": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editWhere(rng, tree, func(_ jpath, v any) bool { s, ok := v.(string); return ok && isHexString(s) })
	},
	"json: scalar field edited": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editWhere(rng, tree, func(_ jpath, v any) bool { return isScalar(v) })
	},
	"json: audit path entries swapped": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		p := pick(rng, []jpath{{"record", "inclusion"}, {"log", "inclusion"}, {"checkpoint", "consistency"}})
		list, _ := getAt(tree, p).([]any)
		if len(list) < 2 {
			return nil, "", false
		}
		i, j := rng.IntN(len(list)), rng.IntN(len(list))
		if list[i] == list[j] {
			return nil, "", false
		}
		list[i], list[j] = list[j], list[i]
		return encodeTree(tree, true), fmt.Sprintf("%s: entries %d and %d swapped", p, i, j), true
	},
	"json: array entry dropped": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return arrayEdit(rng, tree, false)
	},
	"json: array entry duplicated": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return arrayEdit(rng, tree, true)
	},
	"json: index changed": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editAt(rng, tree, pick(rng, []jpath{{"record", "index"}, {"log", "index"}}))
	},
	"json: size changed": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editWhere(rng, tree, func(p jpath, v any) bool {
			_, num := v.(json.Number)
			k := lastKey(p)
			return num && (strings.Contains(k, "size") || k == "rows" || k == "rejects" || k == "height" || k == "producer_seq")
		})
	},
	"json: chain id changed": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editWhere(rng, tree, func(p jpath, _ any) bool { return lastKey(p) == "chain_id" })
	},
	"json: member dropped": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		paths := pathsWhere(tree, func(p jpath, _ any) bool { return lastKey(p) != "" })
		p := pick(rng, paths)
		delete(getAt(tree, p[:len(p)-1]).(map[string]any), lastKey(p))
		return encodeTree(tree, true), p.String() + " removed", true
	},
	"json: unknown member added": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		objs := pathsWhere(tree, func(_ jpath, v any) bool { _, ok := v.(map[string]any); return ok })
		objs = append(objs, nil)
		p := pick(rng, objs)
		getAt(tree, p).(map[string]any)["extra"] = json.Number("1")
		return encodeTree(tree, true), p.String() + ".extra added", true
	},
	"json: canonical record edited": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return editAt(rng, tree, jpath{"record", "canonical"})
	},
	"note: two lines swapped": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return noteEdit(tree, func(lines []string) ([]string, string, bool) {
			i, j := rng.IntN(len(lines)-1), rng.IntN(len(lines)-1)
			if lines[i] == lines[j] {
				return nil, "", false
			}
			lines[i], lines[j] = lines[j], lines[i]
			return lines, fmt.Sprintf("lines %d and %d swapped", i, j), true
		})
	},
	"note: signature line duplicated": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return noteEdit(tree, func(lines []string) ([]string, string, bool) {
			i := signatureLine(rng, lines)
			return append(lines[:i+1], append([]string{lines[i]}, lines[i+1:]...)...), fmt.Sprintf("signature line %d duplicated", i), true
		})
	},
	"note: signature line dropped": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return noteEdit(tree, func(lines []string) ([]string, string, bool) {
			i := signatureLine(rng, lines)
			return append(lines[:i], lines[i+1:]...), fmt.Sprintf("signature line %d dropped", i), true
		})
	},
	"note: line edited": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return noteEdit(tree, func(lines []string) ([]string, string, bool) {
			i := rng.IntN(len(lines) - 1)
			var d string
			lines[i], d = changeChar(rng, lines[i])
			return lines, fmt.Sprintf("line %d: %s", i, d), true
		})
	},
	"note: signature re-spelled in base64": func(_ *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		return noteEdit(tree, func(lines []string) ([]string, string, bool) {
			for i, l := range lines {
				if strings.HasPrefix(l, "— ") {
					if alt, ok := respellBase64(l); ok {
						lines[i] = alt
						return lines, fmt.Sprintf("line %d: the last base64 digit's unused bits set", i), true
					}
				}
			}
			return nil, "", false
		})
	},
	"json: signature re-spelled in base64": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		paths := pathsWhere(tree, func(p jpath, v any) bool { s, ok := v.(string); return ok && lastKey(p) == "signature" && s != "" })
		p := pick(rng, paths)
		alt, ok := respellBase64(getAt(tree, p).(string))
		if !ok {
			return nil, "", false
		}
		setAt(tree, p, alt)
		return encodeTree(tree, true), p.String() + ": the last base64 digit's unused bits set", true
	},
	"json: re-indented (same content)": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		if rng.IntN(2) == 0 {
			return encodeTree(tree, false), "written compact", true
		}
		var b bytes.Buffer
		json.Indent(&b, encodeTree(tree, false), "", "\t")
		return b.Bytes(), "indented with tabs", true
	},
	"json: member name case changed": func(rng *rand.Rand, _ bundleFix, tree any) ([]byte, string, bool) {
		paths := pathsWhere(tree, func(p jpath, _ any) bool { return lastKey(p) != "" && lastKey(p) != strings.ToUpper(lastKey(p)) })
		p := pick(rng, paths)
		obj, k := getAt(tree, p[:len(p)-1]).(map[string]any), lastKey(p)
		obj[strings.ToUpper(k)] = obj[k]
		delete(obj, k)
		return encodeTree(tree, true), fmt.Sprintf("%s renamed %s", p, strings.ToUpper(k)), true
	},
}

// editWhere changes one scalar the filter selects.
func editWhere(rng *rand.Rand, tree any, keep func(p jpath, v any) bool) ([]byte, string, bool) {
	paths := pathsWhere(tree, func(p jpath, v any) bool { return isScalar(v) && keep(p, v) })
	if len(paths) == 0 {
		return nil, "", false
	}
	return editAt(rng, tree, pick(rng, paths))
}

func editAt(rng *rand.Rand, tree any, p jpath) ([]byte, string, bool) {
	v, d := changeScalar(rng, getAt(tree, p))
	setAt(tree, p, v)
	return encodeTree(tree, true), p.String() + ": " + d, true
}

// arrayEdit drops or duplicates one entry of a random non-empty array.
func arrayEdit(rng *rand.Rand, tree any, dup bool) ([]byte, string, bool) {
	paths := pathsWhere(tree, func(_ jpath, v any) bool { l, ok := v.([]any); return ok && len(l) > 0 })
	p := pick(rng, paths)
	list := getAt(tree, p).([]any)
	i := rng.IntN(len(list))
	rest := append([]any(nil), list[i+1:]...)
	if dup {
		setAt(tree, p, append(append(list[:i+1:i+1], list[i]), rest...))
		return encodeTree(tree, true), fmt.Sprintf("%s: entry %d duplicated", p, i), true
	}
	setAt(tree, p, append(list[:i:i], rest...))
	return encodeTree(tree, true), fmt.Sprintf("%s: entry %d dropped", p, i), true
}

// noteEdit edits the lines of the bundle's checkpoint note (the last,
// empty, element after the final newline is not offered).
func noteEdit(tree any, edit func(lines []string) ([]string, string, bool)) ([]byte, string, bool) {
	p := jpath{"checkpoint", "note"}
	lines := strings.Split(getAt(tree, p).(string), "\n")
	lines, d, ok := edit(lines)
	if !ok {
		return nil, "", false
	}
	setAt(tree, p, strings.Join(lines, "\n"))
	return encodeTree(tree, true), "checkpoint.note: " + d, true
}

func signatureLine(rng *rand.Rand, lines []string) int {
	var sigs []int
	for i, l := range lines {
		if strings.HasPrefix(l, "— ") {
			sigs = append(sigs, i)
		}
	}
	return pick(rng, sigs)
}

// respellBase64 sets the unused low bits of the last digit of a padded
// base64 string (the text after its last space): the same bytes under a
// lenient decoder, another string to a strict one.
func respellBase64(s string) (string, bool) {
	i := strings.LastIndexByte(s, ' ') + 1
	word := strings.TrimRight(s[i:], "=")
	pad := len(s) - i - len(word)
	if pad == 0 || word == "" {
		return "", false
	}
	last := strings.IndexByte(base64Digits, word[len(word)-1])
	unused := 1<<(2*pad) - 1 // "=" leaves 2 unused bits, "==" 4
	if last < 0 || last&unused != 0 {
		return "", false
	}
	return s[:i] + word[:len(word)-1] + string(base64Digits[last|1]) + s[i+len(word):], true
}

func (a *bundleArea) mutate(t *testing.T, rng *rand.Rand) trial {
	kinds := sortedKeysOf(bundleMutators)
	for {
		b := pick(rng, a.bundles)
		kind := pick(rng, kinds)
		tree, err := decodeTree(b.raw)
		if err != nil {
			t.Fatal(err)
		}
		raw, desc, ok := bundleMutators[kind](rng, b, tree)
		if !ok || bytes.Equal(raw, b.raw) {
			continue
		}
		if err := os.WriteFile(a.work, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return trial{
			kind: kind, desc: b.name + ": " + desc,
			runs: [][]string{{"verify", "proof", a.work, "--genesis", a.genesis}},
			same: sameBundle(b, raw),
			undo: func() { os.Remove(a.work) },
		}
	}
}

// sameBundle proves a damaged bundle harmless when it parses to the
// same bundle as the original: verify proof checks the parsed bundle
// and the genesis, nothing else of the file.
func sameBundle(b bundleFix, raw []byte) string {
	p, err := anchor.ParseProof(raw)
	if err != nil || !sameValue(reflect.ValueOf(p), reflect.ValueOf(b.parsed)) {
		return ""
	}
	return "parses to the same bundle"
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
