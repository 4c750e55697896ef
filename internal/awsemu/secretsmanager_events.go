package awsemu

// secretsmanager_events.go puts Secrets Manager's rotation events on the
// EventBridge default bus, in the shape CloudTrail delivers AWS service
// events to EventBridge ("AWS Service Event via CloudTrail"; see doc.go
// for the sources): RotationStarted, RotationSucceeded, RotationFailed and
// RotationAbandoned, and TestRotationStarted/Succeeded/Failed for a
// RotateSecret with RotateImmediately=false (only testSecret runs).

import (
	"encoding/json"
	"time"
)

// Rotation event names (CloudTrail eventName).
const (
	smEventStarted   = "RotationStarted"
	smEventSucceeded = "RotationSucceeded"
	smEventFailed    = "RotationFailed"
	smEventAbandoned = "RotationAbandoned"
	// smEventTestPrefix prefixes the names of a validation-only rotation.
	smEventTestPrefix = "Test"
)

// rotationEventName picks the event for a rotation's phase: started (done
// false) or its outcome.
func rotationEventName(immediately, done bool, failure string) string {
	name := smEventStarted
	if done {
		name = smEventSucceeded
		if failure != "" {
			name = smEventFailed
		}
	}
	if !immediately {
		name = smEventTestPrefix + name
	}
	return name
}

// emitRotationEvent puts one rotation event for the secret on the bus. It
// takes no Secrets Manager lock, so callers may hold b.mu.
func (b *smBackend) emitRotationEvent(secretARN, eventName string) {
	if b.events == nil {
		return
	}
	now := b.env.Now()
	detail := map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{"accountId": b.env.AccountID, "invokedBy": smServicePrincipal},
		"eventTime":    now.UTC().Format(time.RFC3339),
		"eventSource":  smServicePrincipal,
		"eventName":    eventName,
		"awsRegion":    b.env.Region,
		// No request or response: a service event, not an API call.
		"sourceIPAddress":     smServicePrincipal,
		"userAgent":           smServicePrincipal,
		"requestParameters":   nil,
		"responseElements":    nil,
		"additionalEventData": map[string]any{"SecretId": secretARN},
		"requestID":           emuUUID(),
		"eventID":             emuUUID(),
		"readOnly":            false,
		"eventType":           "AwsServiceEvent",
		"managementEvent":     true,
		"recipientAccountId":  b.env.AccountID,
		"eventCategory":       "Management",
	}
	raw, _ := json.Marshal(detail)
	b.events.emit("aws.secretsmanager", "AWS Service Event via CloudTrail", raw, nil, now)
}

// abandonPendingLocked is the effect of a manual new AWSCURRENT value on
// an unfinished rotation: Secrets Manager removes AWSPENDING from the
// version that is not AWSCURRENT, so that later rotations can start, and
// reports RotationAbandoned. A rotation still running is left alone.
func (b *smBackend) abandonPendingLocked(s *smSecret) {
	if b.rotating[s.ARN] {
		return
	}
	p := s.holder(smPending)
	if p == nil || p == s.holder(smCurrent) {
		return
	}
	p.removeStage(smPending)
	b.emitRotationEvent(s.ARN, smEventAbandoned)
}
