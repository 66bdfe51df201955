// Command file-delete serves DELETE /v1/projects/{projectId}/files/{fileId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/lambdarun"
	"etwin/shared/s3files"
)

func main() {
	app.UseBlobStore(s3files.New) // the file functions alone link the S3 client
	lambdarun.Serve(api.FileDelete)
}
