// Package files is a TwinSpace's file store: administrators upload images, PDFs, office
// documents, audio and video straight to object storage with a presigned PUT (the API
// never sees the bytes), partners list and download them with a short-lived presigned GET.
// The rules here are pure and import no AWS SDK: the object store is the Blobs port
// (shared/s3files implements it on S3), the metadata the Store port (shared/ddb).
//
// A file is created pending: its item (PROJECT#<projectId> / FILE#<fileId>) exists before
// the upload does. It counts as uploaded once an object of its declared size is seen at
// its key (HeadObject), the first time a partner lists or reads it; the item is marked
// then, so every later read costs nothing in S3. A pending file whose upload window closed
// long ago without an object never will be uploaded and is no longer looked for.
package files

import (
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
)

// Limits of a file.
const (
	MaxSize = 100 << 20 // bytes (100 MiB)
	MaxName = 200       // characters
)

// UploadWindow is how long an upload URL works; DownloadWindow how long a download URL does.
const (
	UploadWindow   = 15 * time.Minute
	DownloadWindow = 5 * time.Minute
)

// StragglerMargin: an upload that started just before its URL expired may still be
// arriving (up to 100 MiB); a pending file is looked for in S3 until its window closed
// this long ago.
const StragglerMargin = time.Hour

// AllowedTypes are the MIME types a file may have (the upload is signed with the type,
// so S3 refuses any other): images, PDF, office documents (Microsoft Office and
// OpenDocument), audio and video.
var AllowedTypes = map[string]bool{
	// images
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, // not SVG: it can carry scripts
	"image/heic": true, "image/tiff": true, "image/bmp": true,
	// PDF
	"application/pdf": true,
	// office documents
	"application/msword": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/vnd.ms-excel": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         true,
	"application/vnd.ms-powerpoint":                                             true,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"application/vnd.oasis.opendocument.text":                                   true,
	"application/vnd.oasis.opendocument.spreadsheet":                            true,
	"application/vnd.oasis.opendocument.presentation":                           true,
	"application/rtf": true, "text/plain": true, "text/csv": true,
	// audio
	"audio/mpeg": true, "audio/mp4": true, "audio/aac": true, "audio/ogg": true, "audio/wav": true,
	"audio/webm": true, "audio/flac": true,
	// video
	"video/mp4": true, "video/webm": true, "video/ogg": true, "video/quicktime": true, "video/mpeg": true,
}

// Allowed reports whether a file may have content type t.
func Allowed(t string) bool { return AllowedTypes[t] }

// File is a file as partners see it.
type File struct {
	FileID      string    `json:"fileId"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	UploadedBy  string    `json:"uploadedBy"`
	UploadedAt  time.Time `json:"uploadedAt"`
}

// Item is a file's stored metadata (PROJECT#<projectId> / FILE#<fileId>).
type Item struct {
	File
	ProjectID string
	CreatedAt time.Time
	// UploadExpiresAt is when the upload URL stops working.
	UploadExpiresAt time.Time
	// Uploaded: the object was seen (UploadedAt is then its time).
	Uploaded bool
}

// Key is the object key of a file: projects/<projectId>/<fileId>.
func Key(projectID, fileID string) string { return "projects/" + projectID + "/" + fileID }

// Abandoned reports whether a pending file can no longer be uploaded at now.
func (it Item) Abandoned(now time.Time) bool {
	return !it.Uploaded && now.After(it.UploadExpiresAt.Add(StragglerMargin))
}

// CreateInput is the body of POST /v1/projects/{projectId}/files.
type CreateInput struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

// Validate checks the body (422 naming each bad field).
func (in *CreateInput) Validate() error {
	var f apperr.Fields
	n := len(f)
	member.CheckPersonName(&f, "name", in.Name, MaxName) // one line, nothing invisible
	if len(f) == n && strings.ContainsAny(in.Name, `/\`) {
		f.Add("name", "must not contain / or \\")
	}
	switch {
	case in.ContentType == "":
		f.Add("contentType", "required")
	case !Allowed(in.ContentType):
		f.Add("contentType", "is not an allowed type (images, PDF, office documents, audio, video)")
	}
	switch {
	case in.Size == 0:
		f.Add("size", "required (at least 1 byte)")
	case in.Size < 0:
		f.Add("size", "must be at least 1")
	case in.Size > MaxSize:
		f.Add("size", "must be at most %d bytes (100 MiB)", MaxSize)
	}
	return f.Err()
}

// Created is the answer to POST .../files.
type Created struct {
	FileID          string    `json:"fileId"`
	UploadURL       string    `json:"uploadUrl"`
	UploadExpiresAt time.Time `json:"uploadExpiresAt"`
}

// Download is the answer to GET .../files/{fileId}.
type Download struct {
	File
	DownloadURL       string    `json:"downloadUrl"`
	DownloadExpiresAt time.Time `json:"downloadExpiresAt"`
}
