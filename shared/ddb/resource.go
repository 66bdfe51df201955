package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/fold"
	"etwin/shared/resource"
)

// resourceScope is the one scope of the resource word index (filters apply in code).
var resourceScope = []string{scopeAll}

// resourceFilterAttrs ride on each word-index entry so that filters apply before the
// resources are read.
type resourceFilterAttrs struct {
	Theme    string `dynamodbav:"theme"`
	Language string `dynamodbav:"language"`
}

// resourceItem is a resource as stored: the resource item and each of its list entries.
type resourceItem struct {
	ResourceID  string      `dynamodbav:"resourceId"`
	Title       string      `dynamodbav:"title"`
	Description string      `dynamodbav:"description"`
	Theme       string      `dynamodbav:"theme"`
	Language    string      `dynamodbav:"language"`
	URL         string      `dynamodbav:"url"`
	Author      actorFields `dynamodbav:"author"`
	CreatedAt   time.Time   `dynamodbav:"createdAt"`
	IndexWords  []string    `dynamodbav:"indexWords"`
}

func resourceItemOf(r resource.Resource) resourceItem {
	return resourceItem{ResourceID: r.ResourceID, Title: r.Title, Description: r.Description, Theme: r.Theme,
		Language: r.Language, URL: r.URL, Author: actorFields(r.Author), CreatedAt: r.CreatedAt, IndexWords: r.IndexWords}
}

func (it resourceItem) resource() resource.Resource {
	return resource.Resource{ResourceID: it.ResourceID, Title: it.Title, Description: it.Description, Theme: it.Theme,
		Language: it.Language, URL: it.URL, Author: resource.Author(it.Author), CreatedAt: it.CreatedAt, IndexWords: it.IndexWords}
}

func resourceOrder(r resource.Resource) string {
	return newestFirst(r.CreatedAt, r.ResourceID)
}

// CreateResource writes the resource, a copy in each list it appears in (all, its theme,
// its language, both) and its word-index entries, in one transaction.
func (s *Store) CreateResource(ctx context.Context, r resource.Resource) error {
	stored := resourceItemOf(r)
	it, err := item(resourcePK(r.ResourceID), skResource, "resource", stored)
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(it, fail(errBusy))}
	for _, pk := range resourceListPKs(r.Theme, r.Language) {
		entry, err := item(pk, resourceListSK(r.ResourceID), "resourceListEntry", stored)
		if err != nil {
			return err
		}
		items = append(items, s.put(entry))
	}
	entries, err := s.indexPuts(resourceWords, resourceScope, r.IndexWords, resourceOrder(r), r.ResourceID,
		resourceFilterAttrs{Theme: r.Theme, Language: r.Language})
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, entries...))
}

// GetResource reads one resource.
func (s *Store) GetResource(ctx context.Context, resourceID string) (resource.Resource, bool, error) {
	var it resourceItem
	found, err := s.get(ctx, key(resourcePK(resourceID), skResource), &it)
	return it.resource(), found, err
}

// ListResources Queries the list partition of the filter, newest first.
func (s *Store) ListResources(ctx context.Context, f resource.Filter, after string, limit int) ([]resource.Resource, string, error) {
	return listPartition(ctx, s, partition{PK: resourceListPK(f.Theme, f.Language), Prefix: prefixResource}, after, limit, resourceItem.resource)
}

// SearchResources is a word search of the resource index: entries outside the filter are
// dropped as read, the others' resources are read with BatchGetItem and matched on every
// word of their title and description.
func (s *Store) SearchResources(ctx context.Context, f resource.Filter, q fold.Search, after string, limit int) ([]resource.Resource, string, error) {
	return wordSearch(ctx, s, resourceWords, scopeAll, q.Lead, after, limit, func(ctx context.Context, batch []indexEntry) ([]*resource.Resource, error) {
		var keys []map[string]types.AttributeValue
		seen := map[string]bool{}
		for _, e := range batch {
			if !seen[e.Ref] && f.Matches(&resource.Resource{Theme: str(e.Item, "theme"), Language: str(e.Item, "language")}) {
				seen[e.Ref] = true
				keys = append(keys, key(resourcePK(e.Ref), skResource))
			}
		}
		found, err := s.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make([]*resource.Resource, len(batch))
		for i, e := range batch {
			raw, ok := found[keyRef(resourcePK(e.Ref), skResource)]
			if !ok {
				continue
			}
			var it resourceItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, err
			}
			r := it.resource()
			if f.Matches(&r) && q.Counts(e.Word, r.IndexWords, r.Words()) {
				out[i] = &r
			}
		}
		return out, nil
	})
}
