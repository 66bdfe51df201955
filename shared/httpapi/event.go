package httpapi

// Request and Response are the API Gateway HTTP API's Lambda event and reply (payload
// format 2.0), with the JSON names of the AWS format: the Lambda runtime decodes the event
// into Request and encodes Response. They are declared here, not taken from aws-lambda-go,
// so that nothing in shared/ depends on the Lambda runtime (shared/lambdarun
// does).
type Request struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        RequestContext    `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

// RequestContext is the event's requestContext (the parts the platform reads).
type RequestContext struct {
	RouteKey   string      `json:"routeKey"`
	AccountID  string      `json:"accountId"`
	Stage      string      `json:"stage"`
	RequestID  string      `json:"requestId"`
	APIID      string      `json:"apiId"`
	DomainName string      `json:"domainName"`
	Time       string      `json:"time"`
	TimeEpoch  int64       `json:"timeEpoch"`
	HTTP       RequestHTTP `json:"http"`
}

// RequestHTTP is requestContext.http.
type RequestHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// Response is the function's reply.
type Response struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded,omitempty"`
	Cookies         []string          `json:"cookies"`
}
