package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The outbox's cost model (section 6).
const (
	// sesProductionRate is SES's default sending rate for an account out of the sandbox,
	// in e-mails per second: the mail-sender's instances (reserved concurrency) times
	// MAIL_SEND_RATE share it.
	sesProductionRate = 14.0
	// sesPricePerThousand is SES's price for 1,000 e-mails sent (USD, attachments aside).
	sesPricePerThousand = 0.10
	// sweepInvitations is the certification sweep's night: every teacher of the 2,900
	// and more eligible schools.
	sweepInvitations = 30000
)

// deliveryTime is how long n e-mails take at rate e-mails per second (0 for no rate).
func deliveryTime(n int, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(n) / rate * float64(time.Second))
}

// sesCost is SES's price for n e-mails, in USD.
func sesCost(n int) float64 { return float64(n) / 1000 * sesPricePerThousand }

// DynamoDB Local reports a transaction's capacity as 4 units per started KB of the
// whole transaction, whatever the number of items; AWS charges 2 write units per
// started KB of each item. txUnits applies AWS's rule to the TransactWriteItems
// requests a use case sent (their JSON bodies): a Put costs by the item it writes; an
// Update, Delete or ConditionCheck by the stored item, read afterwards (an Update's
// after-image, or just the key when the item is gone). A ConditionCheck is counted
// like a write of its item.
func txUnits(ctx context.Context, db *dynamodb.Client, bodies [][]byte) (float64, error) {
	var units float64
	for _, b := range bodies {
		var tx struct {
			TransactItems []struct {
				Put *struct {
					TableName string
					Item      map[string]json.RawMessage
				}
				Update, Delete, ConditionCheck *struct {
					TableName string
					Key       map[string]json.RawMessage
				}
			}
		}
		if err := json.Unmarshal(b, &tx); err != nil {
			return 0, err
		}
		for _, it := range tx.TransactItems {
			var size int
			if it.Put != nil {
				size = itemSizeJSON(it.Put.Item)
			} else {
				ref := it.Update
				if ref == nil {
					ref = it.Delete
				}
				if ref == nil {
					ref = it.ConditionCheck
				}
				if ref == nil {
					continue
				}
				size = itemSizeJSON(ref.Key)
				key := map[string]types.AttributeValue{}
				for name, raw := range ref.Key {
					var v struct{ S, N *string }
					if json.Unmarshal(raw, &v) == nil && v.S != nil {
						key[name] = &types.AttributeValueMemberS{Value: *v.S}
					} else if v.N != nil {
						key[name] = &types.AttributeValueMemberN{Value: *v.N}
					}
				}
				out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ref.TableName), Key: key, ConsistentRead: aws.Bool(true)})
				if err != nil {
					return 0, err
				}
				if out.Item != nil {
					size = max(size, itemSize(out.Item))
				}
			}
			units += 2 * float64((size+1023)/1024)
		}
	}
	return units, nil
}

// The item size rules of DynamoDB: attribute names count in UTF-8 bytes; strings
// likewise; numbers about one byte per two significant digits plus one; binary its
// length; booleans and nulls one byte; lists and maps 3 bytes plus one per element.

func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

func itemSizeJSON(item map[string]json.RawMessage) int {
	n := 0
	for name, raw := range item {
		n += len(name) + valueSizeJSON(raw)
	}
	return n
}

func valueSizeJSON(raw json.RawMessage) int {
	var v struct {
		S, N, B    *string
		BOOL, NULL *bool
		SS, NS, BS []string
		L          []json.RawMessage
		M          map[string]json.RawMessage
	}
	if json.Unmarshal(raw, &v) != nil {
		return 0
	}
	switch {
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		b, _ := base64.StdEncoding.DecodeString(*v.B)
		return len(b)
	case v.BOOL != nil || v.NULL != nil:
		return 1
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case v.BS != nil:
		n := 0
		for _, s := range v.BS {
			b, _ := base64.StdEncoding.DecodeString(s)
			n += len(b)
		}
		return n
	case v.L != nil:
		n := 3
		for _, e := range v.L {
			n += 1 + valueSizeJSON(e)
		}
		return n
	case v.M != nil:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + valueSizeJSON(e)
		}
		return n
	}
	return 0
}

// numberSize: leading and trailing zeros do not count; 1 byte per 2 significant
// digits, plus 1.
func numberSize(s string) int {
	s = strings.TrimLeft(s, "+-")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	s = strings.Trim(strings.Replace(s, ".", "", 1), "0")
	digits := utf8.RuneCountInString(s)
	return (digits+1)/2 + 1
}

// The eligibility sweep's cost model (section 8): DynamoDB on-demand list prices (USD;
// us-east-1, EU regions a little higher) and eTwinning's scale.
const (
	ddbWritePricePerMillion = 0.625 // per million write request units
	ddbReadPricePerMillion  = 0.125 // per million read request units
	etwinningSchools        = 250000
	etwinningTeachers       = 1200000
	// etwinningEligible is the share of schools found eligible in the 2025-26 round.
	etwinningEligible = 2900
)

// ddbCost is the on-demand price of read and write request units, in USD.
func ddbCost(u SweepCounts) float64 {
	return u.Read/1e6*ddbReadPricePerMillion + u.Write/1e6*ddbWritePricePerMillion
}

// SweepCost is one sweep at eTwinning's scale, from the units measured at one size:
// judging's per school judged (the pages, the verdicts, the checkpoints), the invited-so-far
// Query's per eligible school, and the recipients' reads and the invitations' transactions
// per invitation, all by AWS's rules.
type SweepCost struct {
	From                                  int // the schools of the size measured
	PerSchool, PerEligible, PerInvitation SweepCounts
	Schools, Eligible, Invitations        int // at eTwinning's scale
	Total                                 SweepCounts
	DDB, SES                              float64 // USD
}

// sweepCost models one sweep at eTwinning's scale from sc's first run (zero when it
// judged nothing).
func sweepCost(sc SweepScale) SweepCost {
	r := sc.First
	c := SweepCost{From: sc.Schools, Schools: etwinningSchools, Eligible: etwinningEligible, Invitations: sweepInvitations}
	if r.Report.Schools == 0 {
		return c
	}
	c.PerSchool = SweepCounts{Read: r.Judging.ReadAWS() / float64(r.Report.Schools), Write: r.Judging.WriteAWS / float64(r.Report.Schools)}
	// the Query of the round's invitations so far is one per eligible school (empty on a
	// first sweep: the zero-unit reads)
	query := r.Inviting.Units["Query"] + float64(r.Inviting.ZeroReads)
	if r.Report.Eligible > 0 {
		c.PerEligible = SweepCounts{Read: query / float64(r.Report.Eligible)}
	}
	if r.Report.Invited > 0 {
		c.PerInvitation = SweepCounts{Read: (r.Inviting.ReadAWS() - query) / float64(r.Report.Invited), Write: r.Inviting.WriteAWS / float64(r.Report.Invited)}
	}
	add := func(per SweepCounts, n int) {
		c.Total.Read += per.Read * float64(n)
		c.Total.Write += per.Write * float64(n)
	}
	add(c.PerSchool, c.Schools)
	add(c.PerEligible, c.Eligible)
	add(c.PerInvitation, c.Invitations)
	c.DDB = ddbCost(c.Total)
	c.SES = sesCost(c.Invitations)
	return c
}
