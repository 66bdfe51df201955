package ddbjson

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
)

// Load writes a written directory into a table of DynamoDB Local (a copy of the
// template's): GetItem reads every item back as written, every type included. Two items
// with one key (the second in the same 25) do not fail the load: one of them is stored.
func TestLoadIntoDynamoDBLocal(t *testing.T) {
	table := testenv.NewTable(t)
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.MaxFileBytes = 16 << 10 // several files
	var want []map[string]av
	for i := range 140 {
		it := everyType(fmt.Sprintf("LOAD#%03d", i))
		it["GSI1PK"], it["GSI1SK"] = s("LOADED"), s(fmt.Sprintf("%03d", i))
		it["num"] = n("-12500") // DynamoDB stores numbers canonical ("-12.5E3" reads back so)
		want = append(want, it)
	}
	dupA := map[string]av{"PK": s("DUP"), "SK": s("ITEM"), "v": n("1")}
	dupB := map[string]av{"PK": s("DUP"), "SK": s("ITEM"), "v": n("2")}
	if err := w.Put(want[:10]...); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(dupA, dupB); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(want[10:]...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	got, err := Load(t.Context(), testenv.DDB(), table, dir, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got != len(want)+2 {
		t.Fatalf("Load wrote %d items, want %d", got, len(want)+2)
	}
	get := func(pk string) map[string]av {
		t.Helper()
		out, err := testenv.DDB().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"PK": s(pk), "SK": s("ITEM")}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	for _, it := range want {
		pk := it["PK"].(*types.AttributeValueMemberS).Value
		if item := get(pk); !reflect.DeepEqual(normalize(item), normalize(it)) {
			gotLine, _ := encodeLine(item)
			wantLine, _ := encodeLine(it)
			t.Fatalf("%s read back\n%s\nwant\n%s", pk, gotLine, wantLine)
		}
	}
	if d := get("DUP"); !reflect.DeepEqual(d, dupA) && !reflect.DeepEqual(d, dupB) {
		t.Fatalf("DUP is %#v", d)
	}
	// The index was written too (the table's own index, through Load's ordinary writes).
	q, err := testenv.DDB().Query(t.Context(), &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("LOADED")},
		Select: types.SelectCount})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != int32(len(want)) {
		t.Fatalf("GSI1 holds %d loaded items, want %d", q.Count, len(want))
	}
}
