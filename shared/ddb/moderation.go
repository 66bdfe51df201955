package ddb

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/moderation"
)

// removalItem is a moderation record (MODLOG#<country> / <removedAt>#<id>; see keys.go).
type removalItem struct {
	ID        string             `dynamodbav:"id"`
	Kind      string             `dynamodbav:"contentKind"`
	ContentID string             `dynamodbav:"contentId"`
	AgeGroup  string             `dynamodbav:"ageGroup,omitempty"`
	PostID    string             `dynamodbav:"postId,omitempty"`
	RoomID    string             `dynamodbav:"roomId,omitempty"`
	AuthorID  string             `dynamodbav:"authorId"`
	Countries []string           `dynamodbav:"authorCountries"`
	Excerpt   string             `dynamodbav:"excerpt"`
	By        moderation.Remover `dynamodbav:"removedBy"`
	RemovedAt time.Time          `dynamodbav:"removedAt"`
	Reason    string             `dynamodbav:"reason"`
	GSI1PK    string             `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK    string             `dynamodbav:"GSI1SK,omitempty"`
}

func removalItemOf(r moderation.Record) removalItem {
	return removalItem{ID: r.ID, Kind: r.Kind, ContentID: r.ContentID, AgeGroup: r.Where.AgeGroup, PostID: r.Where.PostID,
		RoomID: r.Where.RoomID, AuthorID: r.AuthorID, Countries: r.Countries, Excerpt: r.Excerpt, By: r.RemovedBy,
		RemovedAt: r.RemovedAt, Reason: r.Reason}
}

func (it removalItem) record() moderation.Record {
	c := it.Countries
	if c == nil {
		c = []string{}
	}
	return moderation.Record{ID: it.ID, Kind: it.Kind, ContentID: it.ContentID,
		Where: moderation.Where{AgeGroup: it.AgeGroup, PostID: it.PostID, RoomID: it.RoomID}, AuthorID: it.AuthorID,
		Countries: c, Excerpt: it.Excerpt, RemovedBy: it.By, RemovedAt: it.RemovedAt, Reason: it.Reason}
}

// removalItems are the writes of a moderation removal for the content's delete
// transaction: its record under each of the author's countries (the first also on GSI1)
// and the author's notification with its e-mail. None for nil (the author's own delete).
func (s *Store) removalItems(rm *moderation.Removal) ([]txItem, error) {
	if rm == nil {
		return nil, nil
	}
	var out []txItem
	sk := modlogSK(rm.Record.RemovedAt, rm.Record.ID)
	for i, c := range rm.Record.PartitionCountries() {
		v := removalItemOf(rm.Record)
		if i == 0 {
			v.GSI1PK, v.GSI1SK = modlogGSI1PK, sk
		}
		it, err := item(modlogPK(c), sk, "removal", v)
		if err != nil {
			return nil, err
		}
		out = append(out, s.putNew(it, fail(errBusy)))
	}
	if rm.Notice != nil {
		notes, err := s.notificationItems(*rm.Notice)
		if err != nil {
			return nil, err
		}
		out = append(out, notes...)
	}
	return out, nil
}

// ListRemovals implements moderation.Store: a descending Query of MODLOG#<country>, or of
// GSI1 partition MODLOG for every country (""). A GSI1 position is "<country>|<sort key>"
// (the item's table key is part of where a Query of the index resumes).
func (s *Store) ListRemovals(ctx context.Context, country, after string, limit int) ([]moderation.Record, string, error) {
	if country != "" {
		return listPartition(ctx, s, partition{PK: modlogPK(country)}, after, limit, removalItem.record)
	}
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("GSI1PK").Equal(expression.Value(modlogGSI1PK))).Build()
	if err != nil {
		return nil, "", err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ScanIndexForward: aws.Bool(false)}
	if c, sk, ok := strings.Cut(after, "|"); ok {
		in.ExclusiveStartKey = key(modlogPK(c), sk)
		in.ExclusiveStartKey["GSI1PK"] = &types.AttributeValueMemberS{Value: modlogGSI1PK}
		in.ExclusiveStartKey["GSI1SK"] = &types.AttributeValueMemberS{Value: sk}
	}
	items, next, err := s.queryPage(ctx, in, limit)
	if err != nil {
		return nil, "", err
	}
	recs, err := decode(items, removalItem.record)
	if err != nil {
		return nil, "", err
	}
	if next != "" {
		next = strings.TrimPrefix(str(items[len(items)-1], "PK"), "MODLOG#") + "|" + next
	}
	return recs, next, nil
}
