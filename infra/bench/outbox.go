package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/outbox"
	"etwin/shared/token"
)

// The outbox benchmark: e-mails committed straight to the outbox (Store.QueueMail, as a
// cause's transaction writes them) on a table of its own, delivered by the built
// mail-sender through the gateway's local stream event source mapping and the local SES.
// Every figure comes from the items: createdAt (set at commit) and finishedAt (set by the
// mail-sender after SES answered), both from this machine's clock.

// outboxFunction is the folder of the function that delivers the outbox.
const outboxFunction = "mail-sender"

// OutboxRun is one run of e-mails through the outbox.
type OutboxRun struct {
	Name    string
	Emails  int           // committed
	Offered float64       // e-mails per second offered; 0: all at once (a burst)
	Commit  time.Duration // first commit to last commit
	// Span is the first item's createdAt to the last finishedAt (of the finished items).
	Span time.Duration
	// Delay is finishedAt − createdAt of each finished item; P95 its 95th percentile.
	Delay Summary
	P95   time.Duration
	// States counts the final states; Unfinished the items not final within Wait.
	States     map[string]int
	Unfinished int
	Wait       time.Duration
}

// Rate is the e-mails per second through the outbox: finished items over Span.
func (r OutboxRun) Rate() float64 {
	if r.Span <= 0 {
		return 0
	}
	return float64(r.Delay.N) / r.Span.Seconds()
}

// OutboxResult is the outbox section of the report.
type OutboxResult struct {
	// The mail-sender as the template configures it.
	SendRate       float64 // MAIL_SEND_RATE: e-mails per second per instance
	BatchSize      int
	BatchingWindow time.Duration
	Instances      int // mail-sender instances started (the warm-up's included)
	Crashes        int // invocations whose instance exited (a crash, a kill)
	DeadLetters    int // on-failure records of its stream event source
	Runs           []OutboxRun
	Cost           MailCost
}

// Burst is the run committed all at once (nil when there is none).
func (r *OutboxResult) Burst() *OutboxRun {
	for i := range r.Runs {
		if r.Runs[i].Offered == 0 {
			return &r.Runs[i]
		}
	}
	return nil
}

// runOutbox runs the outbox benchmark: a warm-up e-mail, a burst of cfg.OutboxBurst
// e-mails, then cfg.OutboxRate e-mails a second for cfg.OutboxSteady, on tables of its
// own (named base-mail-<logical ID>, deleted after), then the cost probe.
func runOutbox(ctx context.Context, cfg Config, o gateway.Options, ddbURL, base string, progress func(string, ...any)) (*OutboxResult, error) {
	tableName := func(logicalID string) string { return base + "-mail-" + logicalID }
	tmpl, err := gateway.LoadTemplate(cfg.Template, gateway.TemplateOptions{Parameters: o.Parameters, TableName: tableName})
	if err != nil {
		return nil, err
	}
	def := tmpl.FunctionByName(outboxFunction)
	if def == nil || len(def.StreamSources) == 0 {
		return nil, fmt.Errorf("bench: the template has no %s function with a stream event source", outboxFunction)
	}
	src := def.StreamSources[0]
	res := &OutboxResult{BatchSize: src.BatchSize, BatchingWindow: src.BatchingWindow}
	if res.SendRate, err = strconv.ParseFloat(def.Env["MAIL_SEND_RATE"], 64); err != nil || res.SendRate <= 0 {
		return nil, fmt.Errorf("bench: %s has no MAIL_SEND_RATE (%q)", outboxFunction, def.Env["MAIL_SEND_RATE"])
	}
	table := def.Env["TABLE_NAME"]

	client := localstack.NewDynamoClient(ddbURL)
	if err := localstack.CreateTables(ctx, client, cfg.Template, tableName); err != nil {
		return nil, err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, id := range tmpl.Tables {
			client.DeleteTable(dctx, &dynamodb.DeleteTableInput{TableName: aws.String(tableName(id))})
		}
	}()
	store := ddb.New(client, table)

	o.TableName = tableName
	o.DynamoEndpoint = ddbURL
	gw, err := gateway.New(o)
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			gw.Close()
		}
	}()

	// A warm-up e-mail starts the sender (its cold start is not part of the runs).
	warm, err := commitMails(ctx, store, "warmup", 1, 0, 1)
	if err != nil {
		return nil, err
	}
	if r := awaitMails(ctx, store, warm, "warm-up", 0, 0, 30*time.Second); r.Unfinished > 0 {
		return nil, fmt.Errorf("bench: the %s did not deliver a warm-up e-mail within 30 s (see the function log)", outboxFunction)
	}

	// The wait for a run: twice what the pacing needs, and half a minute.
	bound := func(n int) time.Duration {
		return 30*time.Second + time.Duration(2*float64(n)/res.SendRate*float64(time.Second))
	}
	if cfg.OutboxBurst > 0 {
		progress("outbox: committing %d e-mails at once", cfg.OutboxBurst)
		c, err := commitMails(ctx, store, "burst", cfg.OutboxBurst, 0, cfg.Concurrency)
		if err != nil {
			return nil, err
		}
		r := awaitMails(ctx, store, c, "burst", 0, c.span, bound(cfg.OutboxBurst))
		progress("outbox: burst of %d: %.1f e-mails/s, delay p50 %s, p99 %s, %d unfinished", r.Emails, r.Rate(), fmtDur(r.Delay.P50), fmtDur(r.Delay.P99), r.Unfinished)
		res.Runs = append(res.Runs, r)
	}
	if n := int(cfg.OutboxRate*cfg.OutboxSteady.Seconds() + 0.5); cfg.OutboxRate > 0 && n > 0 {
		progress("outbox: committing %.3g e-mails/s for %s (%d e-mails)", cfg.OutboxRate, cfg.OutboxSteady, n)
		c, err := commitMails(ctx, store, "steady", n, cfg.OutboxRate, 1)
		if err != nil {
			return nil, err
		}
		r := awaitMails(ctx, store, c, "steady", cfg.OutboxRate, c.span, bound(n))
		progress("outbox: steady %.3g/s: %.1f e-mails/s, delay p50 %s, p99 %s, %d unfinished", cfg.OutboxRate, r.Rate(), fmtDur(r.Delay.P50), fmtDur(r.Delay.P99), r.Unfinished)
		res.Runs = append(res.Runs, r)
	}
	if st, ok := gw.Stats()[def.LogicalID]; ok {
		res.Instances, res.Crashes = st.InstancesStarted, st.Crashes
	}
	if src.OnFailure != "" {
		res.DeadLetters = len(gw.DeadLetters(src.OnFailure))
	}
	// The cost probe calls the sender's Store methods itself: no sender may run by then.
	gw.Close()
	closed = true
	if res.Cost, err = mailCost(ctx, ddbURL, table, client); err != nil {
		return nil, fmt.Errorf("bench: outbox cost probe: %w", err)
	}
	return res, nil
}

// committed are the e-mails of one run, in commit order.
type committed struct {
	ids  []string
	span time.Duration // first commit to last commit
}

// invitation is the envelope the runs commit: a staff welcome (a link that sets a
// password, a date), the closest existing kind to the certification sweep's invitations.
func invitation(to string, now time.Time) mail.Envelope {
	return mail.Envelope{Kind: mail.StaffWelcome, To: to, Lang: "ro", Country: "RO",
		Data: map[string]string{"FirstName": "Ioana", "Username": "ioana.popescu", "Role": "NSO"},
		Link: "/password-reset?token=" + token.New(), Times: map[string]time.Time{"Expires": now.Add(72 * time.Hour)}}
}

// commitMails commits n e-mails to distinct addresses at example.org: all at once from
// workers goroutines (rate 0), or one every 1/rate seconds.
func commitMails(ctx context.Context, store *ddb.Store, run string, n int, rate float64, workers int) (committed, error) {
	tag := randomHex(3)
	ids := make([]string, n)
	one := func(i int) error {
		now := time.Now()
		m := outbox.New(invitation(fmt.Sprintf("bench.%s.%s.%d@example.org", run, tag, i), now), nil, now)
		ids[i] = m.ID
		return store.QueueMail(ctx, m)
	}
	start := time.Now()
	if rate > 0 {
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; i < n; i++ {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				select {
				case <-ctx.Done():
					return committed{}, ctx.Err()
				case <-time.After(d):
				}
			}
			if err := one(i); err != nil {
				return committed{}, err
			}
		}
		return committed{ids: ids, span: time.Since(start)}, nil
	}
	var wg sync.WaitGroup
	errs := make([]error, max(workers, 1))
	next := make(chan int)
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if errs[w] == nil {
					errs[w] = one(i)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return committed{}, err
	}
	return committed{ids: ids, span: time.Since(start)}, nil
}

// awaitMails reads the items until every one is final or wait has passed, and
// summarizes them. It reads in commit order and stops a round at the first item not
// final yet (the stream delivers in that order), so it reads each item about once.
func awaitMails(ctx context.Context, store *ddb.Store, c committed, name string, rate float64, commit, wait time.Duration) OutboxRun {
	r := OutboxRun{Name: name, Emails: len(c.ids), Offered: rate, Commit: commit, States: map[string]int{}, Wait: wait}
	deadline := time.Now().Add(wait)
	pending := c.ids
	var delays []time.Duration
	var first, last time.Time
	for len(pending) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		for len(pending) > 0 {
			m, finishedAt, found, err := store.GetMailFinished(ctx, pending[0])
			if err != nil || !found || !outbox.Final(m.State) || finishedAt.IsZero() {
				break
			}
			r.States[m.State]++
			delays = append(delays, finishedAt.Sub(m.CreatedAt))
			if first.IsZero() || m.CreatedAt.Before(first) {
				first = m.CreatedAt
			}
			if finishedAt.After(last) {
				last = finishedAt
			}
			pending = pending[1:]
		}
		if len(pending) > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	r.Unfinished = len(pending)
	r.Delay = Summarize(delays)
	r.P95 = r.Delay.Percentile(95)
	if !first.IsZero() {
		r.Span = last.Sub(first)
	}
	return r
}

// MailCost is what one e-mail costs in DynamoDB, by AWS's rules, measured in process on a
// probe e-mail of the runs' kind: the Store calls of the cause and of the mail-sender
// (outbox.Service.Deliver), one at a time, metered, in the order Deliver makes them.
type MailCost struct {
	ItemBytes int // the pending outbox item (DynamoDB's size rules)
	Steps     []MailStep
}

// MailStep is one DynamoDB call an e-mail costs.
type MailStep struct {
	Step, Call  string
	Write, Read float64 // capacity units by AWS's rules
	Stranger    bool    // only mail a stranger can cause
}

// PerMail adds the steps up: for mail a stranger can cause, or not.
func (c MailCost) PerMail(stranger bool) (write, read float64) {
	for _, s := range c.Steps {
		if s.Stranger && !stranger {
			continue
		}
		write += s.Write
		read += s.Read
	}
	return write, read
}

// kb is the started kilobytes of n bytes (at least 1): the write unit's measure.
func kb(n int) float64 { return float64(max((n+1023)/1024, 1)) }

// mailCost measures MailCost on the outbox table (no sender running).
func mailCost(ctx context.Context, ddbURL, table string, plain *dynamodb.Client) (MailCost, error) {
	m := &meter{}
	store := ddb.New(newMeteredClient(ddbURL, m), table).WithMeter(m.record)
	measure := func(f func() error) (*probe, error) {
		p := newProbe()
		m.cur.Store(p)
		defer m.cur.Store(nil)
		return p, f()
	}
	now := time.Now()
	e := invitation("bench.cost."+randomHex(3)+"@example.org", now)
	ml := outbox.New(e, nil, now)
	var c MailCost

	// 1. The cause's transaction: its Put, counted as AWS bills it.
	p, err := measure(func() error { return store.QueueMail(ctx, ml) })
	if err != nil {
		return c, err
	}
	if len(p.txs) != 1 {
		return c, fmt.Errorf("QueueMail sent %d transactions", len(p.txs))
	}
	put, key, err := putOf(p.txs[0])
	if err != nil {
		return c, err
	}
	c.ItemBytes = itemSizeJSON(put)
	w, err := txUnits(ctx, plain, p.txs)
	if err != nil {
		return c, err
	}
	c.Steps = append(c.Steps, MailStep{Step: "outbox item, in the cause's transaction", Call: "TransactWriteItems (its Put)", Write: w})
	size := func() (int, error) {
		out, err := plain.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return 0, err
		}
		return itemSize(out.Item), nil
	}

	// 2. The claim: a single-item write billed by the larger of the item before and after.
	var claimed outbox.Mail
	if _, err := measure(func() error {
		var ok bool
		var err error
		claimed, ok, _, err = store.ClaimMail(ctx, ml.ID, now, now.Add(outbox.Lease))
		if err == nil && !ok {
			err = errors.New("the probe e-mail was not claimed")
		}
		return err
	}); err != nil {
		return c, err
	}
	claimedBytes, err := size()
	if err != nil {
		return c, err
	}
	c.Steps = append(c.Steps, MailStep{Step: "claim (conditional)", Call: "UpdateItem", Write: kb(max(c.ItemBytes, claimedBytes))})

	// 3. The suppression list (a strongly consistent read; an absent item costs one unit).
	if p, err = measure(func() error { _, err := store.Suppressed(ctx, e.To); return err }); err != nil {
		return c, err
	}
	c.Steps = append(c.Steps, MailStep{Step: "suppression check", Call: "GetItem", Read: max(p.units, 1)})

	// 4. The per-address counters, for mail a stranger can cause.
	if p, err = measure(func() error { _, err := store.CountStrangerMail(ctx, e.To, now); return err }); err != nil {
		return c, err
	}
	if w, err = txUnits(ctx, plain, p.txs); err != nil {
		return c, err
	}
	c.Steps = append(c.Steps, MailStep{Step: "per-address counters (hour, day)", Call: "TransactWriteItems (2 Updates)", Write: w, Stranger: true})

	// 5. The outcome: the item's update, billed by the larger of the claimed item (with
	// its body) and the finished one (txUnits sees only the latter).
	if p, err = measure(func() error { return store.FinishMail(ctx, claimed, outbox.Sent, "", time.Now()) }); err != nil {
		return c, err
	}
	if w, err = txUnits(ctx, plain, p.txs); err != nil {
		return c, err
	}
	c.Steps = append(c.Steps, MailStep{Step: "outcome (the body dropped)", Call: "TransactWriteItems (1 Update)", Write: max(w, 2*kb(claimedBytes))})
	return c, nil
}

// putOf is the item of the one Put of a TransactWriteItems request body, and its key.
func putOf(body []byte) (map[string]json.RawMessage, map[string]types.AttributeValue, error) {
	var tx struct {
		TransactItems []struct {
			Put *struct{ Item map[string]json.RawMessage }
		}
	}
	if err := json.Unmarshal(body, &tx); err != nil {
		return nil, nil, err
	}
	if len(tx.TransactItems) != 1 || tx.TransactItems[0].Put == nil {
		return nil, nil, errors.New("the transaction is not one Put")
	}
	item := tx.TransactItems[0].Put.Item
	key := map[string]types.AttributeValue{}
	for _, name := range []string{"PK", "SK"} {
		var v struct{ S string }
		if err := json.Unmarshal(item[name], &v); err != nil || v.S == "" {
			return nil, nil, fmt.Errorf("the Put has no %s", name)
		}
		key[name] = &types.AttributeValueMemberS{Value: v.S}
	}
	return item, key, nil
}
