package vocab

import (
	"context"
	"net/http"

	"etwin/shared/httpapi"
)

// Handle serves GET /v1/vocabularies (public; the lists change only with a deploy, so
// clients may cache them for an hour).
func Handle(_ context.Context, _ *httpapi.Request) (httpapi.Response, error) {
	resp, err := httpapi.JSON(http.StatusOK, All())
	if err != nil {
		return resp, err
	}
	resp.Headers["Cache-Control"] = "public, max-age=3600"
	return resp, nil
}
