package ddb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/twinspace"
)

// One TwinSpace page (docs/data-model.md "Projects and TwinSpace"). A page's item is
// PROJECT#<id> / PAGE#<createdAt>#<pageId>, so that the TwinSpace's one Query lists the
// pages oldest first; its pageId is token.SortableID("g-", createdAt), whose first 12 hex
// digits are createdAt's Unix milliseconds: the page is found by a Query of the sort keys
// PAGE#<that second>, never by reading the whole partition.

// toPage is the stored page as the domain has it (a page written before edits existed
// has no updatedAt: its createdAt).
func (pg pageFields) toPage() twinspace.Page {
	p := twinspace.Page(pg)
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	return p
}

// versionField implements versionedItem.
func (pg *pageFields) versionField() (string, *int) { return "version", &pg.Version }

// pageSecond is the PAGE#<second> prefix of the sort key of the page pageID (false: the
// id is none of SortableID's).
func pageSecond(pageID string) (string, bool) {
	const prefix, digits = "g-", 12
	if len(pageID) <= len(prefix)+digits || !strings.HasPrefix(pageID, prefix) {
		return "", false
	}
	ms, err := strconv.ParseInt(pageID[len(prefix):len(prefix)+digits], 16, 64)
	if err != nil {
		return "", false
	}
	return prefixProjectPage + time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05"), true
}

// findPage reads the page pageID of projectID: one strongly consistent Query of the sort
// keys of its second (the pages created in that second). It returns the item's key.
func (s *Store) findPage(ctx context.Context, projectID, pageID string) (pageFields, map[string]types.AttributeValue, bool, error) {
	prefix, ok := pageSecond(pageID)
	if !ok {
		return pageFields{}, nil, false, nil
	}
	in, err := partition{PK: projectPK(projectID), Prefix: prefix, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return pageFields{}, nil, false, err
	}
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return pageFields{}, nil, false, err
	}
	for _, raw := range items {
		if sk := str(raw, "SK"); strings.HasSuffix(sk, "#"+pageID) {
			var pg pageFields
			if err := attributevalue.UnmarshalMap(raw, &pg); err != nil {
				return pageFields{}, nil, false, err
			}
			return pg, key(projectPK(projectID), sk), true, nil
		}
	}
	return pageFields{}, nil, false, nil
}

// GetPage implements twinspace.Store (findPage).
func (s *Store) GetPage(ctx context.Context, projectID, pageID string) (twinspace.Page, bool, error) {
	pg, _, ok, err := s.findPage(ctx, projectID, pageID)
	return pg.toPage(), ok, err
}

// UpdatePage implements twinspace.Store with updateVersioned: the project still approved,
// the editor still a partner, the page as decided (conditional on the version read), in
// one transaction.
func (s *Store) UpdatePage(ctx context.Context, projectID, pageID, editorID string, decide func(*twinspace.Page) error) (twinspace.Page, error) {
	_, k, ok, err := s.findPage(ctx, projectID, pageID)
	if err != nil {
		return twinspace.Page{}, err
	}
	if !ok {
		return twinspace.Page{}, twinspace.ErrNoPage
	}
	it, err := updateVersioned(ctx, s, k, twinspace.ErrNoPage, twinspace.ErrPageBusy,
		func(it *pageFields) error {
			p := it.toPage()
			if err := decide(&p); err != nil {
				return err
			}
			*it = pageFields(p)
			return nil
		},
		func(ctx context.Context, before, after *pageFields, cond expression.ConditionBuilder) error {
			open, err := s.projectOpen(projectID)
			if err != nil {
				return err
			}
			editor := s.exists(key(projectPK(projectID), projectMemberSK(editorID)), fail(twinspace.ErrGone))
			u, err := s.versionedUpdate(k, before, after, cond, nil)
			if err != nil {
				return err
			}
			return s.transact(ctx, []txItem{open, editor, u})
		})
	return it.toPage(), err
}

// DeletePage implements twinspace.Store: the project still approved, the caller still an
// administrator, the page (if it is there), in one transaction.
func (s *Store) DeletePage(ctx context.Context, projectID, pageID, adminID string) error {
	_, k, ok, err := s.findPage(ctx, projectID, pageID)
	if err != nil {
		return err
	}
	if !ok {
		return twinspace.ErrNoPage
	}
	return s.deleteAsAdmin(ctx, projectID, adminID, k, twinspace.ErrNoPage)
}
