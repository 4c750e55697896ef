package awsemu

// events_admin.go serves the admin endpoints of EventBridge and SNS:
//
//	GET /_emu/events                        every event put on the default bus, with its deliveries
//	GET /_emu/sns/published[?topic_arn=ARN] the messages published to SNS topics, oldest first

import (
	"context"
	"net/http"
	"net/url"
)

// serveEventsAdmin serves route if it is one of this file's; it reports
// whether it did.
func (s *Server) serveEventsAdmin(w http.ResponseWriter, r *http.Request, route string) bool {
	switch route {
	case "GET /_emu/events":
		list := []EmittedEvent{}
		if s.events != nil {
			list = s.events.emittedEvents()
		}
		adminJSON(w, http.StatusOK, list)
	case "GET /_emu/sns/published":
		list := []SNSMessage{}
		if s.sns != nil {
			list = s.sns.published(r.URL.Query().Get("topic_arn"))
		}
		adminJSON(w, http.StatusOK, list)
	default:
		return false
	}
	return true
}

// Events returns every event put on the EventBridge default bus (by AWS
// services or PutEvents), oldest first, with each target delivery.
func (c *AdminClient) Events(ctx context.Context) ([]EmittedEvent, error) {
	var out []EmittedEvent
	err := c.do(ctx, http.MethodGet, "/_emu/events", nil, &out)
	return out, err
}

// SNSPublished returns the messages published to the topic (every topic
// when topicARN is ""), oldest first.
func (c *AdminClient) SNSPublished(ctx context.Context, topicARN string) ([]SNSMessage, error) {
	path := "/_emu/sns/published"
	if topicARN != "" {
		path += "?topic_arn=" + url.QueryEscape(topicARN)
	}
	var out []SNSMessage
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}
