package ddbjson

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
)

// The unit tests need no stack; testenv starts one for the Load test only.
func TestMain(m *testing.M) { testenv.Main(m) }

type av = types.AttributeValue

func s(v string) av        { return &types.AttributeValueMemberS{Value: v} }
func n(v string) av        { return &types.AttributeValueMemberN{Value: v} }
func b(v ...byte) av       { return &types.AttributeValueMemberB{Value: append([]byte{}, v...)} }
func l(v ...av) av         { return &types.AttributeValueMemberL{Value: append([]av{}, v...)} }
func m(v map[string]av) av { return &types.AttributeValueMemberM{Value: v} }

// everyType is an item with each kind of attribute value, empty ones and awkward
// strings among them.
func everyType(pk string) map[string]av {
	return map[string]av{
		"PK":      s(pk),
		"SK":      s("ITEM"),
		"str":     s("quote \" backslash \\ newline \n tab \t <>& é 𝄞"),
		"strNil":  s(""),
		"num":     n("-12.5E3"),
		"bin":     b(0, 1, 2, 0xff, '\n'),
		"binNil":  b(),
		"yes":     &types.AttributeValueMemberBOOL{Value: true},
		"no":      &types.AttributeValueMemberBOOL{Value: false},
		"null":    &types.AttributeValueMemberNULL{Value: true},
		"ss":      &types.AttributeValueMemberSS{Value: []string{"pear", "apple", ""}},
		"ns":      &types.AttributeValueMemberNS{Value: []string{"3", "1.5", "-2"}},
		"bs":      &types.AttributeValueMemberBS{Value: [][]byte{{3}, {1, 2}, {}}},
		"list":    l(s("x"), n("1"), l(), m(map[string]av{"k": &types.AttributeValueMemberBOOL{Value: true}})),
		"listNil": l(),
		"map": m(map[string]av{
			"inner": m(map[string]av{"deep": &types.AttributeValueMemberSS{Value: []string{"z"}}}),
			"list":  l(&types.AttributeValueMemberNULL{Value: true}, b(9)),
		}),
		"mapNil": m(map[string]av{}),
	}
}

// normalize sorts every set in place (DynamoDB keeps no set order), recursively.
func normalize(item map[string]av) map[string]av {
	for _, v := range item {
		normalizeValue(v)
	}
	return item
}

func normalizeValue(v av) {
	switch v := v.(type) {
	case *types.AttributeValueMemberSS:
		slices.Sort(v.Value)
	case *types.AttributeValueMemberNS:
		slices.Sort(v.Value)
	case *types.AttributeValueMemberBS:
		slices.SortFunc(v.Value, bytes.Compare)
	case *types.AttributeValueMemberL:
		for _, e := range v.Value {
			normalizeValue(e)
		}
	case *types.AttributeValueMemberM:
		normalize(v.Value)
	}
}

func readAll(t *testing.T, dir string) []map[string]av {
	t.Helper()
	var out []map[string]av
	if err := Read(dir, func(item map[string]av) error { out = append(out, item); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// gunzip is a data file's uncompressed text.
func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// The wire format, byte for byte: one {"Item":…} object a line, each value an object
// naming its one type, numbers as strings, binaries in standard base64, map keys sorted.
func TestLineFormat(t *testing.T) {
	got, err := encodeLine(map[string]av{
		"PK": s("a<b>"), "n": n("1"), "b": b(0, 1, 2, 0xff), "t": &types.AttributeValueMemberBOOL{Value: true},
		"z": &types.AttributeValueMemberNULL{Value: true}, "ss": &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"2"}}, "bs": &types.AttributeValueMemberBS{Value: [][]byte{{0xfb}}},
		"l": l(s(""), l()), "m": m(map[string]av{"k": b(), "e": m(map[string]av{})}),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Item":{"PK":{"S":"a<b>"},"b":{"B":"AAEC/w=="},"bs":{"BS":["+w=="]},"l":{"L":[{"S":""},{"L":[]}]},` +
		`"m":{"M":{"e":{"M":{}},"k":{"B":""}}},"n":{"N":"1"},"ns":{"NS":["2"]},"ss":{"SS":["x","y"]},"t":{"BOOL":true},"z":{"NULL":true}}}` + "\n"
	if string(got) != want {
		t.Fatalf("line\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []map[string]av{
		{},
		{"ss": &types.AttributeValueMemberSS{}},
		{"m": m(map[string]av{"ns": &types.AttributeValueMemberNS{Value: []string{}}})},
		{"x": nil},
	} {
		if _, err := encodeLine(bad); err == nil {
			t.Errorf("%v encoded", bad)
		}
	}
	for _, bad := range []string{`{}`, `{"Item":{"a":{}}}`, `{"Item":{"a":{"S":"x","N":"1"}}}`, `{"Item":{"a":{"S":null}}}`, `{"Item":`} {
		if _, err := decodeLine([]byte(bad)); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

// Every type comes back from Writer+Read as it went in.
func TestRoundTripEveryType(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]av{everyType("ITEM#1"), everyType("ITEM#2"), {"PK": s("ITEM#3"), "SK": s("ITEM")}}
	if err := w.Put(want[:2]...); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(want[2]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, dir)
	for i := range got {
		normalize(got[i])
	}
	for i := range want {
		normalize(want[i])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%#v\nwant\n%#v", got, want)
	}
	text := gunzip(t, filepath.Join(dir, "data-00000.json.gz"))
	if lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n"); len(lines) != 3 {
		t.Fatalf("%d lines (a newline inside an item?):\n%s", len(lines), text)
	}
	man, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Manifest{Files: []string{"data-00000.json.gz"}, Items: 3, Bytes: int64(len(text))}); !reflect.DeepEqual(man, want) {
		t.Fatalf("manifest %+v, want %+v", man, want)
	}
	if err := w.Put(want[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close: %v", err)
	}
}

// Files split before a line that would take them past MaxFileBytes, and only then; an
// item longer than the bound gets a file of its own; the manifest lists the files in
// order with the count and the uncompressed size.
func TestSplitAndManifest(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	const max = 1000
	w.MaxFileBytes = max
	var want []map[string]av
	for i := range 120 {
		pad := strings.Repeat("x", (i*37)%200)
		if i == 70 {
			pad = strings.Repeat("y", 3*max) // longer than a file may be
		}
		want = append(want, map[string]av{"PK": s(fmt.Sprintf("ITEM#%03d", i)), "SK": s("A"), "pad": s(pad)})
	}
	for _, it := range want {
		if err := w.Put(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	man, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if e.Name() != ManifestName {
			names = append(names, e.Name())
		}
	}
	if len(man.Files) < 10 || !slices.Equal(man.Files, names) {
		t.Fatalf("manifest files %v, directory %v", man.Files, names)
	}
	var total int64
	var texts []string
	for i, f := range man.Files {
		if f != fmt.Sprintf("data-%05d.json.gz", i) {
			t.Fatalf("file %d is %s", i, f)
		}
		text := gunzip(t, filepath.Join(dir, f))
		texts = append(texts, text)
		total += int64(len(text))
		if len(text) > max && strings.Count(text, "\n") != 1 {
			t.Fatalf("%s: %d bytes in %d lines, bound %d", f, len(text), strings.Count(text, "\n"), max)
		}
		if strings.Contains(text, "yyy") && strings.Count(text, "\n") != 1 {
			t.Fatalf("the long item shares %s", f)
		}
	}
	for i := 0; i+1 < len(texts); i++ { // a file ends only when the next line did not fit
		next, _, _ := strings.Cut(texts[i+1], "\n")
		if len(texts[i])+len(next)+1 <= max {
			t.Fatalf("%s (%d bytes) ended before a %d-byte line that fitted", man.Files[i], len(texts[i]), len(next)+1)
		}
	}
	if man.Items != 120 || man.Bytes != total {
		t.Fatalf("manifest %d items %d bytes; files hold %d bytes", man.Items, man.Bytes, total)
	}
	if got := readAll(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %d items, not the %d written in order", len(got), len(want))
	}
}

// A directory is written once; a directory without a manifest is not read or loaded; a
// bad line is reported with its file and line; a manifest must match its files.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("unrelated"), 0o644)
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatalf("a directory with other files: %v", err)
	}
	if err := w.Put(everyType("A")); err != nil {
		t.Fatal(err)
	}
	if err := Read(dir, func(map[string]av) error { return nil }); err == nil || !strings.Contains(err.Error(), "not finished") {
		t.Fatalf("Read of an unfinished export: %v", err)
	}
	if _, err := Load(t.Context(), nil, "t", dir, 1); err == nil || !strings.Contains(err.Error(), "not finished") {
		t.Fatalf("Load of an unfinished export: %v", err)
	}
	if _, err := NewWriter(dir); err == nil || !strings.Contains(err.Error(), "data-00000.json.gz") {
		t.Fatalf("NewWriter over data files: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "data-00000.json.gz"))
	if _, err := NewWriter(dir); err == nil || !strings.Contains(err.Error(), ManifestName) {
		t.Fatalf("NewWriter over a manifest: %v", err)
	}

	// A hand-made export: a bad second line, then a count that does not match.
	bad := t.TempDir()
	writeGz := func(text string) {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		gz.Write([]byte(text))
		gz.Close()
		os.WriteFile(filepath.Join(bad, "data-00000.json.gz"), buf.Bytes(), 0o644)
	}
	os.WriteFile(filepath.Join(bad, ManifestName), []byte(`{"files":["data-00000.json.gz"],"items":2,"bytes":0}`), 0o644)
	writeGz(`{"Item":{"PK":{"S":"a"}}}` + "\n" + `{"Item":{"PK":{"Q":"b"}}}` + "\n")
	if err := Read(bad, func(map[string]av) error { return nil }); err == nil || !strings.Contains(err.Error(), "data-00000.json.gz line 2") {
		t.Fatalf("bad line: %v", err)
	}
	writeGz(`{"Item":{"PK":{"S":"a"}}}` + "\n")
	if err := Read(bad, func(map[string]av) error { return nil }); err == nil || !strings.Contains(err.Error(), "manifest says 2") {
		t.Fatalf("short file: %v", err)
	}
	os.WriteFile(filepath.Join(bad, ManifestName), []byte(`{"files":["../etc/passwd"],"items":0}`), 0o644)
	if err := Read(bad, func(map[string]av) error { return nil }); err == nil {
		t.Fatal("a manifest naming a file outside the export was read")
	}
}

// Eight goroutines Put at once (run with -race): every item is written once, whole,
// across files that split as they go.
func TestConcurrentPut(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.MaxFileBytes = 64 << 10
	const goroutines, each = 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i += 3 { // three items a call
				var batch []map[string]av
				for j := i; j < i+3; j++ {
					it := everyType(fmt.Sprintf("G%d#%04d", g, j))
					it["g"] = n(fmt.Sprint(g))
					batch = append(batch, it)
				}
				if err := w.Put(batch...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, it := range readAll(t, dir) {
		pk := it["PK"].(*types.AttributeValueMemberS).Value
		seen[pk]++
		want := everyType(pk)
		want["g"] = it["g"]
		if !reflect.DeepEqual(normalize(it), normalize(want)) {
			t.Fatalf("%s came back as %#v", pk, it)
		}
	}
	if len(seen) != goroutines*each {
		t.Fatalf("%d distinct items, want %d", len(seen), goroutines*each)
	}
	for pk, c := range seen {
		if c != 1 {
			t.Fatalf("%s written %d times", pk, c)
		}
	}
	man, _ := ReadManifest(dir)
	if man.Items != goroutines*each || len(man.Files) < 10 {
		t.Fatalf("manifest: %d items in %d files", man.Items, len(man.Files))
	}
}
