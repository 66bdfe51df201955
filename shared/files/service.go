package files

import (
	"context"
	"errors"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

// Object is what the object store says of a stored object.
type Object struct {
	Size         int64
	ContentType  string
	LastModified time.Time
}

// Blobs is the object store (shared/s3files).
type Blobs interface {
	// PresignPut is a URL that PUTs exactly size bytes of contentType at key until expires.
	PresignPut(ctx context.Context, key, contentType string, size int64, expires time.Duration) (string, error)
	// PresignGet is a URL that GETs key (downloaded as name) until expires.
	PresignGet(ctx context.Context, key, name string, expires time.Duration) (string, error)
	// Head says whether key exists, and what it holds.
	Head(ctx context.Context, key string) (Object, bool, error)
	// Delete removes key (no error when it is absent).
	Delete(ctx context.Context, key string) error
}

// Store is the file metadata (shared/ddb).
type Store interface {
	GetProjectPartners(ctx context.Context, projectID string, memberIDs ...string) (project.Project, map[string]project.Partner, bool, error)
	// PutFile adds a pending file: the project approved, adminID an administrator.
	PutFile(ctx context.Context, adminID string, it Item) error
	// ListFiles is a page of the project's files, newest first.
	ListFiles(ctx context.Context, projectID, after string, limit int) ([]Item, string, error)
	GetFile(ctx context.Context, projectID, fileID string) (Item, bool, error)
	// MarkFileUploaded records that the object arrived (only on an existing item).
	MarkFileUploaded(ctx context.Context, projectID, fileID string, at time.Time) error
	// DeleteFile removes the item: the project approved, adminID an administrator
	// (twinspace.ErrNotOpen, ErrNotAdmin, ErrGone), the item there (ErrNoFile).
	DeleteFile(ctx context.Context, projectID, adminID, fileID string) error
}

// ErrNoFile: the file's item is not there.
var ErrNoFile = errors.New("files: no such file")

// Service runs the file use cases.
type Service struct {
	Store   Store
	Blobs   Blobs
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func notFound() error { return apperr.NotFound("No TwinSpace with this id is open to you.") }

func noFile() error { return apperr.NotFound("No file with this id in this TwinSpace.") }

// caller reads the project and the caller's partner item: who may write (admin) or read.
func (s *Service) caller(ctx context.Context, who principal.Principal, projectID string) (project.Project, *project.Partner, bool, error) {
	if !school.ValidID(projectID) {
		return project.Project{}, nil, false, notFound()
	}
	p, partners, found, err := s.Store.GetProjectPartners(ctx, projectID, who.MemberID)
	if err != nil {
		return project.Project{}, nil, false, err
	}
	var pt *project.Partner
	if x, ok := partners[who.MemberID]; ok {
		pt = &x
	}
	return p, pt, found, nil
}

// reader checks that the caller is a partner of a visible TwinSpace (404 otherwise).
func (s *Service) reader(ctx context.Context, who principal.Principal, projectID string) error {
	p, pt, found, err := s.caller(ctx, who, projectID)
	if err != nil {
		return err
	}
	if !found || !twinspace.Visible(p) || pt == nil {
		return notFound()
	}
	return nil
}

// writer checks that the caller is an administrator of an open TwinSpace (twinspace.Writer).
func (s *Service) writer(ctx context.Context, who principal.Principal, projectID string) error {
	p, pt, found, err := s.caller(ctx, who, projectID)
	if err != nil {
		return err
	}
	return twinspace.Writer(p, found, pt, true, s.now())
}

func storeErr(err error) error {
	switch {
	case errors.Is(err, twinspace.ErrNotOpen):
		return apperr.Conflict("This TwinSpace is closed: it is a read-only archive.")
	case errors.Is(err, twinspace.ErrGone):
		return notFound()
	case errors.Is(err, twinspace.ErrNotAdmin):
		return apperr.Forbidden("Only the TwinSpace's administrators may do this.")
	case errors.Is(err, ErrNoFile):
		return noFile()
	}
	return err
}

// Create records a pending file and returns the URL its bytes go to.
func (s *Service) Create(ctx context.Context, who principal.Principal, projectID string, in CreateInput) (Created, error) {
	if err := in.Validate(); err != nil {
		return Created{}, err
	}
	if err := s.writer(ctx, who, projectID); err != nil {
		return Created{}, err
	}
	now := s.now()
	it := Item{File: File{FileID: token.SortableID("f-", now), Name: in.Name, ContentType: in.ContentType,
		Size: in.Size, UploadedBy: who.MemberID}, ProjectID: projectID, CreatedAt: now,
		UploadExpiresAt: now.Add(UploadWindow).Truncate(time.Second)}
	url, err := s.Blobs.PresignPut(ctx, Key(projectID, it.FileID), in.ContentType, in.Size, UploadWindow)
	if err != nil {
		return Created{}, err
	}
	if err := s.Store.PutFile(ctx, who.MemberID, it); err != nil {
		return Created{}, storeErr(err)
	}
	return Created{FileID: it.FileID, UploadURL: url, UploadExpiresAt: it.UploadExpiresAt}, nil
}

// uploaded reports whether the file's upload happened, looking in the object store (and
// marking the item) the first time it is seen.
func (s *Service) uploaded(ctx context.Context, it *Item, now time.Time) (bool, error) {
	if it.Uploaded {
		return true, nil
	}
	if it.Abandoned(now) {
		return false, nil
	}
	obj, ok, err := s.Blobs.Head(ctx, Key(it.ProjectID, it.FileID))
	if err != nil || !ok || obj.Size != it.Size {
		return false, err
	}
	at := obj.LastModified.UTC()
	if at.IsZero() {
		at = now
	}
	if err := s.Store.MarkFileUploaded(ctx, it.ProjectID, it.FileID, at); err != nil {
		if errors.Is(err, ErrNoFile) { // deleted meanwhile
			return false, nil
		}
		return false, err
	}
	it.Uploaded, it.UploadedAt = true, at
	return true, nil
}

// List is a page of the uploaded files, newest first (a page may hold fewer than limit
// files where pending ones are left out).
func (s *Service) List(ctx context.Context, who principal.Principal, projectID, cur string, limit int) (cursor.Page[File], error) {
	if err := s.reader(ctx, who, projectID); err != nil {
		return cursor.Page[File]{}, err
	}
	list := "files|" + projectID
	now := s.now()
	after, err := s.Cursors.Resume(cur, who.MemberID, list, now)
	if err != nil {
		return cursor.Page[File]{}, err
	}
	items, next, err := s.Store.ListFiles(ctx, projectID, after, limit)
	if err != nil {
		return cursor.Page[File]{}, err
	}
	out := make([]File, 0, len(items))
	for i := range items {
		ok, err := s.uploaded(ctx, &items[i], now)
		if err != nil {
			return cursor.Page[File]{}, err
		}
		if ok {
			out = append(out, items[i].File)
		}
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, out, next, now)
}

// Get is one uploaded file with a short-lived download URL.
func (s *Service) Get(ctx context.Context, who principal.Principal, projectID, fileID string) (Download, error) {
	if err := s.reader(ctx, who, projectID); err != nil {
		return Download{}, err
	}
	if !school.ValidID(fileID) {
		return Download{}, noFile()
	}
	it, found, err := s.Store.GetFile(ctx, projectID, fileID)
	if err != nil {
		return Download{}, err
	}
	now := s.now()
	if !found {
		return Download{}, noFile()
	}
	if ok, err := s.uploaded(ctx, &it, now); err != nil || !ok {
		if err == nil {
			err = noFile()
		}
		return Download{}, err
	}
	url, err := s.Blobs.PresignGet(ctx, Key(projectID, fileID), it.Name, DownloadWindow)
	if err != nil {
		return Download{}, err
	}
	return Download{File: it.File, DownloadURL: url, DownloadExpiresAt: now.Add(DownloadWindow).Truncate(time.Second)}, nil
}

// Delete removes a file: the object first (idempotent, so a failed item delete can be
// tried again), then the item, in a transaction that checks the caller's rights again.
func (s *Service) Delete(ctx context.Context, who principal.Principal, projectID, fileID string) error {
	if err := s.writer(ctx, who, projectID); err != nil {
		return err
	}
	if !school.ValidID(fileID) {
		return noFile()
	}
	if _, found, err := s.Store.GetFile(ctx, projectID, fileID); err != nil || !found {
		if err == nil {
			err = noFile()
		}
		return err
	}
	if err := s.Blobs.Delete(ctx, Key(projectID, fileID)); err != nil {
		return err
	}
	return storeErr(s.Store.DeleteFile(ctx, projectID, who.MemberID, fileID))
}
