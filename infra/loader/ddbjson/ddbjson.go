// Package ddbjson writes items as the files DynamoDB's ImportTable reads from S3
// (InputFormat DYNAMODB_JSON, InputCompressionType GZIP), reads them back, and loads them
// into an existing table with BatchWriteItem (DynamoDB Local has no ImportTable). See
// docs/import.md, "The first load of a new table on AWS: ImportTable".
//
// A directory holds data-00000.json.gz, data-00001.json.gz, … and, once the Writer is
// closed, manifest.json. Each data file is gzip-compressed JSON Lines, one item a line:
//
//	{"Item":{"PK":{"S":"MEMBER#m-1"},"n":{"N":"1"},"tags":{"SS":["a","b"]}}}
//
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html).
// The SDK has no public marshaller of types.AttributeValue to this wire JSON; wire.go is
// one.
package ddbjson

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"
)

// DefaultMaxFileBytes is the default Writer.MaxFileBytes: 256 MiB of JSON a file.
const DefaultMaxFileBytes int64 = 256 << 20

// ManifestName is the manifest's file name in a directory.
const ManifestName = "manifest.json"

// dataName matches a data file's name (dataFile writes them).
var dataName = regexp.MustCompile(`^data-[0-9]{5,}\.json\.gz$`)

func dataFile(i int) string { return fmt.Sprintf("data-%05d.json.gz", i) }

// Manifest is manifest.json: the data files in the order written, how many items they
// hold and their uncompressed size in bytes (what ImportTable bills by).
type Manifest struct {
	Files []string `json:"files"`
	Items int64    `json:"items"`
	Bytes int64    `json:"bytes"`
}

// ErrClosed is a Put after Close.
var ErrClosed = errors.New("ddbjson: writer closed")

// Writer writes items as DynamoDB JSON Lines files, gzip-compressed, in a directory: one
// {"Item":{...}} object a line, exactly the format ImportTable's DYNAMODB_JSON input reads.
// Files are dir/data-00000.json.gz, … each with at most MaxFileBytes of uncompressed JSON
// (a file holds at least one item, so an item longer than that has a file to itself),
// plus dir/manifest.json, written by Close. Put is safe for concurrent use. A failed
// write stops the Writer: later calls return the same error and no manifest is written,
// so Read refuses the directory.
type Writer struct {
	// MaxFileBytes bounds each file's uncompressed JSON (DefaultMaxFileBytes when 0 or
	// less). Set it before the first Put.
	MaxFileBytes int64

	dir string

	mu     sync.Mutex
	f      *os.File
	bw     *bufio.Writer // buffers the gzip stream into f
	gz     *gzip.Writer
	cur    int64 // JSON bytes in the open file
	man    Manifest
	err    error // the first failure: every later call returns it
	closed bool
}

// NewWriter creates dir (and its parents) and returns a Writer into it. It refuses a
// directory that already holds data files or a manifest: an export is written once.
func NewWriter(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if dataName.MatchString(e.Name()) || e.Name() == ManifestName {
			return nil, fmt.Errorf("ddbjson: %s already holds an export (%s)", dir, e.Name())
		}
	}
	return &Writer{dir: dir, man: Manifest{Files: []string{}}}, nil
}

// Put writes items, each as one line; the items of one call go out together. An item
// that cannot be encoded (an empty set, an unknown value type) fails the call before any
// of its items is written.
func (w *Writer) Put(items ...map[string]types.AttributeValue) error {
	lines := make([][]byte, len(items))
	for i, it := range items {
		l, err := encodeLine(it)
		if err != nil {
			return err
		}
		lines[i] = l
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	for _, l := range lines {
		if err := w.write(l); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

func (w *Writer) write(l []byte) error {
	max := w.MaxFileBytes
	if max <= 0 {
		max = DefaultMaxFileBytes
	}
	if w.f != nil && w.cur+int64(len(l)) > max {
		if err := w.finishFile(); err != nil {
			return err
		}
	}
	if w.f == nil {
		name := dataFile(len(w.man.Files))
		f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		w.f, w.cur = f, 0
		w.bw = bufio.NewWriterSize(f, 1<<20)
		w.gz = gzip.NewWriter(w.bw)
		w.man.Files = append(w.man.Files, name)
	}
	if _, err := w.gz.Write(l); err != nil {
		return err
	}
	w.cur += int64(len(l))
	w.man.Items++
	w.man.Bytes += int64(len(l))
	return nil
}

// finishFile ends the open file's gzip stream and closes it.
func (w *Writer) finishFile() error {
	f := w.f
	w.f = nil
	err := errors.Join(w.gz.Close(), w.bw.Flush(), f.Sync())
	return errors.Join(err, f.Close())
}

// Close finishes the last file and writes manifest.json (through a temporary file and a
// rename, so a manifest is never half written). A second Close does nothing.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		if w.f != nil {
			w.f.Close()
		}
		return w.err
	}
	if w.f != nil {
		if err := w.finishFile(); err != nil {
			w.err = err
			return err
		}
	}
	b, err := json.MarshalIndent(w.man, "", "  ")
	if err == nil {
		tmp := filepath.Join(w.dir, ManifestName+".tmp")
		err = os.WriteFile(tmp, append(b, '\n'), 0o644)
		if err == nil {
			err = os.Rename(tmp, filepath.Join(w.dir, ManifestName))
		}
	}
	w.err = err
	return err
}

// ReadManifest reads dir/manifest.json. A directory without one was not completely
// written (its Writer was not closed, or failed).
func ReadManifest(dir string) (Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return Manifest{}, fmt.Errorf("ddbjson: %s has no %s: the export was not finished", dir, ManifestName)
	}
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("ddbjson: %s: %w", ManifestName, err)
	}
	for _, f := range m.Files {
		if !dataName.MatchString(f) {
			return Manifest{}, fmt.Errorf("ddbjson: %s names %q, not a data file", ManifestName, f)
		}
	}
	return m, nil
}

// Read reads a directory a Writer wrote and closed, calling fn with each item in the
// order written; an error of fn stops it and is returned. It fails on a directory without
// a manifest, a line that is not DynamoDB JSON (naming file and line) and files that do
// not hold the manifest's count of items.
func Read(dir string, fn func(item map[string]types.AttributeValue) error) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	var n int64
	for _, name := range m.Files {
		c, err := readFile(filepath.Join(dir, name), fn)
		n += c
		if err != nil {
			return err
		}
	}
	if n != m.Items {
		return fmt.Errorf("ddbjson: %s holds %d items, its manifest says %d", dir, n, m.Items)
	}
	return nil
}

func readFile(path string, fn func(map[string]types.AttributeValue) error) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("ddbjson: %s: %w", path, err)
	}
	r := bufio.NewReaderSize(gz, 1<<20)
	var n int64
	for {
		b, err := r.ReadBytes('\n')
		if len(b) > 0 {
			item, derr := decodeLine(b)
			if derr != nil {
				return n, fmt.Errorf("ddbjson: %s line %d: %w", path, n+1, derr)
			}
			n++
			if err := fn(item); err != nil {
				return n, err
			}
		}
		if err == io.EOF {
			return n, gz.Close()
		}
		if err != nil {
			return n, fmt.Errorf("ddbjson: %s: %w", path, err)
		}
	}
}

// The retries of Load: every call and every round of unprocessed items gets up to
// loadAttempts attempts, waiting the SDK's jittered exponential backoff (at most
// loadMaxBackoff) between them. The SDK's client-side retry quota is off: a bulk load is
// expected to be throttled at times and must keep going rather than give up early.
const (
	loadAttempts   = 10
	loadMaxBackoff = 20 * time.Second
)

// Load writes the items of dir (a closed Writer's directory) into table with
// BatchWriteItem, 25 items a call, from workers goroutines (4 per CPU when workers ≤ 0),
// and returns how many it wrote. Items DynamoDB leaves unprocessed are sent again after a
// backoff (retry.ExponentialJitterBackoff, at most 20 s); still unprocessed after 10
// rounds, Load fails. Each call gets the same 10 attempts for throttling and transient
// errors. Two items with the same key never share a call (DynamoDB refuses such a
// call); which of them the table keeps is then undefined. Items already in the table are
// overwritten. The first failure stops the load; what was written stays.
func Load(ctx context.Context, db *dynamodb.Client, table string, dir string, workers int) (int, error) {
	if _, err := ReadManifest(dir); err != nil { // fail before touching the table
		return 0, err
	}
	if workers <= 0 {
		workers = 4 * runtime.NumCPU()
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return 0, err
	}
	var keyNames []string
	for _, k := range desc.Table.KeySchema {
		keyNames = append(keyNames, aws.ToString(k.AttributeName))
	}
	backoff := retry.NewExponentialJitterBackoff(loadMaxBackoff)
	retryer := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = loadAttempts
		o.MaxBackoff = loadMaxBackoff
		o.Backoff = backoff
		o.RateLimiter = ratelimit.None
	})
	useRetryer := func(o *dynamodb.Options) { o.Retryer = retryer }

	g, ctx := errgroup.WithContext(ctx)
	batches := make(chan []types.WriteRequest, workers)
	var written atomic.Int64
	g.Go(func() error {
		defer close(batches)
		var batch []types.WriteRequest
		keys := map[string]bool{}
		send := func() error {
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch, keys = nil, map[string]bool{}
			return nil
		}
		err := Read(dir, func(item map[string]types.AttributeValue) error {
			k, err := keyOf(item, keyNames)
			if err != nil {
				return err
			}
			if keys[k] {
				if err := send(); err != nil {
					return err
				}
			}
			keys[k] = true
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			if len(batch) == 25 {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		return err
	})
	for range workers {
		g.Go(func() error {
			for b := range batches {
				if err := writeBatch(ctx, db, table, b, backoff, useRetryer); err != nil {
					return err
				}
				written.Add(int64(len(b)))
			}
			return nil
		})
	}
	err = g.Wait()
	return int(written.Load()), err
}

// keyOf is the item's primary key as a string, to tell two items with the same key apart.
func keyOf(item map[string]types.AttributeValue, names []string) (string, error) {
	key := make(map[string]types.AttributeValue, len(names))
	for _, n := range names {
		v, ok := item[n]
		if !ok {
			return "", fmt.Errorf("ddbjson: an item without its key attribute %s", n)
		}
		key[n] = v
	}
	b, err := encodeLine(key)
	return string(b), err
}

// writeBatch writes one batch, sending the unprocessed items again after a backoff.
func writeBatch(ctx context.Context, db *dynamodb.Client, table string, b []types.WriteRequest,
	backoff retry.BackoffDelayer, useRetryer func(*dynamodb.Options)) error {
	pending := map[string][]types.WriteRequest{table: b}
	for attempt := 1; ; attempt++ {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending}, useRetryer)
		if err != nil {
			return err
		}
		if pending = out.UnprocessedItems; len(pending[table]) == 0 {
			return nil
		}
		if attempt >= loadAttempts {
			return fmt.Errorf("ddbjson: %d items still unprocessed after %d attempts", len(pending[table]), attempt)
		}
		d, err := backoff.BackoffDelay(attempt, nil)
		if err != nil {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
