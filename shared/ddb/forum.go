package ddb

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/fold"
	"etwin/shared/forum"
	"etwin/shared/moderation"
)

// postOrder files a post's index entries newest first within a word.
func postOrder(p forum.Post) string {
	return newestFirst(p.CreatedAt, p.PostID)
}

func postKey(ageGroup, postID string) map[string]types.AttributeValue {
	return key(forumPK(ageGroup), postSK(postID))
}

// CreatePost writes the post and its word-index entries in one transaction.
func (s *Store) CreatePost(ctx context.Context, p forum.Post) error {
	it, err := item(forumPK(p.AgeGroup), postSK(p.PostID), "post", postItemOf(p))
	if err != nil {
		return err
	}
	entries, err := s.indexPuts(postWords, []string{p.AgeGroup}, p.IndexWords, postOrder(p), p.PostID, nil)
	if err != nil {
		return err
	}
	return s.transact(ctx, append([]txItem{s.putNew(it, fail(errBusy))}, entries...))
}

// GetPost reads one post of a forum.
func (s *Store) GetPost(ctx context.Context, ageGroup, postID string) (forum.Post, bool, error) {
	var it postItem
	found, err := s.get(ctx, postKey(ageGroup, postID), &it)
	return it.toPost(), found, err
}

// ListPosts Queries the forum's partition newest first.
func (s *Store) ListPosts(ctx context.Context, ageGroup, after string, limit int) ([]forum.Post, string, error) {
	return listPartition(ctx, s, partition{PK: forumPK(ageGroup), Prefix: prefixPost}, after, limit, func(it postItem) forum.Post { return it.toPost() })
}

// SearchPosts is a word search of the forum's post index; the posts are read with
// BatchGetItem and matched on every word of their title and body.
func (s *Store) SearchPosts(ctx context.Context, ageGroup string, q fold.Search, after string, limit int) ([]forum.Post, string, error) {
	return wordSearch(ctx, s, postWords, ageGroup, q.Lead, after, limit, func(ctx context.Context, batch []indexEntry) ([]*forum.Post, error) {
		keys := make([]map[string]types.AttributeValue, 0, len(batch))
		seen := map[string]bool{}
		for _, e := range batch {
			if !seen[e.Ref] {
				seen[e.Ref] = true
				keys = append(keys, postKey(ageGroup, e.Ref))
			}
		}
		found, err := s.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make([]*forum.Post, len(batch))
		for i, e := range batch {
			raw, ok := found[keyRef(forumPK(ageGroup), postSK(e.Ref))]
			if !ok {
				continue // deleted since the entry was read
			}
			var it postItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, err
			}
			p := it.toPost()
			// An entry read before an edit removed its word no longer counts.
			if slices.Contains(p.IndexWords, e.Word) && q.Counts(e.Word, p.IndexWords, p.Words()) {
				out[i] = &p
			}
		}
		return out, nil
	})
}

// versionField implements versionedItem.
func (it *postItem) versionField() (string, *int) { return "version", &it.Version }

// UpdatePost implements forum.Store with updateVersioned: the post as decided
// (conditional on the version read), the index entries of words it lost removed and
// those of words it gained added, in one transaction.
func (s *Store) UpdatePost(ctx context.Context, ageGroup, postID string, decide func(*forum.Post) error) (forum.Post, error) {
	it, err := updateVersioned(ctx, s, postKey(ageGroup, postID), forum.ErrNoPost, forum.ErrBusy,
		func(it *postItem) error {
			p := it.toPost()
			if err := decide(&p); err != nil {
				return err
			}
			*it = postItemOf(p)
			return nil
		},
		func(ctx context.Context, before, after *postItem, cond expression.ConditionBuilder) error {
			u, err := s.versionedUpdate(postKey(ageGroup, postID), before, after, cond, nil)
			if err != nil {
				return err
			}
			old := before.toPost()
			gone, added := wordDiff(before.IndexWords, after.IndexWords)
			puts, err := s.indexPuts(postWords, []string{ageGroup}, added, postOrder(old), postID, nil)
			if err != nil {
				return err
			}
			items := append([]txItem{u}, s.indexDeletes(postWords, []string{ageGroup}, gone, postOrder(old))...)
			return s.transact(ctx, append(items, puts...))
		})
	return it.toPost(), err
}

// DeletePost implements forum.Store with updateVersioned: when decide allows it, the post
// and its index entries go in one transaction conditional on the version read, then its
// replies (unreachable once the post is gone; BatchWriteItem in pages).
//
// A moderation removal that decide returns (its record and the author's notification)
// joins the post's transaction.
func (s *Store) DeletePost(ctx context.Context, ageGroup, postID string, decide func(*forum.Post) (*moderation.Removal, error)) error {
	var rm *moderation.Removal
	_, err := updateVersioned(ctx, s, postKey(ageGroup, postID), forum.ErrNoPost, forum.ErrBusy,
		func(it *postItem) error {
			p := it.toPost()
			var err error
			rm, err = decide(&p)
			return err
		},
		func(ctx context.Context, before, _ *postItem, cond expression.ConditionBuilder) error {
			del, err := s.versionedDelete(postKey(ageGroup, postID), cond)
			if err != nil {
				return err
			}
			p := before.toPost()
			items := append([]txItem{del}, s.indexDeletes(postWords, []string{ageGroup}, p.IndexWords, postOrder(p))...)
			removal, err := s.removalItems(rm)
			if err != nil {
				return err
			}
			if err := s.transact(ctx, append(items, removal...)); err != nil {
				return err
			}
			return s.deletePartition(ctx, repliesPK(postID))
		})
	return err
}

// CreateReply writes the reply and counts it on the post, which must exist.
func (s *Store) CreateReply(ctx context.Context, ageGroup string, r forum.Reply) error {
	it, err := item(repliesPK(r.PostID), replySK(r.ReplyID), "reply", replyItemOf(r))
	if err != nil {
		return err
	}
	count, err := s.update(postKey(ageGroup, r.PostID), expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("replyCount"), expression.Value(1))).
		WithCondition(expression.AttributeExists(expression.Name("PK"))), fail(forum.ErrNoPost))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{count, s.putNew(it, fail(errBusy))})
}

// GetReply reads one reply of a post.
func (s *Store) GetReply(ctx context.Context, postID, replyID string) (forum.Reply, bool, error) {
	var it replyItem
	found, err := s.get(ctx, key(repliesPK(postID), replySK(replyID)), &it)
	return it.toReply(), found, err
}

// ListReplies Queries the post's replies oldest first.
func (s *Store) ListReplies(ctx context.Context, postID, after string, limit int) ([]forum.Reply, string, error) {
	return listPartition(ctx, s, partition{PK: repliesPK(postID), Prefix: prefixReply, Forward: true}, after, limit, func(it replyItem) forum.Reply { return it.toReply() })
}

// byAuthor is the condition that a reply exists and is the author's.
func byAuthor(memberID string) expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name("PK")).And(expression.Name("author.memberId").Equal(expression.Value(memberID)))
}

// UpdateReply changes the reply's body if it is still the author's and the post exists.
func (s *Store) UpdateReply(ctx context.Context, ageGroup string, r forum.Reply) error {
	upd := expression.Set(expression.Name("body"), expression.Value(r.Body)).Set(expression.Name("updatedAt"), expression.Value(r.UpdatedAt))
	u, err := s.update(key(repliesPK(r.PostID), replySK(r.ReplyID)), expression.NewBuilder().WithUpdate(upd).WithCondition(byAuthor(r.Author.MemberID)), fail(forum.ErrNoReply))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{u, s.exists(postKey(ageGroup, r.PostID), fail(forum.ErrNoPost))})
}

// DeleteReply removes the author's reply and uncounts it on the post, with a moderation
// removal's record and notification (rm, or nil) in the same transaction.
func (s *Store) DeleteReply(ctx context.Context, ageGroup string, r forum.Reply, rm *moderation.Removal) error {
	del, err := s.deleteIf(key(repliesPK(r.PostID), replySK(r.ReplyID)), byAuthor(r.Author.MemberID), fail(forum.ErrNoReply))
	if err != nil {
		return err
	}
	count, err := s.update(postKey(ageGroup, r.PostID), expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("replyCount"), expression.Value(-1))).
		WithCondition(expression.AttributeExists(expression.Name("PK"))), fail(forum.ErrNoPost))
	if err != nil {
		return err
	}
	removal, err := s.removalItems(rm)
	if err != nil {
		return err
	}
	return s.transact(ctx, append([]txItem{del, count}, removal...))
}

// deleteIf is a transactional delete under a condition.
func (s *Store) deleteIf(k map[string]types.AttributeValue, cond expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
	e, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return txItem{}, err
	}
	return txItem{write: types.TransactWriteItem{Delete: &types.Delete{
		TableName: s.tableName(), Key: k, ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, onFail: onFail}, nil
}

// deletePartition deletes every item of a partition (keys read with a consistent Query,
// deleted page by page).
func (s *Store) deletePartition(ctx context.Context, pk string) error {
	in, err := partition{PK: pk, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return err
	}
	in.ProjectionExpression = aws.String("PK, SK")
	return s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		return true, s.deleteKeys(ctx, out.Items)
	})
}
