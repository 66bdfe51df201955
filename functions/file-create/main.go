// Command file-create serves POST /v1/projects/{projectId}/files.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/lambdarun"
	"etwin/shared/s3files"
)

func main() {
	app.UseBlobStore(s3files.New) // the file functions alone link the S3 client
	lambdarun.Serve(api.FileCreate)
}
