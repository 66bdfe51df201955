package ddb

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Optimistic concurrency, once for every item written read → decide → write-if-version
// (projects, forum posts, members; certification drafts, rooms and events the same way).
// A repository method has the shape
//
//	Update(ctx, id, decide func(*T) error) (T, error)
//
// and is written with updateVersioned: the adapter reads (strongly consistently), keeps
// the version, conditions the write on it and retries with jitter when another writer
// won; the domain's decide owns the decision (validation, state machine, authorization)
// and may run more than once. An error from decide aborts: nothing is written.

// versionedAttempts bounds how often a decision is read and made again. Every lost race
// means another decision was written, so n writers at once all get through when
// n ≤ versionedAttempts.
const versionedAttempts = 10

// Backoff between attempts: a random delay ("full jitter") of up to base·2^(n-1), at
// most maxPause. (The SDK's retry.ExponentialJitterBackoff counts in seconds: a cap
// below one second gives a constant delay without jitter.)
const (
	basePause = 5 * time.Millisecond
	maxPause  = 200 * time.Millisecond
)

// errStale is a write that lost against a concurrent one (its version condition failed):
// read again and decide again.
var errStale = errors.New("ddb: changed since read")

// versionedItem is an item type written through updateVersioned.
type versionedItem interface {
	// versionField is the name of the item's version attribute and the field holding it
	// (0: none stored yet).
	versionField() (name string, v *int)
}

// updateVersioned is the one read → decide → write-if-version loop.
//
//  1. It reads the item at k strongly consistently; absent, it returns absent.
//  2. decide changes a copy of it (an error returns unchanged: nothing is written); the
//     copy's version becomes the one read + 1.
//  3. commit writes the decision in one transaction (or a first one, see commitMember)
//     whose write of the item is under cond: the item exists at the version read. A
//     failed cond must come back as errStale (versionedUpdate and versionedDelete do so).
//  4. On errStale it waits (jittered, growing, ending with ctx) and goes back to 1, at
//     most versionedAttempts times; then it returns busy.
//
// It returns the item as written.
func updateVersioned[I any, P interface {
	*I
	versionedItem
}](ctx context.Context, s *Store, k map[string]types.AttributeValue, absent, busy error,
	decide func(P) error, commit func(ctx context.Context, before, after P, cond expression.ConditionBuilder) error) (I, error) {
	return retryStale(ctx, versionedAttempts, busy, func() (I, error) {
		var zero, before, after I
		found, err := s.get(ctx, k, &before)
		if err != nil {
			return zero, err
		}
		if !found {
			return zero, absent
		}
		if err := deepCopy(&after, &before); err != nil {
			return zero, err
		}
		if err := decide(&after); err != nil {
			return zero, err
		}
		name, read := P(&before).versionField()
		_, next := P(&after).versionField()
		*next = *read + 1
		if err := commit(ctx, &before, &after, readVersion(name, *read)); err != nil {
			return zero, err
		}
		return after, nil
	})
}

// retryStale is the one retry of a write that lost a race: it runs try until try returns
// anything but errStale, waiting (jittered, growing, ending with ctx) between attempts;
// after attempts stale ones it returns busy. try reads, decides and writes under a
// condition on what it read, answering errStale when the condition failed.
func retryStale[T any](ctx context.Context, attempts int, busy error, try func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := try()
		if !errors.Is(err, errStale) {
			return v, err
		}
		if attempt == attempts {
			var zero T
			return zero, busy
		}
		if err := pause(ctx, attempt); err != nil {
			var zero T
			return zero, err
		}
	}
}

// readVersion is the condition that the item exists at version v (0: it has no version
// attribute yet, or 0 stored).
func readVersion(name string, v int) expression.ConditionBuilder {
	exists := expression.AttributeExists(expression.Name("PK"))
	if v == 0 {
		return exists.And(expression.AttributeNotExists(expression.Name(name)).Or(expression.Name(name).Equal(expression.Value(0))))
	}
	return exists.And(expression.Name(name).Equal(expression.Value(v)))
}

// pause waits before attempt n+1, or until ctx ends.
func pause(ctx context.Context, n int) error {
	d := min(basePause<<min(n-1, 16), maxPause)
	return sleep(ctx, rand.N(d)+1)
}

// deepCopy makes dst an independent copy of src (as stored: marshalled and read back).
func deepCopy(dst, src any) error {
	av, err := attributevalue.Marshal(src)
	if err != nil {
		return err
	}
	return attributevalue.Unmarshal(av, dst)
}

// versionedUpdate is the transactional write of an item from before to after under cond
// (failing with errStale): the attributes after changed are set, those it dropped
// removed, and every other attribute left alone, so that what others write without a
// version (reply counts, failed logins, password hashes) survives. skip names attributes
// the caller sets itself in extra.
func (s *Store) versionedUpdate(k map[string]types.AttributeValue, before, after any, cond expression.ConditionBuilder,
	extra func(expression.UpdateBuilder) expression.UpdateBuilder, skip ...string) (txItem, error) {
	b, err := attributevalue.MarshalMap(before)
	if err != nil {
		return txItem{}, err
	}
	a, err := attributevalue.MarshalMap(after)
	if err != nil {
		return txItem{}, err
	}
	var upd expression.UpdateBuilder
	names := make([]string, 0, len(a))
	for name := range a {
		names = append(names, name)
	}
	slices.Sort(names) // the same expression for the same change
	for _, name := range names {
		if !slices.Contains(skip, name) && !reflect.DeepEqual(a[name], b[name]) {
			upd = upd.Set(expression.Name(name), expression.Value(a[name]))
		}
	}
	names = names[:0]
	for name := range b {
		if _, kept := a[name]; !kept && !slices.Contains(skip, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		upd = upd.Remove(expression.Name(name))
	}
	if extra != nil {
		upd = extra(upd)
	}
	return s.update(k, expression.NewBuilder().WithCondition(cond).WithUpdate(upd), fail(errStale))
}

// versionedDelete is the transactional delete of an item under cond (failing with
// errStale).
func (s *Store) versionedDelete(k map[string]types.AttributeValue, cond expression.ConditionBuilder) (txItem, error) {
	return s.del(k, &cond, fail(errStale))
}
