package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/files"
)

// fileItem is the stored shape of a files.Item (PROJECT#<projectId> / FILE#<fileId>).
type fileItem struct {
	FileID          string    `dynamodbav:"fileId"`
	ProjectID       string    `dynamodbav:"projectId"`
	Name            string    `dynamodbav:"name"`
	ContentType     string    `dynamodbav:"contentType"`
	Size            int64     `dynamodbav:"size"`
	UploadedBy      string    `dynamodbav:"uploadedBy"`
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	UploadExpiresAt time.Time `dynamodbav:"uploadExpiresAt"`
	Uploaded        bool      `dynamodbav:"uploaded"`
	UploadedAt      time.Time `dynamodbav:"uploadedAt,omitempty"`
}

func (it fileItem) toFile() files.Item {
	return files.Item{File: files.File{FileID: it.FileID, Name: it.Name, ContentType: it.ContentType, Size: it.Size,
		UploadedBy: it.UploadedBy, UploadedAt: it.UploadedAt}, ProjectID: it.ProjectID, CreatedAt: it.CreatedAt,
		UploadExpiresAt: it.UploadExpiresAt, Uploaded: it.Uploaded}
}

// PutFile implements files.Store: the project approved, the caller an administrator, the
// pending file item (only if absent), in one transaction.
func (s *Store) PutFile(ctx context.Context, adminID string, f files.Item) error {
	open, err := s.projectOpen(f.ProjectID)
	if err != nil {
		return err
	}
	admin, err := s.callerIsAdmin(f.ProjectID, adminID)
	if err != nil {
		return err
	}
	it, err := item(projectPK(f.ProjectID), projectFileSK(f.FileID), "file", fileItem{FileID: f.FileID, ProjectID: f.ProjectID,
		Name: f.Name, ContentType: f.ContentType, Size: f.Size, UploadedBy: f.UploadedBy, CreatedAt: f.CreatedAt,
		UploadExpiresAt: f.UploadExpiresAt})
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{open, admin, s.putNew(it, fail(errBusy))})
}

// ListFiles implements files.Store: one Query of the project's FILE# items, newest first.
func (s *Store) ListFiles(ctx context.Context, projectID, after string, limit int) ([]files.Item, string, error) {
	return listPartition(ctx, s, partition{PK: projectPK(projectID), Prefix: prefixProjectFile}, after, limit, fileItem.toFile)
}

// GetFile implements files.Store (a consistent GetItem).
func (s *Store) GetFile(ctx context.Context, projectID, fileID string) (files.Item, bool, error) {
	var it fileItem
	ok, err := s.get(ctx, key(projectPK(projectID), projectFileSK(fileID)), &it)
	return it.toFile(), ok, err
}

// MarkFileUploaded implements files.Store: uploaded and uploadedAt set on the existing
// item (files.ErrNoFile when it is gone). It writes only those two attributes of
// PROJECT# items, which IAM pins (the "file upload mark" keyed write of infra/apicontract).
func (s *Store) MarkFileUploaded(ctx context.Context, projectID, fileID string, at time.Time) error {
	failed, err := s.updateItem(ctx, key(projectPK(projectID), projectFileSK(fileID)), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("uploaded"), expression.Value(true)).
			Set(expression.Name("uploadedAt"), expression.Value(at))), nil)
	if err == nil && failed {
		return files.ErrNoFile
	}
	return err
}

// DeleteFile implements files.Store: the project approved, the caller an administrator,
// the item deleted if it exists, in one transaction.
func (s *Store) DeleteFile(ctx context.Context, projectID, adminID, fileID string) error {
	return s.deleteAsAdmin(ctx, projectID, adminID, key(projectPK(projectID), projectFileSK(fileID)), files.ErrNoFile)
}

// deleteAsAdmin deletes the item k of projectID's TwinSpace (gone: errGone) in one
// transaction with the checks that the project is still approved and adminID still one of
// its administrators.
func (s *Store) deleteAsAdmin(ctx context.Context, projectID, adminID string, k map[string]types.AttributeValue, errGone error) error {
	open, err := s.projectOpen(projectID)
	if err != nil {
		return err
	}
	admin, err := s.callerIsAdmin(projectID, adminID)
	if err != nil {
		return err
	}
	exists := expression.AttributeExists(expression.Name("PK"))
	del, err := s.del(k, &exists, fail(errGone))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{open, admin, del})
}

var _ files.Store = (*Store)(nil)
